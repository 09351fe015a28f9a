"""IP address -> origin ASN(s), prefix, country, registry, AS name, through Team Cymru's DNS zones.

``TXT 1.225.125.74.origin.asn.cymru.com`` answers ``"15169 | 74.125.225.0/24 | US | arin | 2007-03-13"``.
A prefix announced by several ASes gives several ASNs in one answer (``"20738 20773 | ..."``) or
several answers; both are kept. Answers are cached by prefix, so the other addresses of a prefix
need no query.
"""

from __future__ import annotations

import ipaddress

from resolver.cache import SingleFlight, TTLCache, address_group
from resolver.config import ResolverSettings
from resolver.dns import DnsClient, reverse_name
from resolver.models import Failure, Hosting


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
    """Origin and AS-name lookups, cached by prefix and by ASN.

    Lookups that are already under way are shared: when many sites on one network are resolved at
    once, the first address of a /24 (IPv6: /48) asks Team Cymru and the others wait for its answer
    and find it in the cache, instead of all asking before any answer is cached. (Announcements
    more specific than /24 or /48 are not routed on the internet, so one answer nearly always
    covers the group; when it does not, the waiting address simply asks for itself.)
    """

    def __init__(self, dns: DnsClient, settings: ResolverSettings, cache: TTLCache) -> None:
        self.dns = dns
        self.settings = settings
        self.cache = cache
        self._flights = SingleFlight()
        #: the cache key that last answered for an address: checked first, which spares the walk
        #: over every prefix length for the addresses seen again (most of them, on shared hosts)
        self._prefix_of: dict[str, str] = {}
        #: lookups answered from the cache, and lookups that had to ask
        self.lookup_hits = 0
        self.lookup_misses = 0

    def _cached_prefix(self, ip: str) -> Hosting | None:
        known = self._prefix_of.get(ip)
        if known is not None:
            hit, value = self.cache.get("cymru-prefix", known)
            if hit and isinstance(value, Hosting):
                return value.model_copy(update={"ip": ip})
        # Most specific first: the longest cached prefix that covers the address. The networks are
        # computed on the integer (parsing "ip/len" for each length was most of a cached lookup).
        address = ipaddress.ip_address(ip)
        bits, value_int, kind = address.max_prefixlen, int(address), type(address)
        for length in range(bits, 7, -1):
            key = f"{kind(value_int >> (bits - length) << (bits - length))}/{length}"
            hit, value = self.cache.get("cymru-prefix", key)
            if hit and isinstance(value, Hosting):
                self._prefix_of[ip] = key
                return value.model_copy(update={"ip": ip})
        return None

    async def lookup(self, ip: str, failures: list[Failure]) -> Hosting:
        group = address_group(ip)
        while (cached := self._cached_prefix(ip)) is None:
            async with self._flights.claim(group) as mine:
                if mine:
                    self.lookup_misses += 1
                    return await self._query(ip, failures)
        self.lookup_hits += 1
        return cached

    async def _query(self, ip: str, failures: list[Failure]) -> Hosting:
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
        key = str(asn)
        while not (cached := self.cache.get("cymru-asn", key))[0]:
            async with self._flights.claim(f"AS{asn}") as mine:
                if mine:
                    records = await self.dns.query(
                        f"AS{asn}.{self.settings.cymru_asn_zone}", "TXT", failures, stage="cymru"
                    )
                    name = parse_as_name([r.value for r in records])
                    self.cache.set("cymru-asn", key, name)
                    return name
        value = cached[1]
        return value if isinstance(value, str) else None
