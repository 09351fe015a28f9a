"""WHOIS fallback on real captured answers, rate limits, quota warnings, IPv6 transport."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lab.dns_server import DnsServer
from lab.rdap_server import RdapServer, Script
from resolver import Resolver, ResolverSettings
from resolver.whois import parse_whois, whois_registration

# TLDs whose captured answers name a registrar, checked against the expected fields that come with them.
WHOIS_CASES = ["abc.xyz", "amazon.co.uk", "allegro.pl", "cbc.ca", "app.nl"]


@pytest.mark.parametrize("domain", WHOIS_CASES)
def test_whois_parser_reads_the_expected_fields(shared_testdata: Path, domain: str) -> None:
    raw = shared_testdata / "whois" / "raw" / domain
    expected_file = shared_testdata / "whois" / "expected" / domain
    if not raw.exists() or not expected_file.exists():
        pytest.skip(f"no captured WHOIS answer for {domain}")
    expected = json.loads(expected_file.read_text())
    registration, _ = parse_whois(domain, raw.read_text("utf-8", "replace"))
    if expected.get("registrar"):
        want = expected["registrar"][0] if isinstance(expected["registrar"], list) else expected["registrar"]
        assert registration.registrar == want
    if expected.get("creation_date"):
        created = expected["creation_date"]
        created = created[0] if isinstance(created, list) else created
        assert registration.created is not None
        assert registration.created.date().isoformat() == created[:10]


async def test_whois_fallback_over_port_43(lab: Any, whois_server: Any, shared_testdata: Path) -> None:
    settings = lab.settings(whois_servers={"pl": f"127.0.0.1:{whois_server.port}"})
    failures: list[Any] = []
    registration, _emails, server = await whois_registration(settings, "allegro.pl", failures)
    assert failures == [] and server is not None
    assert registration is not None and registration.source == "whois"
    assert registration.registrar
    assert whois_server.queries == ["allegro.pl"]


async def test_whois_server_down_is_a_failure(lab: Any) -> None:
    settings = lab.settings(whois_servers={"pl": "127.0.0.1:9"}, whois_timeout=1)
    failures: list[Any] = []
    registration, _, _ = await whois_registration(settings, "allegro.pl", failures)
    assert registration is None and failures[0].kind == "network_error"


async def test_429_storm_ends_as_rate_limited(lab: Any, shared_testdata: Path, tmp_path: Path) -> None:
    storm = RdapServer(
        domains={"google.com": shared_testdata / "rdap" / "domain" / "google.com.json"},
        tlds=["com"],
        scripts={"/domain/google.com": Script(status_first=429, times=100, retry_after="0.2")},
    )
    with storm.serve():
        settings = lab.settings(rdap_bootstrap_files=[storm.write_bootstrap(tmp_path)], http_retries=3)
        async with Resolver(settings) as r:
            profile = await r.resolve("google.com")
    assert any(f.stage == "rdap_domain" and f.kind == "rate_limited" for f in profile.failures)
    assert storm.hits["/domain/google.com"] == 4  # first try and three retries, no more


async def test_quota_warning_inside_a_200(lab: Any, shared_testdata: Path, tmp_path: Path) -> None:
    answer = json.loads((shared_testdata / "rdap" / "domain" / "google.com.json").read_text())
    answer["notices"] = [*answer.get("notices", []), {"title": "Rate limit", "description": ["Quota exceeded soon"]}]
    server = RdapServer(domains={"google.com": answer}, tlds=["com"])
    with server.serve():
        settings = lab.settings(rdap_bootstrap_files=[server.write_bootstrap(tmp_path)])
        async with Resolver(settings) as r:
            profile = await r.resolve("google.com")
    assert any(f.kind == "quota_warning" for f in profile.failures)
    assert profile.registration is not None  # the answer itself is still used


async def test_dns_server_on_ipv6_loopback() -> None:
    zone = "$TTL 60\n@ SOA ns.v6.test. x.v6.test. 1 60 60 60 60\n@ AAAA 2001:db8::1\n@ A 192.0.2.1\n"
    try:
        server = DnsServer([("v6.test.", zone)], host="::1").start()
    except RuntimeError as exc:
        pytest.skip(f"no IPv6 loopback on this machine: {exc}")
    try:
        settings = ResolverSettings(
            nameservers=["::1"], dns_port=server.port, dns_lifetime=2, rdap_bootstrap_offline=True
        )
        async with Resolver(settings) as r:
            profile = await r.resolve("v6.test")
    finally:
        server.stop()
    assert profile.dns.addresses == ["192.0.2.1", "2001:db8::1"]
