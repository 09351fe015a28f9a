"""The :class:`Resolver`: where a site lives, in one call.

    async with Resolver(settings) as r:
        profile = await r.resolve("example.com")

One resolver holds one HTTP client, one cache and one limiter per remote server; share it across
tasks (``resolve_many``) so that caches and limits are shared too. With
``ResolverSettings.shared_limits_url`` the limits are shared with every other process (Redis).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType

import httpx

from common import hosts
from common.text import scrub
from resolver.cache import MemoryCache, TTLCache
from resolver.cdn_catalogue import CdnCatalogue, detect, load_cdn_catalogue, suffix_match
from resolver.config import ResolverSettings
from resolver.cymru import CymruClient
from resolver.dns import DnsClient
from resolver.errors import InvalidDomainError
from resolver.http import Limiters, make_http_client
from resolver.limits import LimiterFactory, RedisLimiters, local_limiter
from resolver.models import (
    AbuseContact,
    CdnMatch,
    DnsResult,
    Failure,
    FailureKind,
    Hosting,
    HttpProbe,
    OriginCandidate,
    Registration,
    SiteProfile,
)
from resolver.names import host_name
from resolver.origin import candidates as origin_candidates
from resolver.origin import confirm
from resolver.probe import probe_site
from resolver.rdap import RdapClient
from resolver.stats import ResolverStats
from resolver.whois import whois_registration

logger = logging.getLogger(__name__)


def failed_profile(name: str, stage: str, kind: FailureKind, message: str) -> SiteProfile:
    """The profile of a name that could not be resolved at all: no facts, one failure saying why."""
    shown = scrub(name, max_length=253) or "?"
    try:
        host = host_name(name)
        registrable = registrable_domain(host)
    except InvalidDomainError:
        host, registrable = shown, ""
    return SiteProfile(
        domain=host,
        registrable_domain=registrable,
        resolved_at=dt.datetime.now(dt.UTC),
        dns=DnsResult(name=host),
        failures=[Failure(stage=stage, target=shown, kind=kind, message=scrub(message, max_length=500) or kind)],
    )


def registrable_domain(host: str) -> str:
    """The registrable domain of `host` (the rule of :func:`common.hosts.registrable_domain`)."""
    try:
        return hosts.registrable_domain(host)
    except hosts.NormalizationError as exc:
        raise InvalidDomainError(f"{host!r} has no registrable domain under a public suffix ({exc})") from exc


class Resolver:
    """Resolves host names into :class:`SiteProfile` objects. Use it as an async context manager."""

    def __init__(
        self,
        settings: ResolverSettings,
        *,
        http: httpx.AsyncClient | None = None,
        cache: TTLCache | None = None,
        catalogue: CdnCatalogue | None = None,
        limiter_factory: LimiterFactory | None = None,
    ) -> None:
        self.settings = settings
        self._own_http = http is None
        self._http = http
        self.cache: TTLCache = cache or MemoryCache(settings.cache_ttl_seconds)
        self.catalogue = catalogue or load_cdn_catalogue(settings.catalogue_path)
        # Shared limits when a Redis URL is set (several workers), else per process.
        self._shared_limits: RedisLimiters | None = None
        if limiter_factory is None and settings.shared_limits_url:
            self._shared_limits = RedisLimiters(settings.shared_limits_url, settings.shared_limits_prefix)
        self.limiters = Limiters(settings, limiter_factory or self._shared_limits or local_limiter)
        self.dns = DnsClient(settings)
        self.cymru = CymruClient(self.dns, settings, self.cache)
        self._rdap: RdapClient | None = None
        self._whois_requests = 0

    async def __aenter__(self) -> Resolver:
        if self._http is None:
            self._http = make_http_client(self.settings)
        self._rdap = RdapClient(self.settings, self._http, self.limiters, self.cache)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._own_http and self._http is not None:
            await self._http.aclose()
        if self._shared_limits is not None:
            await self._shared_limits.aclose()

    @property
    def rdap(self) -> RdapClient:
        if self._rdap is None:
            raise RuntimeError("use the Resolver as `async with Resolver(settings) as r:`")
        return self._rdap

    async def _hosting(self, ip: str, failures: list[Failure]) -> tuple[Hosting, list[AbuseContact]]:
        # The origin lookup first (a DNS question, cached by prefix): its announced prefix lets the
        # addresses of one hosting network share one RDAP request (RdapClient.network).
        hosting = await self.cymru.lookup(ip, failures)
        network, url = await self.rdap.network(ip, failures, hosting.prefix)
        contacts: list[AbuseContact] = []
        if network is not None:
            hosting.network_name = network.name
            hosting.network_handle = network.handle
            hosting.network_cidr = network.cidr
            hosting.organisation = network.organisation
            hosting.country = hosting.country or network.country
            hosting.rdap_url = url
            org = network.organisation or network.name
            contacts += [
                AbuseContact(party="host", organisation=org, kind="email", value=e, source=url or "rdap")
                for e in network.abuse_emails
            ]
            contacts += [
                AbuseContact(party="host", organisation=org, kind="phone", value=p, source=url or "rdap")
                for p in network.abuse_phones[:1]
            ]
        return hosting, contacts

    async def _registration(
        self, registrable: str, failures: list[Failure]
    ) -> tuple[Registration | None, list[AbuseContact]]:
        rdap_failures: list[Failure] = []
        facts, url = await self.rdap.domain(registrable, rdap_failures)
        if facts is None:
            registration, emails, server = await whois_registration(self.settings, registrable, failures)
            self._whois_requests += server is not None
            if registration is not None:
                # RDAP had nothing (no server for the TLD, or a broken one): WHOIS stands in.
                failures += [f for f in rdap_failures if f.kind != "unsupported"]
                contacts = [
                    AbuseContact(
                        party="registrar",
                        organisation=registration.registrar,
                        kind="email",
                        value=e,
                        source=f"whois:{server}",
                    )
                    for e in emails
                ]
                return registration, contacts
            failures += rdap_failures
            return None, []
        failures += rdap_failures
        registration = Registration(
            domain=registrable,
            source="rdap",
            registry_url=url,
            registrar=facts.registrar,
            registrar_iana_id=facts.registrar_iana_id,
            registrar_url=facts.registrar_url,
            created=facts.created,
            updated=facts.updated,
            expires=facts.expires,
            statuses=facts.statuses,
            nameservers=facts.nameservers,
        )
        source = (facts.related[0] if facts.related and facts.abuse_emails else url) or "rdap"
        contacts = [
            AbuseContact(party="registrar", organisation=facts.registrar, kind="email", value=e, source=source)
            for e in facts.abuse_emails
        ]
        contacts += [
            AbuseContact(party="registrar", organisation=facts.registrar, kind="phone", value=p, source=source)
            for p in facts.abuse_phones[:1]
        ]
        return registration, contacts

    async def _reverse_names(self, addresses: list[str]) -> dict[str, str]:
        """PTR names of `addresses` (a CDN signal). Most addresses have none: that is no failure."""

        async def one(ip: str) -> tuple[str, str | None]:
            records = await self.dns.query(ipaddress.ip_address(ip).reverse_pointer, "PTR", [], stage="rdns")
            return ip, records[0].value.rstrip(".") if records else None

        found = await asyncio.gather(*(one(ip) for ip in addresses[:8]))
        return {ip: name for ip, name in found if name}

    def _probe_client(self, resolve: Callable[[str], Awaitable[list[str]]] | None = None) -> httpx.AsyncClient:
        # Certificates are not verified: pirate sites serve broken ones, and we read them anyway.
        return make_http_client(self.settings, resolve or self.dns.addresses, verify=False)

    async def _probe(self, client: httpx.AsyncClient, host: str, failures: list[Failure]) -> HttpProbe | None:
        return await probe_site(
            client,
            host,
            https_port=self.settings.probe_https_port,
            http_port=self.settings.probe_http_port,
            max_redirects=self.settings.probe_max_redirects,
            max_bytes=self.settings.probe_max_bytes,
            registrable=registrable_domain,
            failures=failures,
        )

    async def _origin(
        self,
        host: str,
        registrable: str,
        dns_result: DnsResult,
        cdn: CdnMatch,
        reference: HttpProbe,
        history: list[str],
        failures: list[Failure],
    ) -> list[OriginCandidate]:
        found = await origin_candidates(
            self.dns,
            host,
            registrable,
            dns_result,
            self.settings.origin_subdomains,
            history,
            self.catalogue.by_name(cdn.provider),
        )

        def client_for(ip: str) -> httpx.AsyncClient:
            async def pinned(_: str) -> list[str]:
                return [ip]

            return self._probe_client(pinned)

        async def probe_with(client: httpx.AsyncClient) -> HttpProbe | None:
            return await self._probe(client, host, [])

        return [await confirm(c, reference, client_for, probe_with, failures) for c in found[:10]]

    async def resolve(self, domain: str, *, history: list[str] | None = None) -> SiteProfile:
        """Resolve one host name. Failures along the way are recorded on the profile.

        `history` lists addresses the site used before (origin candidates behind a CDN). `domain`
        may be a URL or ``host:port`` (see :func:`resolver.names.host_name`); what names no host
        raises :class:`InvalidDomainError`.
        """
        host = host_name(domain)
        registrable = registrable_domain(host)
        failures: list[Failure] = []
        dns_result = await self.dns.lookup(host, failures)
        hosting_results = await asyncio.gather(*(self._hosting(ip, failures) for ip in dns_result.addresses))
        registration, registrar_contacts = await self._registration(registrable, failures)
        hosting = [h for h, _ in hosting_results]
        contacts = [c for _, cs in hosting_results for c in cs] + registrar_contacts
        http: HttpProbe | None = None
        if self.settings.probe and dns_result.addresses:
            async with self._probe_client() as client:
                http = await self._probe(client, host, failures)
        reverse_names = await self._reverse_names(dns_result.addresses) if self.settings.reverse_dns else {}
        cdn = detect(
            self.catalogue, dns_result, hosting, headers=http.headers if http else None, reverse_names=reverse_names
        )
        origins: list[OriginCandidate] = []
        if cdn is not None and http is not None and self.settings.find_origin:
            origins = await self._origin(host, registrable, dns_result, cdn, http, history or [], failures)
        siblings: list[str] = []
        if http is not None:
            names = [*http.hops_to, *(http.tls.sans if http.tls else [])]
            for name in names:
                try:
                    other = registrable_domain(name.lstrip("*."))
                except InvalidDomainError:
                    continue
                if other != registrable and other not in siblings and not self._is_provider_name(name):
                    siblings.append(other)
        if cdn is not None:
            provider = self.catalogue.by_name(cdn.provider)
            for channel in provider.abuse if provider else []:
                contacts.append(
                    AbuseContact(
                        party="cdn",
                        organisation=cdn.provider,
                        kind=channel.kind,
                        value=channel.value,
                        source="catalogue",
                    )
                )
        unique: dict[tuple[str, str, str], AbuseContact] = {}
        for c in contacts:
            unique.setdefault((c.party, c.kind, c.value), c)
        return SiteProfile(
            domain=host,
            registrable_domain=registrable,
            resolved_at=dt.datetime.now(dt.UTC),
            dns=dns_result,
            hosting=hosting,
            cdn=cdn,
            registration=registration,
            http=http,
            siblings=siblings,
            origin_candidates=origins,
            abuse_contacts=list(unique.values()),
            failures=failures,
        )

    def stats(self) -> ResolverStats:
        """What this resolver did so far: requests, cache hits and misses, rate-limit waits."""
        rdap = self._rdap
        return ResolverStats(
            dns_queries=self.dns.queries,
            rdap_requests=sum(rdap.requests.values()) if rdap else 0,
            whois_requests=self._whois_requests,
            cache_hits=self.cymru.lookup_hits + (rdap.lookup_hits if rdap else 0),
            cache_misses=self.cymru.lookup_misses + (rdap.lookup_misses if rdap else 0),
            local_waits=self.limiters.waits,
            local_wait_seconds=self.limiters.wait_seconds,
            server_waits=rdap.retry_waits if rdap else 0,
            server_wait_seconds=rdap.retry_wait_seconds if rdap else 0.0,
        )

    def _is_provider_name(self, name: str) -> bool:
        """A certificate name that belongs to a CDN (a shared certificate), not to the site."""
        name = name.lower().lstrip("*.")
        return any(suffix_match(name, p.cname_suffixes) for p in self.catalogue.providers) or name.endswith(
            ("cloudflaressl.com", "cloudflare.com")
        )

    async def resolve_many(
        self,
        domains: Iterable[str],
        concurrency: int = 50,
        on_resolved: Callable[[SiteProfile, float], None] | None = None,
    ) -> list[SiteProfile]:
        """Resolve many host names, at most `concurrency` at once, sharing caches and limits.

        `on_resolved` is called with each profile and the seconds its resolution took. Every name gets
        a profile: one that names no host gets a profile with an ``input`` failure, and anything that
        goes wrong resolving one name is a failure on that name's profile alone, never the batch's.
        """
        semaphore = asyncio.Semaphore(concurrency)

        async def one(name: str) -> SiteProfile:
            async with semaphore:
                start = time.perf_counter()
                try:
                    profile = await self.resolve(name)
                except InvalidDomainError as exc:
                    profile = failed_profile(name, "input", "malformed", str(exc))
                except Exception as exc:
                    logger.exception("resolving %r failed", scrub(name, max_length=200))
                    profile = failed_profile(name, "resolve", "internal_error", f"{type(exc).__name__}: {exc}")
                if on_resolved is not None:
                    on_resolved(profile, time.perf_counter() - start)
                return profile

        return list(await asyncio.gather(*(one(d) for d in domains)))
