"""The resolver end to end against the lab: real DNS over UDP/TCP, RDAP answers captured from real
registries served unchanged over HTTP, and WHOIS over TCP."""

from __future__ import annotations

import json
from typing import Any

import pytest

import resolver
from resolver import Resolver, SiteProfile


async def resolve(lab: Any, name: str, **overrides: object) -> SiteProfile:
    async with Resolver(lab.settings(**overrides)) as r:
        return await r.resolve(name)


async def test_gtld_domain_registrar_host_and_abuse_contacts(lab: Any) -> None:
    profile = await resolve(lab, "google.com")
    assert profile.registrable_domain == "google.com"
    assert [r.value for r in profile.dns.a] == ["74.125.225.229"]
    assert profile.dns.spf_ip4 == ["74.125.0.0/16"]
    assert sorted(r.value for r in profile.dns.ns) == ["ns1.google.com", "ns2.google.com"]
    reg = profile.registration
    assert reg is not None and reg.source == "rdap"
    assert (reg.registrar, reg.registrar_iana_id) == ("MarkMonitor Inc.", "292")
    assert reg.created is not None and reg.created.year == 1997
    assert "client delete prohibited" in reg.statuses
    v4 = next(h for h in profile.hosting if h.ip == "74.125.225.229")
    assert (v4.asns, v4.prefix, v4.country, v4.registry, v4.as_name) == (
        [15169],
        "74.125.225.0/24",
        "US",
        "arin",
        "GOOGLE, US",
    )
    assert v4.organisation == "Google Inc."
    contacts = {(c.party, c.kind, c.value) for c in profile.abuse_contacts}
    assert ("registrar", "email", "abusecomplaints@markmonitor.com") in contacts  # nested in the registrar
    assert ("host", "email", "arin-contact@google.com") in contacts  # nested in the ARIN organisation
    assert profile.cdn is None
    assert profile.failures == []
    assert SiteProfile.model_validate(json.loads(profile.model_dump_json())) == profile


async def test_ipv6_hosting(lab: Any) -> None:
    profile = await resolve(lab, "google.com")
    v6 = next(h for h in profile.hosting if h.ip == "2001:4860:4860::8888")
    assert v6.asns == [15169] and v6.prefix == "2001:4860::/32"
    assert v6.network_name == "GOOGLE-IPV6"


def test_malformed_rdap_is_a_recorded_failure(lab: Any) -> None:
    import asyncio

    profile = asyncio.run(resolve(lab, "broken-rdap.com"))
    malformed = [f.message for f in profile.failures if (f.stage, f.kind) == ("rdap_domain", "malformed")]
    # each wrong member is a failure naming the server and the field; what is readable is still read
    assert any(m.endswith("entities[4].entities: an object, expected an array of objects") for m in malformed)
    assert all(m.startswith(lab.rdap_url + "/domain/broken-rdap.com: ") for m in malformed)
    assert profile.registration is not None and profile.registration.statuses == ["active"]
    assert profile.registration.created is not None and profile.registration.created.year == 2023
    # several Cymru answers for one address: the most specific prefix wins, both origin ASNs kept
    hosting = profile.hosting[0]
    assert (hosting.asns, hosting.prefix) == ([20738, 20773], "198.51.100.0/24")


async def test_429_is_retried_after_retry_after(lab: Any) -> None:
    profile = await resolve(lab, "pirate-cf.com")
    assert profile.registration is not None and profile.registration.registrar == "NAMECHEAP INC"
    assert not [f for f in profile.failures if f.stage == "rdap_domain"]


async def test_cloudflare_by_addresses_and_name_servers(lab: Any) -> None:
    profile = await resolve(lab, "pirate-cf.com")
    assert profile.cdn is not None and profile.cdn.provider == "Cloudflare"
    kinds = {s.split(":")[0] for s in profile.cdn.signals}
    assert {"ip_range", "asn", "ns", "rdap_org"} - {"rdap_org"} <= kinds
    assert profile.cdn.confidence > 0.8
    assert any(c.party == "cdn" and c.kind == "form" for c in profile.abuse_contacts)


async def test_cloudflare_in_front_of_another_companys_addresses(lab: Any) -> None:
    # The CNAME goes through Cloudflare, but the address is announced by Cloudflare's AS here as
    # well as being a shop platform's block in real life; the CNAME signal alone must name it.
    profile = await resolve(lab, "www.shop-on-cf.com")
    assert profile.dns.cname_chain == ["shop-on-cf.com.cdn.cloudflare.net"]
    assert profile.cdn is not None and profile.cdn.provider == "Cloudflare"
    assert any(s.startswith("cname:") for s in profile.cdn.signals)


async def test_akamai_by_reverse_dns_alone(lab: Any) -> None:
    profile = await resolve(lab, "akamai-rdns.com")
    assert profile.cdn is not None and profile.cdn.provider == "Akamai"
    assert profile.cdn.signals == [
        "rdns:a198-51-100-77.deploy.static.akamaitechnologies.com (*.deploy.static.akamaitechnologies.com)"
    ]
    assert not any(f.stage == "rdns" for f in profile.failures)  # no PTR is no failure


async def test_cloudfront_by_cname_not_by_amazon_asn_alone(lab: Any) -> None:
    profile = await resolve(lab, "www.films-cloudfront.com")
    assert profile.cdn is not None and profile.cdn.provider == "Amazon CloudFront"
    assert any(s.startswith("cname:") for s in profile.cdn.signals)


async def test_caches_rdap_by_registrable_domain_and_network(lab: Any) -> None:
    before_domain = lab.rdap.hits["/domain/google.com"]
    before_ip = lab.rdap.hits["/ip/74.125.225.230"] + lab.rdap.hits["/ip/74.125.225.229"]
    async with Resolver(lab.settings()) as r:
        profiles = await r.resolve_many(["google.com", "www.google.com", "google.com"], concurrency=1)
    assert [p.registrable_domain for p in profiles] == ["google.com"] * 3
    assert lab.rdap.hits["/domain/google.com"] - before_domain == 1
    after_ip = lab.rdap.hits["/ip/74.125.225.230"] + lab.rdap.hits["/ip/74.125.225.229"]
    assert after_ip - before_ip == 1  # .230 is in the network learnt for .229


async def test_stats_count_requests_cache_hits_waits_and_time_per_domain(lab: Any) -> None:
    """What the crawlers turn into operation metrics: the resolver's own counts, and each domain's time."""
    timed: list[tuple[str, float]] = []
    async with Resolver(lab.settings()) as r:
        start = r.stats()
        await r.resolve_many(
            ["google.com", "www.google.com"],
            concurrency=1,
            on_resolved=lambda profile, seconds: timed.append((profile.domain, seconds)),
        )
        done = r.stats() - start
    assert [d for d, _ in timed] == ["google.com", "www.google.com"]
    assert all(seconds > 0 for _, seconds in timed)
    assert done.dns_queries >= 2 * 7  # CNAME, A, AAAA, NS, MX, TXT, SOA per domain, and Cymru
    # www.google.com finds google.com's registration and network in the cache
    assert done.cache_hits >= 2
    assert done.cache_misses >= 2 and done.rdap_requests >= 2  # google.com's registration and network, asked


async def test_lookups_under_way_are_shared_on_a_cold_cache(lab: Any) -> None:
    """Sites of one domain and one network resolved at once: one RDAP request each, not one per site."""
    before_domain = lab.rdap.hits["/domain/google.com"]
    before_ip = lab.rdap.hits["/ip/74.125.225.230"] + lab.rdap.hits["/ip/74.125.225.229"]
    async with Resolver(lab.settings()) as r:
        profiles = await r.resolve_many(["google.com", "www.google.com"] * 4, concurrency=8)
    assert all(p.registration is not None and p.hosting[0].network_name for p in profiles)
    assert lab.rdap.hits["/domain/google.com"] - before_domain == 1
    after_ip = lab.rdap.hits["/ip/74.125.225.230"] + lab.rdap.hits["/ip/74.125.225.229"]
    assert after_ip - before_ip == 1


async def test_ssrf_guard_blocks_loopback_rdap_unless_allowed(lab: Any) -> None:
    profile = await resolve(lab, "google.com", allow_networks=[])
    assert any(f.kind == "blocked_address" for f in profile.failures)
    assert profile.registration is None


async def test_dns_failures_are_recorded(lab: Any) -> None:
    async with Resolver(lab.settings()) as r:
        loop = await r.resolve("loop1.lab.test")
        missing = await r.resolve("nope.lab.test")
        broken = await r.resolve("broken.lab.test")
        lame = await r.resolve("lame.lab.test")
        slow = await r.resolve("slow.lab.test")
        big = await r.resolve("big.lab.test")
        deep = await r.resolve("deep0.lab.test")
    assert any(f.kind == "cname_loop" for f in loop.failures)
    assert any(f.kind == "nxdomain" for f in missing.failures)
    assert any(f.kind == "servfail" for f in broken.failures)
    assert any(f.kind == "servfail" for f in lame.failures)  # REFUSED from every server
    assert any(f.kind == "timeout" for f in slow.failures)
    assert [r.value for r in big.dns.txt] == ["x" * 250]  # truncated over UDP, fetched over TCP
    assert [r.value for r in deep.dns.a] == ["192.0.2.44"] and len(deep.dns.cname_chain) == 4
    too_deep = await resolve(lab, "deep0.lab.test", cname_max_depth=2)
    assert any(f.kind == "cname_too_deep" for f in too_deep.failures)


def test_public_api_is_pinned() -> None:
    assert sorted(resolver.__all__) == sorted(
        [
            "AbuseContact",
            "AddressGuard",
            "BlockedAddressError",
            "CdnCatalogue",
            "CdnCatalogueRefreshError",
            "CdnMatch",
            "DnsRecord",
            "DnsResult",
            "Failure",
            "Hosting",
            "InfraChange",
            "InvalidDomainError",
            "Provider",
            "RateLimit",
            "Registration",
            "Resolver",
            "ResolverError",
            "ResolverSettings",
            "ResolverStats",
            "SiteProfile",
            "detect",
            "diff_profiles",
            "guarded_transport",
            "load_cdn_catalogue",
            "registrable_domain",
        ]
    )


def test_invalid_domain_is_refused() -> None:
    with pytest.raises(resolver.InvalidDomainError):
        resolver.registrable_domain("localhost")
