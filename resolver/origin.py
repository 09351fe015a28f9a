"""Finding the origin server behind a CDN.

Candidates come from where operators of pirate sites leak it: MX hosts, SPF ``ip4:``/``ip6:``
entries, subdomains left unproxied (mail., direct., ftp., cpanel., ...), and addresses the site used
before it moved behind the CDN. A candidate is *confirmed* only when it serves the same page: we
request the site's home page from it with the right Host header and SNI, and compare.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable

import httpx

from resolver.cdn_catalogue import Provider
from resolver.dns import DnsClient
from resolver.models import DnsResult, Failure, HttpProbe, OriginCandidate

ClientFor = Callable[[str], httpx.AsyncClient]
ProbeWith = Callable[[httpx.AsyncClient], Awaitable[HttpProbe | None]]


def _in_provider(ip: str, provider: Provider | None) -> bool:
    if provider is None:
        return False
    address = ipaddress.ip_address(ip)
    return any(n.version == address.version and address in n for n in provider.networks)


async def candidates(
    dns_client: DnsClient,
    host: str,
    registrable: str,
    dns: DnsResult,
    subdomains: list[str],
    history: list[str],
    provider: Provider | None,
) -> list[OriginCandidate]:
    """Addresses that might be the origin, with where each came from (CDN addresses excluded)."""
    found: dict[str, OriginCandidate] = {}
    front = set(dns.addresses)

    def add(ip: str, source: str) -> None:
        if ip in front or _in_provider(ip, provider) or ip in found:
            return
        found[ip] = OriginCandidate(ip=ip, source=source)

    for mx in dns.mx:
        exchange = mx.value.split()[-1].rstrip(".")
        if exchange == registrable or exchange.endswith("." + registrable):
            for record in await dns_client.query(exchange, "A", []):
                add(record.value, f"mx:{exchange}")
    for network in [*dns.spf_ip4, *dns.spf_ip6]:
        net = ipaddress.ip_network(network)
        if net.num_addresses <= 4:
            for address in list(net)[:4] if net.num_addresses > 1 else [net.network_address]:
                add(str(address), "spf")
    for sub in subdomains:
        name = f"{sub}.{registrable}"
        for record in await dns_client.query(name, "A", []):
            add(record.value, f"subdomain:{name}")
    for ip in history:
        add(ip, "history")
    return list(found.values())


async def confirm(
    candidate: OriginCandidate,
    reference: HttpProbe,
    client_for: ClientFor,
    probe_with: ProbeWith,
    failures: list[Failure],
) -> OriginCandidate:
    """Request the site from `candidate` and compare with what the CDN served."""
    client = client_for(candidate.ip)
    try:
        seen = await probe_with(client)
    finally:
        await client.aclose()
    if seen is None or seen.status is None:
        return candidate.model_copy(update={"detail": "no answer"})
    same_body = seen.body_sha256 is not None and seen.body_sha256 == reference.body_sha256
    same_title = bool(seen.title) and seen.title == reference.title
    detail = "same page" if same_body else ("same title" if same_title else "different content")
    return candidate.model_copy(update={"confirmed": same_body or same_title, "detail": detail})
