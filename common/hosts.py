"""Turn whatever an association pastes (a URL, a host, a defanged link) into one canonical host name.

Canonical means: lower case, IDNA 2008 with UTS 46 mapping (so ``ＥＸＡＭＰＬＥ.com`` and
``example.com`` are one domain), both the ASCII (punycode) and unicode forms, no ``www.``, no port,
path or credentials, no trailing dot. The registrable domain comes from the Public Suffix List,
private section included (``foo.blogspot.com`` is its own registrable domain, as it is its own site).

The list is the snapshot bundled with tldextract: nothing is fetched at run time.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import idna
import tldextract

MAX_INPUT_LENGTH = 2048
_SCHEMES = {"http", "https"}
# Abuse desks "defang" links so nobody clicks them by mistake; accept what they paste.
_DEFANG = (("[.]", "."), ("(.)", "."), ("[dot]", "."), ("hxxps://", "https://"), ("hxxp://", "http://"))
_WHITESPACE = re.compile(r"\s")
# Most input is a plain http(s) URL or host name: its host is what urlsplit would find (the netloc
# ends at the first "/", "?" or "#", and holds no credentials or port), without urlsplit's cost.
_PLAIN_URL_HOST = re.compile(r"(?:https?://|//)?([a-z0-9.-]+)(?:[/?#]|\Z)")
# ipaddress.ip_address only accepts dotted decimal IPv4 and IPv6 with colons; anything else would
# cost it two exceptions to refuse.
_MAYBE_IPV4 = re.compile(r"[0-9.]+\Z")
_LDH_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# RFC 2606 reserves these for testing; they are never in the Public Suffix List, yet the offline
# demo lab and test suites name their sites under them, so each is treated as a one-label suffix.
RESERVED_TEST_TLDS = frozenset({"test", "example"})


class NormalizationError(ValueError):
    """Raised by :func:`normalize_host` when the input cannot be a site's host; says what is wrong."""


@dataclass(frozen=True)
class NormalizedHost:
    """A canonical host name."""

    fqdn: str  # ASCII form (punycode for IDN), the key the store uses
    fqdn_unicode: str
    registrable_domain: str  # ASCII form; equals fqdn for IP literals
    is_ip: bool

    @property
    def registrable_domain_unicode(self) -> str:
        return _to_unicode(self.registrable_domain) if not self.is_ip else self.registrable_domain


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and cache_dir=None: use the bundled snapshot, never the network or disk.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _to_unicode(ascii_host: str) -> str:
    if "xn--" not in ascii_host:
        return ascii_host
    try:
        return idna.decode(ascii_host)
    except idna.IDNAError:
        # A label that is valid punycode under IDNA 2003 but not 2008 stays in ASCII form.
        return ascii_host


def _host_from_input(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise NormalizationError("empty: give a domain name or a URL")
    if len(text) > MAX_INPUT_LENGTH:
        raise NormalizationError(f"too long: {len(text)} characters (at most {MAX_INPUT_LENGTH})")
    if _WHITESPACE.search(text):
        raise NormalizationError("contains whitespace")
    lowered = text.lower()
    for defanged, plain in _DEFANG:
        lowered = lowered.replace(defanged, plain)
    plain_host = _PLAIN_URL_HOST.match(lowered)
    if plain_host:
        return plain_host.group(1)
    if "://" in lowered:
        scheme = lowered.split("://", 1)[0]
        if scheme not in _SCHEMES:
            raise NormalizationError(f"unsupported scheme {scheme!r}: only http and https URLs name a site")
        to_split = lowered
    elif lowered.startswith("//"):
        to_split = lowered
    else:
        # A bare IPv6 address has colons but no port: keep it whole.
        bare = lowered.strip("[]")
        if _looks_like_ip(bare):
            try:
                ipaddress.ip_address(bare)
                return bare
            except ValueError:
                pass
        to_split = "//" + lowered
    try:
        parts = urlsplit(to_split)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a port that is not a number or out of range
    except ValueError as exc:
        raise NormalizationError(f"not a valid URL: {exc}") from exc
    if not host:
        raise NormalizationError("no host name in the URL")
    return host


def _looks_like_ip(text: str) -> bool:
    return ":" in text or _MAYBE_IPV4.match(text) is not None


def _as_ip(host: str) -> str | None:
    if not _looks_like_ip(host):
        return None
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def normalize_host(raw: str) -> NormalizedHost:
    """Canonicalise a URL or host name; raise :class:`NormalizationError` saying why it is not one."""
    return _normalize_host(_host_from_input(raw).rstrip("."))


_PLAIN_ASCII_HOST = re.compile(r"^[a-z0-9.-]+$")


@lru_cache(maxsize=8192)
def _normalize_host(host: str) -> NormalizedHost:
    # Both steps are cached: a bulk import normalises the same host for the site, its URLs and its
    # evidence, and the same URL when it is validated and again when it is stored. Those repeats are
    # close together (one row, one chunk), so a small cache serves them: 65,536 entries in each of the
    # two caches held about 49 MB, a sixth of a million-row import's peak memory.
    ip = _as_ip(host)
    if ip is not None:
        return NormalizedHost(fqdn=ip, fqdn_unicode=ip, registrable_domain=ip, is_ip=True)
    if not host:
        raise NormalizationError("no host name")
    if _PLAIN_ASCII_HOST.match(host) and "xn--" not in host and ".." not in host:
        # Plain lower-case ASCII: IDNA processing cannot change it (and costs ~0.2 ms a host).
        ascii_host = host
    else:
        ascii_host = _idna_encode(host)
    return _finish(ascii_host)


def _idna_encode(host: str) -> str:
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as exc:
        raise NormalizationError(f"not a valid internationalised domain name: {exc}") from exc
    except UnicodeError as exc:  # a label over 63 characters, an empty label ("a..b")
        raise NormalizationError(f"not a valid domain name: {exc}") from exc


def _finish(ascii_host: str) -> NormalizedHost:
    labels = ascii_host.split(".")
    if labels[0] == "www" and len(labels) > 2:
        labels = labels[1:]
    for label in labels:
        if len(label) > 63:
            raise NormalizationError(f"label {label[:20]!r}... is too long: {len(label)} characters (at most 63)")
        if not label:
            raise NormalizationError("empty label (two dots in a row, or a leading dot)")
        if not _LDH_LABEL.match(label):
            raise NormalizationError(f"label {label!r} is not a valid host label (letters, digits and inner hyphens)")
    ascii_host = ".".join(labels)
    if len(ascii_host) > 253:
        raise NormalizationError(f"host name too long: {len(ascii_host)} characters (at most 253)")
    return NormalizedHost(
        fqdn=ascii_host,
        fqdn_unicode=_to_unicode(ascii_host),
        registrable_domain=_registrable(ascii_host, labels),
        is_ip=False,
    )


def _registrable(name: str, labels: list[str]) -> str:
    if labels[-1] in RESERVED_TEST_TLDS:
        if len(labels) < 2:
            raise NormalizationError(f"{name!r} is a reserved top-level domain, not a site")
        return ".".join(labels[-2:])
    extracted = _extractor()(name)
    if not extracted.suffix:
        raise NormalizationError(f"{name!r} has no known public suffix (TLD)")
    if not extracted.domain:
        raise NormalizationError(f"{name!r} is a public suffix, not a registrable domain")
    return f"{extracted.domain}.{extracted.suffix}"


def registrable_domain(host: str) -> str:
    """The registrable domain of a host name already in ASCII form (Public Suffix List, private section
    included; the RFC 2606 test TLDs as one-label suffixes); :class:`NormalizationError` if it has none."""
    name = host.lower().rstrip(".")
    return _registrable(name, name.split("."))
