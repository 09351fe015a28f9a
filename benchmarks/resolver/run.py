"""Resolver benchmark: synthetic domains (see :mod:`benchmarks.resolver.world`) whose zones NSD, a
compiled server, serves on loopback (:mod:`benchmarks.resolver.nsd`), so the server is never the
ceiling. In the same run, alternated and repeated, it measures on the same questions at the same
concurrency: the resolver's DNS stage, a bare dnspython loop (sockets reused), a bare c-ares loop
and dnsperf, DNS-OARC's C load tool (:mod:`benchmarks.resolver.peers`); then the resolver end to
end on a cold cache, against the lab RDAP server in its own process.

The HTTP probe is disabled: the synthetic zones name public addresses and the benchmark never
leaves loopback. RDAP rate limits are lifted (the servers are local) so that the figures show the
work done, and the RDAP request counts are taken on the server side. Each figure is the median of
ROUNDS rounds, with the spread (lowest-highest); CPU is per site, of the client and of NSD.

Targets (issue): the DNS stage at >= 70 % of the fastest Python bare loop's query rate; end to end
on a cold cache at >= 50 % of the DNS stage's site rate; one RDAP request per distinct network
and per registrable domain per cache period; peak memory <= 500 MB.
Run: ``./run bench resolver`` (DOMAINS=2000 for a quicker look, ROUNDS (3), CONCURRENCY (50),
MEMORY_BATCHES (0): that many batches of the same names through one Resolver afterwards, resident
memory after each, see :mod:`benchmarks.resolver.memory`).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import resource
import statistics
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks.machine import describe
from benchmarks.resolver import memory, peers
from benchmarks.resolver.nsd import Nsd
from benchmarks.resolver.world import Network, World, build, domain_answer, network_answer
from lab.rdap_server import RdapServer
from resolver import Resolver, ResolverSettings

DOMAINS = int(os.environ.get("DOMAINS", "10000"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "50"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
MEMORY_BATCHES = int(os.environ.get("MEMORY_BATCHES", "0"))
#: how many sites are resolved a second time with warm caches (no RDAP request expected)
REPEAT = min(1000, DOMAINS)


# -- the lab RDAP server, in its own process -------------------------------------------------------


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


async def dns_stage(settings: ResolverSettings, world: World) -> peers.Run:
    """The resolver's DNS stage (CNAME chain, A, AAAA, NS, MX, TXT, SOA) for every site.

    Time and CPU are taken around the lookups only, not the Resolver's setup (its TLS context
    and catalogue are loaded once per process, not per site).
    """
    semaphore = asyncio.Semaphore(CONCURRENCY)
    failures: list[Any] = []
    async with Resolver(settings) as r:

        async def one(host: str) -> None:
            async with semaphore:
                await r.dns.lookup(host, failures)

        await r.dns.lookup(world.sites[0].host, [])  # the client's channel is made on first use
        cpu, start = peers.own_cpu(), time.perf_counter()
        queries = r.dns.queries
        await asyncio.gather(*(one(s.host) for s in world.sites))
        seconds, cpu = time.perf_counter() - start, peers.own_cpu() - cpu
        r.dns.close()
        return peers.Run(r.dns.queries - queries, len(failures), seconds, cpu, 0.0)


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


# -- the run ---------------------------------------------------------------------------------------


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f} (spread {min(values):,.0f}-{max(values):,.0f})"


def _cpu(runs: list[peers.Run], sites: int) -> str:
    client = statistics.median(r.client_cpu for r in runs) / sites * 1e6
    server = statistics.median(r.server_cpu for r in runs) / sites * 1e6
    return f"CPU per site: client {client:,.0f} us, NSD {server:,.0f} us"


def main() -> None:
    print(f"  machine at start: {describe()}; {_load()}")
    ctx = mp.get_context("spawn")  # fresh interpreters: no threads or sockets inherited
    world = build(DOMAINS)
    with tempfile.TemporaryDirectory() as tmp:
        nsd = Nsd(world.zones, Path(tmp) / "nsd").start(world.zones[0][0])
        rdap_parent, rdap_child = ctx.Pipe()
        rdap_proc = ctx.Process(target=_rdap_process, args=(DOMAINS, tmp, rdap_child), daemon=True)
        rdap_proc.start()
        try:
            bootstrap = Path(rdap_parent.recv())
            settings = ResolverSettings(
                nameservers=["127.0.0.1"],
                dns_port=nsd.port,
                rdap_bootstrap_offline=True,
                rdap_bootstrap_files=[bootstrap],
                allow_networks=["127.0.0.0/8"],
                default_rate_limit={"requests": 1_000_000, "per_seconds": 1},  # local servers: no limit
                probe=False,
            )
            print(f"  NSD {nsd.zone_count:,} zones on 127.0.0.1:{nsd.port}; DNS client: {settings.dns_client}")
            _run(settings, world, nsd, Path(tmp), rdap_parent)
            if MEMORY_BATCHES:
                memory.run(settings, [s.host for s in world.sites], MEMORY_BATCHES, CONCURRENCY)
        finally:
            rdap_parent.send("stop")
            rdap_proc.join(timeout=20)
            nsd.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  peak memory (benchmark process: world, resolver, caches, {len(world.sites):,} profiles): {peak:.0f} MB "
        f"[target <= 500 MB: {'met' if peak <= 500 else 'MISSED'}]"
    )
    print(f"  machine at end: {_load()}")


def _stage(settings: ResolverSettings, world: World, nsd: Nsd) -> peers.Run:
    server = nsd.cpu_seconds()
    run = asyncio.run(dns_stage(settings, world))
    run.server_cpu = nsd.cpu_seconds() - server
    return run


def _run(settings: ResolverSettings, world: World, nsd: Nsd, tmp: Path, rdap: Connection) -> None:
    n = len(world.sites)
    questions = world.questions
    print(f"  {n:,} sites ({', '.join(f'{k} {v}' for k, v in Counter(s.kind for s in world.sites).most_common())}),")
    print(
        f"  {len({s.registrar for s in world.sites})} registrars, {len(world.used_networks)} networks in use; "
        f"{len(questions):,} DNS questions per pass; concurrency {CONCURRENCY}; HTTP probe off; {ROUNDS} rounds"
    )
    port = nsd.port
    perf_input = peers.write_dnsperf_input(questions, tmp / "questions.txt")
    contenders: dict[str, Any] = {
        "resolver DNS stage": lambda: _stage(settings, world, nsd),
        "bare dnspython loop": lambda: peers.measure(
            lambda: asyncio.run(peers.dnspython_loop(questions, port, CONCURRENCY)), nsd.cpu_seconds
        ),
        "bare c-ares loop": lambda: peers.measure(
            lambda: asyncio.run(peers.cares_loop(questions, port, CONCURRENCY)), nsd.cpu_seconds
        ),
    }
    if peers.dnsperf_binary():
        contenders["dnsperf (C)"] = lambda: peers.measure(
            lambda: peers.dnsperf(perf_input, port, CONCURRENCY), nsd.cpu_seconds, peers.children_cpu
        )
    else:
        print("  dnsperf is not installed (apt-get install dnsperf): the C peer is left out of this run")
    asyncio.run(peers.dnspython_loop(questions[:2000], port, CONCURRENCY))  # warm-up
    runs: dict[str, list[peers.Run]] = {name: [] for name in contenders}
    e2e_runs: list[dict[str, float]] = []
    rdap_counts: dict[str, Any] = {}
    order = list(contenders)
    for round_ in range(ROUNDS):
        for name in order if round_ % 2 == 0 else reversed(order):  # A/B/A/B, each order in turn
            runs[name].append(contenders[name]())
        cpu0, server0 = peers.own_cpu(), nsd.cpu_seconds()
        figures, counts = asyncio.run(end_to_end(settings, world, rdap))  # a new Resolver: cold caches
        figures["client_cpu"], figures["server_cpu"] = peers.own_cpu() - cpu0, nsd.cpu_seconds() - server0
        e2e_runs.append(figures)
        rdap_counts = rdap_counts or counts
    for name, results in runs.items():
        rates = [r.rate for r in results]
        unanswered = sum(r.unanswered for r in results)
        extra = f"; {_summary([n / r.seconds for r in results])} sites/s" if name == "resolver DNS stage" else ""
        print(f"  {name}: {_summary(rates)} queries/s{extra}; {_cpu(results, n)}; {unanswered} unanswered or failed")
    stage_rate = statistics.median(r.rate for r in runs["resolver DNS stage"])
    stage_sites = statistics.median(n / r.seconds for r in runs["resolver DNS stage"])
    python_best = max(statistics.median(r.rate for r in runs[k]) for k in ("bare dnspython loop", "bare c-ares loop"))
    ratio = stage_rate / python_best
    print(
        f"  DNS stage = {ratio:.0%} of the fastest Python bare loop  [target >= 70 %: "
        f"{'met' if ratio >= 0.7 else 'MISSED'}]"
    )
    e2e_sites = [n / f["elapsed"] for f in e2e_runs]
    e2e_ratio = statistics.median(e2e_sites) / stage_sites
    figures = e2e_runs[0]
    client_cpu = statistics.median(f["client_cpu"] for f in e2e_runs) / n * 1e6
    print(
        f"  end to end, cold cache (DNS, Cymru, PTR, RDAP domain + registrar + network): {_summary(e2e_sites)} "
        f"sites/s; client CPU per site {client_cpu:,.0f} us; {figures['failures']} failures in the first round "
        f"= {e2e_ratio:.0%} of the DNS stage's site rate  [target >= 50 %: {'met' if e2e_ratio >= 0.5 else 'MISSED'}]"
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
        f"  RDAP requests (first round): {kinds.get('ip', 0)} to RIRs for {networks} distinct networks; "
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
