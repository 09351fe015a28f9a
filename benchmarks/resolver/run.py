"""Resolver benchmark: 10,000 synthetic domains (see :mod:`benchmarks.resolver.world`) resolved end
to end against the lab DNS and RDAP servers on loopback, and a bare dnspython query loop against
the same DNS server, at the same concurrency, as the ceiling.

The lab servers run in their own processes so that the figures measure the resolver, not a server
sharing its interpreter. The HTTP probe is disabled: the synthetic zones name public addresses and
the benchmark never leaves loopback. RDAP rate limits are lifted (the servers are local) so that
the figures show the work done, and the RDAP request counts are taken on the server side.

Targets (issue): DNS stage >= 300 sites/s and >= 60 % of the bare loop's query rate; one RDAP
request per distinct network per cache period (and per registrable domain, the key registrations
are cached by); peak memory <= 500 MB.
Run: ``./run bench resolver`` (DOMAINS=2000 for a quicker look; CONCURRENCY to change the 50).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import dns.asyncquery
import dns.exception
import dns.message

from benchmarks.resolver.world import Network, World, build, domain_answer, network_answer
from lab.dns_server import DnsServer
from lab.rdap_server import RdapServer
from resolver import Resolver, ResolverSettings

DOMAINS = int(os.environ.get("DOMAINS", "10000"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "50"))
#: how many sites are resolved a second time with warm caches (no RDAP request expected)
REPEAT = min(1000, DOMAINS)


# -- the lab servers, each in its own process ------------------------------------------------------


def _dns_process(n: int, conn: Connection) -> None:
    world = build(n)
    server = DnsServer(world.zones).start()
    conn.send(server.port)
    while conn.recv() == "count":
        conn.send(server.queries)
    server.stop()


class _Generated(dict[str, Any]):
    """A table of the lab RDAP server whose answers are made when asked (nothing is stored)."""

    def __init__(self, world: World, server: RdapServer, kind: str) -> None:
        super().__init__()
        self.world, self.server, self.kind = world, server, kind

    def get(self, key: str, default: Any = None) -> Any:
        if self.kind == "ip":
            network: Network | None = self.world.network_of.get(key)
            return network_answer(network) if network else default
        if self.kind == "domain":
            site = self.world.site_of.get(key)
            return domain_answer(site, self.server.base_url, from_registrar=False) if site else default
        # entity/<registrar>/domain/<name>: the registrar's own RDAP answer for one of its domains
        registrar, _, name = key.partition("/domain/")
        site = self.world.site_of.get(name)
        if site is None or site.registrar.slug != registrar:
            return default
        return domain_answer(site, self.server.base_url, from_registrar=True)


def _rdap_process(n: int, directory: str, conn: Connection) -> None:
    world = build(n)
    rdap = RdapServer(tlds=sorted({s.registrable.rsplit(".", 1)[1] for s in world.sites}))
    rdap.ip_networks = sorted({n_.cidr for n_ in world.networks})
    rdap.domains = _Generated(world, rdap, "domain")
    rdap.ips = _Generated(world, rdap, "ip")
    rdap.entities = _Generated(world, rdap, "entity")
    with rdap.serve() as _:
        conn.send(str(rdap.write_bootstrap(Path(directory))))
        while conn.recv() == "count":
            # requests by kind (domain: the registry, entity: the registrar, ip: the RIR) and by path
            by_kind = Counter(path.strip("/").split("/")[0] for path in rdap.hits.elements())
            conn.send((dict(by_kind), len(rdap.hits), sum(1 for c in rdap.hits.values() if c > 1)))


def _ask(conn: Connection) -> Any:
    conn.send("count")
    return conn.recv()


# -- measurements ----------------------------------------------------------------------------------


async def bare_loop(questions: Iterable[tuple[str, str]], port: int) -> tuple[int, int, float]:
    """The same questions with nothing but dnspython: CONCURRENCY workers, one UDP query at a time each."""
    pending = iter(questions)
    done = failed = 0

    async def worker() -> None:
        nonlocal done, failed
        for name, rdtype in pending:  # one shared iterator: each question is asked once
            try:
                await dns.asyncquery.udp(dns.message.make_query(name, rdtype), "127.0.0.1", timeout=2.0, port=port)
            except dns.exception.Timeout:
                failed += 1
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return done, failed, time.perf_counter() - start


async def dns_stage(settings: ResolverSettings, world: World) -> tuple[int, int, float]:
    """The resolver's DNS stage (CNAME chain, A, AAAA, NS, MX, TXT, SOA) for every site."""
    semaphore = asyncio.Semaphore(CONCURRENCY)
    failures: list[Any] = []
    async with Resolver(settings) as r:

        async def one(host: str) -> None:
            async with semaphore:
                await r.dns.lookup(host, failures)

        start = time.perf_counter()
        await asyncio.gather(*(one(s.host) for s in world.sites))
        return r.dns.queries, len(failures), time.perf_counter() - start


async def end_to_end(
    settings: ResolverSettings, world: World, rdap: Connection
) -> tuple[dict[str, float], dict[str, Any]]:
    async with Resolver(settings) as r:
        start = time.perf_counter()
        profiles = await r.resolve_many([s.host for s in world.sites], concurrency=CONCURRENCY)
        elapsed = time.perf_counter() - start
        first = _ask(rdap)
        queries = r.dns.queries
        # Warm caches: the same sites again within the cache period must not reach RDAP at all.
        start2 = time.perf_counter()
        await r.resolve_many([s.host for s in world.sites[:REPEAT]], concurrency=CONCURRENCY)
        elapsed2 = time.perf_counter() - start2
        second = _ask(rdap)
    expected = {"cloudflare": "Cloudflare", "cloudfront": "Amazon CloudFront", "fastly": "Fastly"}
    expected["ddos-guard"] = "DDoS-Guard"
    right_cdn = sum(
        1
        for s, p in zip(world.sites, profiles, strict=True)
        if (p.cdn.provider if p.cdn else None) == expected.get(s.kind)
    )
    right_registrar = sum(
        1
        for s, p in zip(world.sites, profiles, strict=True)
        if p.registration and p.registration.registrar == s.registrar.name
    )
    with_host_abuse = sum(1 for p in profiles if any(c.party == "host" for c in p.abuse_contacts))
    figures = {
        "elapsed": elapsed,
        "queries": queries,
        "failures": sum(len(p.failures) for p in profiles),
        "right_cdn": right_cdn,
        "right_registrar": right_registrar,
        "with_host_abuse": with_host_abuse,
        "elapsed2": elapsed2,
    }
    return figures, {"first": first, "second": second}


def main() -> None:
    ctx = mp.get_context("spawn")  # fresh interpreters: no threads or sockets inherited
    world = build(DOMAINS)
    with tempfile.TemporaryDirectory() as tmp:
        dns_parent, dns_child = ctx.Pipe()
        rdap_parent, rdap_child = ctx.Pipe()
        dns_proc = ctx.Process(target=_dns_process, args=(DOMAINS, dns_child), daemon=True)
        rdap_proc = ctx.Process(target=_rdap_process, args=(DOMAINS, tmp, rdap_child), daemon=True)
        dns_proc.start()
        rdap_proc.start()
        try:
            port = dns_parent.recv()
            bootstrap = Path(rdap_parent.recv())
            settings = ResolverSettings(
                nameservers=["127.0.0.1"],
                dns_port=port,
                rdap_bootstrap_offline=True,
                rdap_bootstrap_files=[bootstrap],
                allow_networks=["127.0.0.0/8"],
                default_rate_limit={"requests": 1_000_000, "per_seconds": 1},  # local servers: no limit
                probe=False,
            )
            _run(settings, world, port, dns_parent, rdap_parent)
        finally:
            for conn in (dns_parent, rdap_parent):
                conn.send("stop")
            dns_proc.join(timeout=20)
            rdap_proc.join(timeout=20)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    servers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # known once they are joined
    print(
        f"  peak memory (benchmark process: world, resolver, caches, {len(world.sites):,} profiles): {peak:.0f} MB "
        f"[target <= 500 MB: {'met' if peak <= 500 else 'MISSED'}]; largest lab server process {servers:.0f} MB"
    )


def _run(settings: ResolverSettings, world: World, port: int, dns_conn: Connection, rdap: Connection) -> None:
    n = len(world.sites)
    print(f"  {n:,} sites ({', '.join(f'{k} {v}' for k, v in Counter(s.kind for s in world.sites).most_common())}),")
    print(
        f"  {len({s.registrar for s in world.sites})} registrars, {len(world.used_networks)} networks in use; "
        f"concurrency {CONCURRENCY}; HTTP probe off; lab DNS and RDAP servers in their own processes"
    )
    asyncio.run(bare_loop(world.questions[:2000], port))  # warm-up (both sides' code paths)
    done, failed, bare_s = asyncio.run(bare_loop(world.questions, port))
    bare_rate = done / bare_s
    print(f"  bare dnspython loop: {done:,} queries in {bare_s:.1f} s, {bare_rate:,.0f} queries/s ({failed} timeouts)")

    before = _ask(dns_conn)
    queries, failures, stage_s = asyncio.run(dns_stage(settings, world))
    served = _ask(dns_conn) - before
    stage_rate = queries / stage_s
    ratio = stage_rate / bare_rate
    print(
        f"  DNS stage: {n / stage_s:,.0f} sites/s, {stage_rate:,.0f} queries/s ({queries:,} queries, server saw "
        f"{served:,}; {failures} failures) = {ratio:.0%} of the bare loop"
        f"  [target >= 300 sites/s: {'met' if n / stage_s >= 300 else 'MISSED'}; "
        f">= 60 %: {'met' if ratio >= 0.6 else 'MISSED'}]"
    )

    figures, rdap_counts = asyncio.run(end_to_end(settings, world, rdap))
    e2e = figures["elapsed"]
    print(
        f"  end to end (DNS, Cymru, RDAP domain + registrar + network): {n / e2e:,.0f} sites/s "
        f"({e2e:.1f} s), {figures['queries'] / e2e:,.0f} DNS queries/s ({figures['queries']:,} queries), "
        f"{figures['failures']} failures"
    )
    print(
        f"  right CDN {figures['right_cdn']:,}/{n:,} (plain hosts count as right when none is named), "
        f"right registrar {figures['right_registrar']:,}/{n:,}, host abuse contact {figures['with_host_abuse']:,}/{n:,}"
    )
    kinds, _, repeated = rdap_counts["first"]
    registrable = len({s.registrable for s in world.sites})
    networks = len(world.used_networks)
    registrars = len({s.registrar for s in world.sites})
    ok = kinds.get("ip", 0) <= networks and kinds.get("domain", 0) <= registrable and repeated == 0
    print(
        f"  RDAP requests: {kinds.get('ip', 0)} to RIRs for {networks} distinct networks; "
        f"{kinds.get('domain', 0):,} to registries for {registrable:,} registrable domains; "
        f"{kinds.get('entity', 0):,} to the {registrars} registrars' servers (one per domain, the related link); "
        f"{repeated} paths asked more than once  [target one per registrar/network/domain per cache period: "
        f"{'met' if ok else 'MISSED'}]"
    )
    second_kinds, _, _ = rdap_counts["second"]
    extra = sum(second_kinds.values()) - sum(kinds.values())
    print(
        f"  again with warm caches: {REPEAT:,} sites in {figures['elapsed2']:.1f} s "
        f"({REPEAT / figures['elapsed2']:,.0f} sites/s), {extra} more RDAP requests"
    )


if __name__ == "__main__":
    main()
