"""The two DNS clients (c-ares, the default, and dnspython) give the same records and record the same
failures, question by question, for every name of the lab's zones and its misbehaving names."""

from __future__ import annotations

import time
from collections.abc import Iterator

import dns.name
import dns.zone
import pytest

from lab.dns_server import DnsServer
from resolver import ResolverSettings
from resolver.dns import DnsClient
from resolver.models import DnsResult, Failure
from tests.resolver.conftest import BEHAVIOURS, ZONES

TYPES = ("A", "AAAA", "CNAME", "NS", "MX", "TXT", "SOA", "PTR")
#: names outside the zones (refused by the lab server), absent names, and the scripted misbehaviours
#: (each question is asked once per client: c-ares keeps answers for their TTL and would give a
#: repeated question's TTL as it counts down)
EXTRA = ["nothing-here.lab.test", "elsewhere.example", "broken.lab.test", "lame.lab.test"]


@pytest.fixture(scope="module")
def server() -> Iterator[DnsServer]:
    with DnsServer(ZONES, behaviours=BEHAVIOURS) as s:
        yield s


def _settings(server: DnsServer, client: str) -> ResolverSettings:
    return ResolverSettings(
        nameservers=[server.host], dns_port=server.port, dns_timeout=0.5, dns_lifetime=1.5, dns_client=client
    )


def _zone_names() -> list[str]:
    names = []
    for origin, text in ZONES:
        zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
        names += [n.to_text(omit_final_dot=True) for n in zone.nodes]
    return sorted(set(names))


async def _answers(client: DnsClient, names: list[str]) -> dict[tuple[str, str], tuple[object, ...]]:
    out: dict[tuple[str, str], tuple[object, ...]] = {}
    for name in names:
        for rdtype in TYPES:
            failures: list[Failure] = []
            records = await client.query(name, rdtype, failures)
            out[(name, rdtype)] = (
                sorted((r.type, r.value, r.ttl) for r in records),
                [(f.stage, f.target, f.kind) for f in failures],
            )
    return out


async def test_both_clients_give_the_same_records_and_failures(server: DnsServer) -> None:
    names = sorted(set(_zone_names() + EXTRA))
    fast = DnsClient(_settings(server, "c-ares"))
    slow = DnsClient(_settings(server, "dnspython"))
    assert fast._cares is not None and slow._cares is None  # each really takes its own path
    before = server.queries
    fast_answers = await _answers(fast, names)
    cares_queries = server.queries - before
    slow_answers = await _answers(slow, names)
    fast.close()
    assert cares_queries >= len(names) * len(TYPES)  # c-ares asked the server, it answered nothing itself
    differing = {k: (fast_answers[k], slow_answers[k]) for k in fast_answers if fast_answers[k] != slow_answers[k]}
    assert differing == {}
    # the comparison covers real answers of every kind, and failures of every kind
    assert sum(1 for records, _ in fast_answers.values() if records) >= 40
    kinds = {kind for _, failures in fast_answers.values() for *_, kind in failures}
    assert {"nxdomain", "servfail"} <= kinds
    assert fast_answers[("google.com", "SOA")][0] == [
        ("SOA", "ns1.google.com. dns-admin.google.com. 1 900 900 1800 60", 300)
    ]
    assert fast_answers[("lab.test", "TXT")][0] == []  # the apex has no TXT: no data, no failure
    assert fast_answers[("big.lab.test", "TXT")][0] == [("TXT", "x" * 250, 300)]  # truncated over UDP: TCP


@pytest.mark.parametrize("client", ["c-ares", "dnspython"])
async def test_timeout_is_bounded_by_the_lifetime_and_recorded(server: DnsServer, client: str) -> None:
    dns_client = DnsClient(_settings(server, client))
    failures: list[Failure] = []
    start = time.monotonic()
    assert await dns_client.query("slow.lab.test", "A", failures) == []
    took = time.monotonic() - start
    dns_client.close()
    assert [(f.kind, f.message) for f in failures] == [("timeout", "no answer within 1.5 s")]
    assert took < 1.5 + 0.5  # the lifetime, not c-ares's own retry schedule


@pytest.mark.parametrize("client", ["c-ares", "dnspython"])
async def test_names_that_cannot_be_asked_are_malformed_not_crashes(server: DnsServer, client: str) -> None:
    dns_client = DnsClient(_settings(server, client))
    failures: list[Failure] = []
    assert await dns_client.query("a" * 64 + ".lab.test", "A", failures) == []
    dns_client.close()
    assert [f.kind for f in failures] == ["malformed"]


async def test_lookup_is_identical_through_both_clients(server: DnsServer) -> None:
    results: list[DnsResult] = []
    for client in ("c-ares", "dnspython"):
        dns_client = DnsClient(_settings(server, client))
        for name in ("google.com", "www.films-cloudfront.com", "loop1.lab.test", "deep0.lab.test", "broken.lab.test"):
            failures: list[Failure] = []
            result = await dns_client.lookup(name, failures)
            results.append(result)
            assert all(f.stage == "dns" for f in failures)
        dns_client.close()
    fast, slow = results[:5], results[5:]
    assert [_unordered(r) for r in fast] == [_unordered(r) for r in slow]
    assert fast[1].cname_chain == ["d111111abcdef8.cloudfront.net"] and fast[1].a[0].value == "13.224.1.1"


def _unordered(result: DnsResult) -> dict[str, object]:
    """The result with each record list sorted: the order of an RRset's records means nothing (RFC 2181 §5)."""
    dumped = result.model_dump()
    return {k: sorted(v, key=str) if isinstance(v, list) and k != "cname_chain" else v for k, v in dumped.items()}


def test_the_default_client_is_c_ares() -> None:
    assert ResolverSettings().dns_client == "c-ares"
    assert dns.name.from_text("x.test")  # dnspython stays: names and zones are still parsed with it
