"""Every RDAP read is bounded as a whole: a deadline, a byte cap, redirects followed under the guard."""

from __future__ import annotations

import copy
import json
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from lab.rdap_server import Script
from resolver import Resolver
from tests.resolver.hostile_lab import hostile_lab, zone


@pytest.fixture
def google(shared_testdata: Path) -> dict[str, Any]:
    return json.loads((shared_testdata / "rdap" / "domain" / "google.com.json").read_text())  # type: ignore[no-any-return]


async def test_a_dripping_server_fails_at_the_deadline(google: dict[str, Any], tmp_path: Path) -> None:
    with hostile_lab(["drip.com"], tmp_path) as lab:
        lab.rdap.domains["drip.com"] = google
        lab.rdap.scripts["/domain/drip.com"] = Script(drip=0.5)
        async with Resolver(lab.settings(rdap_read_deadline_seconds=2.0, http_timeout=1.0)) as r:
            start = time.monotonic()
            profile = await r.resolve("drip.com")
            took = time.monotonic() - start
    timeouts = [f for f in profile.failures if (f.stage, f.kind) == ("rdap_domain", "timeout")]
    assert timeouts and "no whole answer within 2 s" in timeouts[0].message
    assert took < 8  # each byte came well within http_timeout: only the whole-read deadline ends it
    assert lab.rdap.hits["/domain/drip.com"] == 1  # a read past its deadline is not tried again


async def test_a_huge_answer_stops_at_the_cap_without_the_memory(tmp_path: Path) -> None:
    with hostile_lab(["huge.com"], tmp_path) as lab:
        lab.rdap.domains["huge.com"] = {}
        lab.rdap.scripts["/domain/huge.com"] = Script(huge_bytes=200 * 1024 * 1024)
        async with Resolver(lab.settings(rdap_max_bytes=1024 * 1024)) as r:
            tracemalloc.start()
            try:
                profile = await r.resolve("huge.com")
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    too_large = [f for f in profile.failures if f.kind == "too_large"]
    assert too_large and "more than 1,048,576 bytes" in too_large[0].message
    assert peak < 16 * 1024 * 1024, f"peak {peak:,} bytes"
    assert profile.registration is None


async def test_redirects_are_followed_under_the_guard_and_bounded(google: dict[str, Any], tmp_path: Path) -> None:
    names = ["moved.com", "loop.com", "far.com", "metadata.com", "ftp.com"]
    with hostile_lab(names, tmp_path) as lab:
        base = lab.rdap.base_url
        lab.rdap.domains["google.com"] = google
        lab.rdap.scripts.update(
            {
                "/domain/moved.com": Script(redirect_to="/domain/google.com", redirect_status=301),
                "/domain/loop.com": Script(redirect_to=f"{base}/domain/loop2.com"),
                "/domain/loop2.com": Script(redirect_to=f"{base}/domain/loop.com"),
                "/domain/far.com": Script(redirect_to="/domain/far1.com"),
                "/domain/far1.com": Script(redirect_to="/domain/far2.com"),
                "/domain/far2.com": Script(redirect_to="/domain/far3.com"),
                "/domain/far3.com": Script(redirect_to="/domain/google.com"),
                "/domain/metadata.com": Script(redirect_to="http://169.254.169.254/latest/meta-data/"),
                "/domain/ftp.com": Script(redirect_to="ftp://127.0.0.1/answer.json"),
            }
        )
        async with Resolver(lab.settings(rdap_max_redirects=2)) as r:
            profiles = {p.domain: p for p in await r.resolve_many(names)}
    moved = profiles["moved.com"]
    assert moved.registration is not None and moved.registration.registrar == "MarkMonitor Inc."
    assert lab.rdap.hits["/domain/google.com"] == 1  # only moved.com got there: far.com ran out of hops

    def failure(name: str) -> tuple[str, str]:
        found = [f for f in profiles[name].failures if f.stage == "rdap_domain"]
        assert found, profiles[name].failures
        return found[0].kind, found[0].message

    assert failure("loop.com")[0] == "http_error" and "loop" in failure("loop.com")[1]
    assert failure("far.com")[0] == "http_error" and "more than 2 redirects" in failure("far.com")[1]
    assert failure("metadata.com")[0] == "blocked_address" and "169.254.169.254" in failure("metadata.com")[1]
    assert failure("ftp.com")[0] == "malformed" and "http://" in failure("ftp.com")[1]


async def test_the_registrars_server_is_held_to_the_same_limits(google: dict[str, Any], tmp_path: Path) -> None:
    with hostile_lab(["thin.com"], tmp_path) as lab:
        answer = copy.deepcopy(google)
        answer["links"] = [
            {"rel": "related", "type": "application/rdap+json", "href": f"{lab.rdap.base_url}/domain/registrar.com"}
        ]
        lab.rdap.domains["thin.com"] = answer
        lab.rdap.domains["registrar.com"] = google
        lab.rdap.scripts["/domain/registrar.com"] = Script(drip=0.5)
        async with Resolver(lab.settings(rdap_read_deadline_seconds=1.5)) as r:
            profile = await r.resolve("thin.com")
    assert any((f.stage, f.kind) == ("rdap_registrar", "timeout") for f in profile.failures)
    assert profile.registration is not None and profile.registration.registrar == "MarkMonitor Inc."


async def test_addresses_in_every_cidr_of_a_network_share_one_request(shared_testdata: Path, tmp_path: Path) -> None:
    answers = json.loads((shared_testdata / "rdap" / "ip" / "ipwhois-rdap-responses.json").read_text())
    network = answers["74.125.225.229"]["response"]
    network["startAddress"], network["endAddress"] = "203.0.113.0", "203.0.113.255"
    network["cidr0_cidrs"] = [{"v4prefix": f"203.0.113.{n * 64}", "length": 26} for n in range(4)]
    addresses = [f"203.0.113.{n * 32 + 5}" for n in range(8)]
    names = [f"net{i}.com" for i in range(8)]
    zones = [zone(n, a) for n, a in zip(names, addresses, strict=True)]
    with hostile_lab([], tmp_path, zones) as lab:
        for address in addresses:
            lab.rdap.ips[address] = network
        async with Resolver(lab.settings()) as r:
            first = await r.resolve(names[0])  # the network is cached under each of its four blocks
            rest = await r.resolve_many(names[1:])
    assert first.hosting[0].network_cidr == "203.0.113.0/24"
    assert all(p.hosting[0].network_name == network["name"] for p in rest)
    assert sum(lab.rdap.hits[f"/ip/{a}"] for a in addresses) == 1


async def test_a_declared_length_over_the_cap_is_refused_before_reading(tmp_path: Path) -> None:
    body = b'{"objectClassName": "domain", "ldhName": "long.com", "x": "' + b"y" * 2_000_000 + b'"}'
    with hostile_lab(["long.com"], tmp_path) as lab:
        lab.rdap.domains["long.com"] = body
        async with Resolver(lab.settings(rdap_max_bytes=1_000_000)) as r:
            profile = await r.resolve("long.com")
    too_large = [f.message for f in profile.failures if f.kind == "too_large"]
    assert too_large and f"declares {len(body):,} bytes (at most 1,000,000 are read)" in too_large[0]


async def test_addresses_of_one_announced_network_share_one_request_on_a_cold_cache(
    shared_testdata: Path, tmp_path: Path
) -> None:
    """Eight sites in eight /24s of one /16 network, announced as that /16, resolved at once on a cold cache:
    one RDAP request, not one per /24. An address of the prefix that the answer does not cover (another
    network inside the announcement) still gets its own network, one request later."""
    from lab.dns_server import DnsServer
    from lab.rdap_server import RdapServer

    answers = json.loads((shared_testdata / "rdap" / "ip" / "ipwhois-rdap-responses.json").read_text())
    wide = copy.deepcopy(answers["74.125.225.229"]["response"])
    wide.pop("cidr0_cidrs", None)
    wide["startAddress"], wide["endAddress"], wide["name"] = "203.0.0.0", "203.0.127.255", "WIDE-NET"
    other = copy.deepcopy(wide)
    other["startAddress"], other["endAddress"], other["name"] = "203.0.200.0", "203.0.200.255", "OTHER-NET"
    addresses = [f"203.0.{n * 16}.5" for n in range(8)] + ["203.0.200.5"]
    names = [f"wide{i}.com" for i in range(len(addresses))]
    origin = "$TTL 300\n@ SOA ns.cymru.com. x.cymru.com. 1 900 900 1800 60\n" + "".join(
        f'{".".join(reversed(a.split(".")))} TXT "64500 | 203.0.0.0/16 | JP | apnic | 2010-01-01"\n' for a in addresses
    )
    zones = [zone(n, a) for n, a in zip(names, addresses, strict=True)] + [("origin.asn.cymru.com.", origin)]
    rdap = RdapServer(tlds=["com"], ip_networks=["203.0.0.0/16"])
    for address in addresses:
        rdap.ips[address] = other if address == "203.0.200.5" else wide
        rdap.scripts[f"/ip/{address}"] = Script(delay=0.3)  # every lookup is under way when the others start
    from tests.resolver.hostile_lab import HostileLab

    with DnsServer(zones) as dns_server, rdap.serve():
        lab = HostileLab(dns_server, rdap, rdap.write_bootstrap(tmp_path))
        async with Resolver(lab.settings()) as r:
            profiles = await r.resolve_many(names, concurrency=len(names))
    assert [p.hosting[0].prefix for p in profiles] == ["203.0.0.0/16"] * len(names)
    assert [p.hosting[0].network_name for p in profiles] == ["WIDE-NET"] * 8 + ["OTHER-NET"]
    assert sum(rdap.hits[f"/ip/{a}"] for a in addresses) == 2  # one for the wide network, one for the other


def test_an_announced_prefix_is_used_only_when_it_holds_the_address_and_is_of_a_usable_width() -> None:
    from resolver.cache import announced_group

    assert announced_group("203.0.16.5", "203.0.0.0/16") == "203.0.0.0/16"
    assert announced_group("2001:db8:1::1", "2001:db8::/32") == "2001:db8::/32"
    for hostile in (None, "", "garbage", "0.0.0.0/0", "203.0.16.0/24", "198.51.0.0/16", "2001:db8::/32", "1.0.0.0/7"):
        assert announced_group("203.0.16.5", hostile) is None, hostile
