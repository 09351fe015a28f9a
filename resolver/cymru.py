"""IP address -> origin ASN(s), prefix, country, registry, AS name, through Team Cymru's DNS zones.

``TXT 1.225.125.74.origin.asn.cymru.com`` answers ``"15169 | 74.125.225.0/24 | US | arin | 2007-03-13"``.
A prefix announced by several ASes gives several ASNs in one answer (``"20738 20773 | ..."``) or
several answers; both are kept. Answers are cached by prefix, so the other addresses of a prefix
need no query.
"""

from __future__ import annotations

import ipaddress

from resolver.cache import TTLCache
from resolver.dns import DnsClient, reverse_name
from resolver.models import Failure, Hosting
from resolver.settings import ResolverSettings


def parse_origin(values: list[str]) -> tuple[list[int], str | None, str | None, str | None]:
    """ASNs, prefix, country and registry from the TXT strings of one origin lookup.

    Several answers for one address mean several announcements: the most specific prefix wins,
    and the ASNs of every answer for that prefix are kept.
    """
    best: tuple[int, list[int], str | None, str | None, str | None] | None = None
    for value in values:
        parts = [p.strip() for p in value.split("|")]
        if len(parts) < 3:
            continue
        asns = [int(a) for a in parts[0].split() if a.isdigit()]
        prefix = parts[1] or None
        try:
            length = ipaddress.ip_network(prefix, strict=False).prefixlen if prefix else -1
        except ValueError:
            length, prefix = -1, None
        country = parts[2].upper() or None if len(parts) > 2 else None
        registry = parts[3].lower() or None if len(parts) > 3 else None
        if best is None or length > best[0]:
            best = (length, asns, prefix, country, registry)
        elif length == best[0]:
            best[1].extend(a for a in asns if a not in best[1])
    if best is None:
        return [], None, None, None
    return best[1], best[2], best[3], best[4]


def parse_as_name(values: list[str]) -> str | None:
    """The AS name from ``"15169 | US | arin | 2000-03-30 | GOOGLE, US"``."""
    for value in values:
        parts = [p.strip() for p in value.split("|")]
        if len(parts) >= 5 and parts[4]:
            return parts[4]
    return None


class CymruClient:
    """Origin and AS-name lookups, cached by prefix and by ASN."""

    def __init__(self, dns: DnsClient, settings: ResolverSettings, cache: TTLCache) -> None:
        self.dns = dns
        self.settings = settings
        self.cache = cache

    def _cached_prefix(self, ip: str) -> Hosting | None:
        # Most specific first: the longest cached prefix that covers the address.
        address = ipaddress.ip_address(ip)
        for length in range(address.max_prefixlen, 7, -1):
            key = str(ipaddress.ip_network(f"{ip}/{length}", strict=False))
            hit, value = self.cache.get("cymru-prefix", key)
            if hit and isinstance(value, Hosting):
                return value.model_copy(update={"ip": ip})
        return None

    async def lookup(self, ip: str, failures: list[Failure]) -> Hosting:
        cached = self._cached_prefix(ip)
        if cached is not None:
            return cached
        name = reverse_name(ip, self.settings.cymru_origin_zone, self.settings.cymru_origin6_zone)
        records = await self.dns.query(name, "TXT", failures, stage="cymru")
        asns, prefix, country, registry = parse_origin([r.value for r in records])
        hosting = Hosting(ip=ip, asns=asns, prefix=prefix, country=country, registry=registry)
        if asns:
            hosting.as_name = await self.as_name(asns[0], failures)
        if prefix:
            self.cache.set("cymru-prefix", str(ipaddress.ip_network(prefix, strict=False)), hosting)
        return hosting

    async def as_name(self, asn: int, failures: list[Failure]) -> str | None:
        hit, value = self.cache.get("cymru-asn", str(asn))
        if hit:
            return value if isinstance(value, str) else None
        records = await self.dns.query(f"AS{asn}.{self.settings.cymru_asn_zone}", "TXT", failures, stage="cymru")
        name = parse_as_name([r.value for r in records])
        self.cache.set("cymru-asn", str(asn), name)
        return name
