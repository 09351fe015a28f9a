"""RDAP client: IANA bootstrap, the registry's answer, then the registrar's own RDAP server.

A thin client on httpx rather than an RDAP library: we need every request to go through our
SSRF-guarded transport and our per-server limiter, a local bootstrap file that overrides IANA's
(the lab, tests, TLDs missing from IANA's list), and every problem recorded as a failure. The
answers are read by :mod:`resolver.rdap_parse`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx

from resolver.cache import SingleFlight, TTLCache, address_group, announced_group
from resolver.config import ResolverSettings
from resolver.errors import RdapFormatError
from resolver.http import Limiters
from resolver.models import Failure
from resolver.rdap_fetch import RdapFetcher
from resolver.rdap_parse import DomainFacts, NetworkFacts, parse_domain, parse_network


class _Parsed(Protocol):
    problems: list[str]


T = TypeVar("T", bound=_Parsed)


@dataclass
class Bootstrap:
    """RFC 9224 bootstrap data: which RDAP server answers for a TLD or an IP range."""

    tlds: dict[str, list[str]] = field(default_factory=dict)
    networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, list[str]]] = field(default_factory=list)

    def add(self, data: Any) -> None:
        """Add the services of one bootstrap file; entries added later win."""
        for service in data.get("services", []) if isinstance(data, dict) else []:
            if not (isinstance(service, list) and len(service) >= 2):
                continue
            if not (isinstance(service[0], list) and isinstance(service[1], list)):
                continue
            keys, urls = service[0], [u if u.endswith("/") else u + "/" for u in service[1] if isinstance(u, str)]
            for key in (k for k in keys if isinstance(k, str)):
                try:
                    network = ipaddress.ip_network(key, strict=False)
                except ValueError:
                    self.tlds[str(key).lower().strip(".")] = urls
                else:
                    self.networks.insert(0, (network, urls))

    def for_domain(self, domain: str) -> list[str]:
        labels = domain.lower().split(".")
        for i in range(len(labels)):
            urls = self.tlds.get(".".join(labels[i:]))
            if urls:
                return urls
        return []

    def for_ip(self, ip: str) -> list[str]:
        address = ipaddress.ip_address(ip)
        best: tuple[int, list[str]] | None = None
        for network, urls in self.networks:
            covers = network.version == address.version and address in network
            if covers and (best is None or network.prefixlen > best[0]):
                best = (network.prefixlen, urls)
        return best[1] if best else []


class RdapClient:
    """Fetches and reads RDAP answers, cached by registrable domain and by IP network."""

    def __init__(self, settings: ResolverSettings, http: httpx.AsyncClient, limiters: Limiters, cache: TTLCache):
        self.settings = settings
        self.http = http
        self.limiters = limiters
        self.cache = cache
        self.fetcher = RdapFetcher(settings, http, limiters)
        #: lookups answered from the cache, and lookups that had to ask a server
        self.lookup_hits = 0
        self.lookup_misses = 0
        self._bootstrap: Bootstrap | None = None
        self._bootstrap_lock = asyncio.Lock()
        self._flights = SingleFlight()

    # -- bootstrap -------------------------------------------------------------------------

    async def _iana(self, url: str, failures: list[Failure]) -> Any:
        cache_dir = self.settings.bootstrap_cache_dir
        cached = cache_dir / Path(url).name if cache_dir else None
        if (
            cached
            and cached.exists()
            and time.time() - cached.stat().st_mtime < self.settings.bootstrap_refresh_seconds
        ):
            return json.loads(cached.read_text())
        data = await self.get_json(url, "rdap_bootstrap", url, failures)
        if data is not None and cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(data))
        elif data is None and cached and cached.exists():
            return json.loads(cached.read_text())  # a stale copy beats none
        return data

    async def bootstrap(self, failures: list[Failure]) -> Bootstrap:
        async with self._bootstrap_lock:
            if self._bootstrap is None:
                boot = Bootstrap()
                if not self.settings.rdap_bootstrap_offline:
                    for url in (
                        self.settings.rdap_bootstrap_dns_url,
                        self.settings.rdap_bootstrap_ipv4_url,
                        self.settings.rdap_bootstrap_ipv6_url,
                    ):
                        boot.add(await self._iana(url, failures))
                for path in self.settings.rdap_bootstrap_files:
                    boot.add(json.loads(await asyncio.to_thread(Path(path).read_text)))
                self._bootstrap = boot
            return self._bootstrap

    # -- fetching --------------------------------------------------------------------------

    @property
    def requests(self) -> dict[str, int]:
        return self.fetcher.requests

    @property
    def retry_waits(self) -> int:
        return self.fetcher.retry_waits

    @property
    def retry_wait_seconds(self) -> float:
        return self.fetcher.retry_wait_seconds

    async def get_json(self, url: str, stage: str, target: str, failures: list[Failure]) -> Any:
        """GET `url` as JSON within the limits of :mod:`resolver.rdap_fetch`; None (and a failure) otherwise."""
        return await self.fetcher.get_json(url, stage, target, failures)

    @staticmethod
    async def _read(
        parse: Callable[[Any], T], answer: Any, url: str, stage: str, target: str, failures: list[Failure]
    ) -> T | None:
        """`parse(answer)`, with what it could not read recorded as failures naming `url` and the field.

        Parsed off the event loop: a large answer (up to ``rdap_max_bytes``) must not stall the
        other resolutions.
        """
        try:
            facts = await asyncio.to_thread(parse, answer)
        except RdapFormatError as exc:
            failures.append(Failure(stage=stage, target=target, kind="malformed", message=f"{url}: {exc}"))
            return None
        for problem in facts.problems:
            failures.append(Failure(stage=stage, target=target, kind="malformed", message=f"{url}: {problem}"))
        return facts

    async def domain(self, registrable: str, failures: list[Failure]) -> tuple[DomainFacts | None, str | None]:
        """The registration facts of `registrable`, following the registrar's related link.

        Sites of one registrable domain resolved at once share one lookup.
        """
        while not (cached := self.cache.get("rdap-domain", registrable))[0]:
            async with self._flights.claim(f"domain:{registrable}") as mine:
                if mine:
                    self.lookup_misses += 1
                    return await self._domain(registrable, failures)
        self.lookup_hits += 1
        return cached[1]  # type: ignore[no-any-return]

    async def _domain(self, registrable: str, failures: list[Failure]) -> tuple[DomainFacts | None, str | None]:
        boot = await self.bootstrap(failures)
        bases = boot.for_domain(registrable)
        if not bases:
            failures.append(
                Failure(
                    stage="rdap_domain", target=registrable, kind="unsupported", message="no RDAP server for this TLD"
                )
            )
            return None, None
        url = f"{bases[0]}domain/{registrable}"
        answer = await self.get_json(url, "rdap_domain", registrable, failures)
        facts: DomainFacts | None = None
        if answer is not None:
            facts = await self._read(parse_domain, answer, url, "rdap_domain", registrable, failures)
        if facts is not None:
            for related in facts.related[:1]:
                registrar_answer = await self.get_json(related, "rdap_registrar", registrable, failures)
                if registrar_answer is None:
                    continue
                more = await self._read(
                    parse_domain, registrar_answer, related, "rdap_registrar", registrable, failures
                )
                if more is None:
                    continue
                # The registrar knows its own abuse desk best; the registry knows the dates.
                facts.abuse_emails = more.abuse_emails or facts.abuse_emails
                facts.abuse_phones = more.abuse_phones or facts.abuse_phones
                facts.registrar = facts.registrar or more.registrar
                facts.registrar_iana_id = facts.registrar_iana_id or more.registrar_iana_id
        result = (facts, url)
        if facts is not None:
            self.cache.set("rdap-domain", registrable, result)
        return result

    def _cached_network(self, ip: str) -> tuple[NetworkFacts, str] | None:
        """The cached network holding `ip`, most specific first.

        Only the prefix lengths networks were cached under are tried (kept in the cache itself, per
        IP version, so a shared cache shares them): building all 121 IPv6 keys of an address cost
        3 ms, more than the rest of a site's RDAP work.
        """
        address = ipaddress.ip_address(ip)
        network_of = ipaddress.IPv4Network if address.version == 4 else ipaddress.IPv6Network
        hit, lengths = self.cache.get("rdap-network-lengths", str(address.version))
        for length in sorted(lengths, reverse=True) if hit else ():
            key = str(network_of((address, length), strict=False))
            hit, value = self.cache.get("rdap-network", key)
            if hit:
                return value  # type: ignore[no-any-return]
        return None

    def _cache_network(self, key: str, value: tuple[NetworkFacts, str]) -> None:
        network = ipaddress.ip_network(key, strict=False)
        self.cache.set("rdap-network", str(network), value)
        hit, lengths = self.cache.get("rdap-network-lengths", str(network.version))
        # set again even when known: the lengths must outlive every network cached under them
        self.cache.set(
            "rdap-network-lengths", str(network.version), (set(lengths) if hit else set()) | {network.prefixlen}
        )

    async def network(
        self, ip: str, failures: list[Failure], announced: str | None = None
    ) -> tuple[NetworkFacts | None, str | None]:
        """The network holding `ip`: name, range, holder, abuse contact.

        Addresses of one /24 (IPv6: /48) resolved at once share one lookup: the first asks, the
        others wait and find its network in the cache (or ask for themselves if it does not cover them).
        With `announced`, the BGP prefix holding `ip` (wider than that unit), addresses of the prefix
        first wait for one lookup under way in it: a hosting network is often a /16 or a /20, and
        its /24s asked at once each cost a request the registry counts against its rate limit. An
        address its answer does not cover then asks for its own /24 as above (one round trip later).
        """
        group = address_group(ip)
        wide = announced_group(ip, announced)
        if wide is not None and self._cached_network(ip) is None:
            async with self._flights.claim(f"network-announced:{wide}") as first:
                if first:
                    async with self._flights.claim(f"network:{group}") as mine:
                        if mine:
                            self.lookup_misses += 1
                            return await self._network(ip, failures)
        while (cached := self._cached_network(ip)) is None:
            async with self._flights.claim(f"network:{group}") as mine:
                if mine:
                    self.lookup_misses += 1
                    return await self._network(ip, failures)
        self.lookup_hits += 1
        return cached

    async def _network(self, ip: str, failures: list[Failure]) -> tuple[NetworkFacts | None, str | None]:
        boot = await self.bootstrap(failures)
        bases = boot.for_ip(ip)
        if not bases:
            failures.append(
                Failure(stage="rdap_ip", target=ip, kind="unsupported", message="no RDAP server for this range")
            )
            return None, None
        url = f"{bases[0]}ip/{ip}"
        answer = await self.get_json(url, "rdap_ip", ip, failures)
        if answer is None:
            return None, url
        facts = await self._read(parse_network, answer, url, "rdap_ip", ip, failures)
        if facts is None:
            return None, url
        # Every block of the network is a key: an address in any of them finds it (one request a network).
        address = ipaddress.ip_address(ip)
        keys = [c for c in facts.cidrs if address.version == ipaddress.ip_network(c).version]
        covering = any(address in ipaddress.ip_network(c) for c in keys)
        for key in keys if covering else [str(ipaddress.ip_network(ip))]:
            self._cache_network(key, (facts, url))
        return facts, url
