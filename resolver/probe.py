"""The HTTP probe: fetch a site's home page the way a visitor would, and record what happened.

Redirects are followed by hand so each hop is recorded and checked by the SSRF guard; a redirect
to another registrable domain is a domain hop. The TLS certificate is read even when it would not
validate (pirate sites often serve broken ones): its SANs name sibling domains. Bodies are read up
to a size limit and only hashed and searched for a title.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Awaitable, Callable
from urllib.parse import urljoin, urlsplit

import httpx
from cryptography import x509
from cryptography.x509.oid import NameOID

from resolver.errors import BlockedAddressError
from resolver.models import Failure, HttpProbe, RedirectHop, TlsCertificate

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
#: Response headers kept on the profile (CDN signals, and what operators look at).
KEPT_HEADERS = {
    "server",
    "via",
    "cf-ray",
    "cf-cache-status",
    "x-amz-cf-id",
    "x-amz-cf-pop",
    "x-served-by",
    "x-cache",
    "x-fastly-request-id",
    "x-iinfo",
    "x-cdn",
    "x-sucuri-id",
    "x-azure-ref",
    "x-msedge-ref",
    "cdn-pullzone",
    "cdn-uid",
    "eagleid",
    "x-hw",
    "x-sp-url",
    "akamai-grn",
    "x-akamai-transformed",
    "x-powered-by",
    "location",
    "content-type",
    "x-goog-generation",
    "x-id",
    "x-fd-healthprobe",
}


def certificate_of(der: bytes) -> TlsCertificate:
    """Subject, issuer, SANs and expiry of a DER certificate."""
    cert = x509.load_der_x509_certificate(der)

    def common_name(name: x509.Name) -> str:
        cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(cns[0].value) if cns else name.rfc4514_string()

    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        sans = [str(n).lower() for n in ext.value.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        sans = []
    return TlsCertificate(
        subject=common_name(cert.subject),
        issuer=common_name(cert.issuer),
        sans=sans,
        not_after=cert.not_valid_after_utc,
    )


async def probe_site(
    client: httpx.AsyncClient,
    host: str,
    *,
    https_port: int,
    http_port: int,
    max_redirects: int,
    max_bytes: int,
    registrable: Callable[[str], str],
    failures: list[Failure],
) -> HttpProbe | None:
    """Probe `host` over HTTPS, falling back to HTTP; None (with failures) if neither answers."""
    starts = [
        f"https://{host}{'' if https_port == 443 else f':{https_port}'}/",
        f"http://{host}{'' if http_port == 80 else f':{http_port}'}/",
    ]
    last_error = ""
    for start in starts:
        try:
            return await _follow(client, start, max_redirects, max_bytes, registrable(host), registrable, failures)
        except BlockedAddressError as exc:
            failures.append(Failure(stage="probe", target=start, kind="blocked_address", message=str(exc)))
            return None
        except httpx.TimeoutException:
            last_error = f"{start}: timed out"
        except httpx.HTTPError as exc:
            last_error = f"{start}: {exc.__class__.__name__}: {exc}"
    failures.append(Failure(stage="probe", target=host, kind="network_error", message=last_error[:300]))
    return None


async def _follow(
    client: httpx.AsyncClient,
    start: str,
    max_redirects: int,
    max_bytes: int,
    own: str,
    registrable: Callable[[str], str],
    failures: list[Failure],
) -> HttpProbe:
    probe = HttpProbe(start_url=start)
    url = start
    for _ in range(max_redirects + 1):
        async with client.stream("GET", url) as response:
            if probe.tls is None and url.startswith("https://"):
                probe.tls = _tls_of(response)
            location = response.headers.get("location")
            probe.chain.append(RedirectHop(url=url, status=response.status_code, location=location))
            if response.is_redirect and location:
                await response.aclose()
                next_url = urljoin(url, location)
                scheme = urlsplit(next_url).scheme
                if scheme not in ("http", "https"):
                    failures.append(
                        Failure(stage="probe", target=url, kind="unsupported", message=f"redirect to {scheme}:")
                    )
                    break
                target_host = urlsplit(next_url).hostname or ""
                try:
                    target = registrable(target_host)
                except ValueError:
                    target = target_host
                if target and target != own and target not in probe.hops_to:
                    probe.hops_to.append(target)
                url = next_url
                continue
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) >= max_bytes:
                    break
            probe.final_url = url
            probe.status = response.status_code
            probe.headers = {k.lower(): v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
            probe.body_sha256 = hashlib.sha256(bytes(body[:max_bytes])).hexdigest()
            match = _TITLE.search(bytes(body[:max_bytes]))
            if match:
                probe.title = html.unescape(match.group(1).decode("utf-8", "replace")).strip()[:300]
            return probe
    else:
        failures.append(
            Failure(stage="probe", target=start, kind="unsupported", message=f"more than {max_redirects} redirects")
        )
    probe.final_url = url
    return probe


def _tls_of(response: httpx.Response) -> TlsCertificate | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    ssl_object = stream.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return certificate_of(der) if der else None


ResolveAddresses = Callable[[str], Awaitable[list[str]]]
