"""Crawl-area benchmarks.

1. Estimating 10,000 sites from a 1,000,000-row Tranco-format rank list (target: <= 10 s), the list
   streamed once and only the wanted domains kept.
2. The profile spider against the lab's 50,000-page site for SPIDER_SECONDS (default 20), and
   ``scrapy bench`` for as long on the same machine in the same run (target: >= 70 % of it).
3. Crawling CRAWL_SITES (default 1,000) small lab sites with the scheduler (``piratewatch run``'s
   runner, its default concurrency, a SQLite store): the peak memory of the scheduler and its crawl
   children together, sampled from the process tree every 0.1 s (target: <= 1 GB). The lab server
   runs in a process of its own and is not counted. It runs first, so the scheduler's process holds
   nothing of the other two.

Run: ``./run bench crawl`` (RANK_ROWS=200000 CRAWL_SITES=100 for a quicker look; SKIP=memory to leave one out).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.migrations import upgrade
from cases.schedule.models import JobKind
from cases.tenants.services import create_association
from crawlers.config import CrawlerSettings, TrafficSettings
from crawlers.crawl import crawl_site
from crawlers.traffic import RankListEstimator, SiteInput
from lab.http_util import ThreadedServer, free_port, wait_for_port
from lab.sites import GENERATED, HOSTS, FixtureSites
from lab.sites.content import BIG, BIG_PAGES
from piratewatch.jobs.runner import Runner

RANK_ROWS = int(os.environ.get("RANK_ROWS", "1000000"))
SITES = int(os.environ.get("SITES", "10000"))
CRAWL_SITES = int(os.environ.get("CRAWL_SITES", "1000"))
SKIP = set(os.environ.get("SKIP", "").split(","))


def rank_list_benchmark(tmp: Path) -> None:
    path = tmp / "tranco.csv"
    with path.open("w") as f:
        f.writelines(f"{rank},site-{rank}.com\n" for rank in range(1, RANK_ROWS + 1))
    rng = random.Random(4)
    wanted = rng.sample(range(1, RANK_ROWS + 1), SITES)
    anchors = {f"site-{r}.com": 3e9 / r for r in (10, 1000, 100000)}
    sites = [SiteInput(i, [f"www.site-{r}.com", f"site-{r}.com"]) for i, r in enumerate(wanted)]
    estimator = RankListEstimator(TrafficSettings(rank_list_path=path, anchors=anchors))
    started = time.perf_counter()
    result = asyncio.run(estimator.estimate(sites, "2026-10"))
    elapsed = time.perf_counter() - started
    print(
        f"rank list: {SITES:,} sites from {RANK_ROWS:,} rows in {elapsed:.2f} s (target <= 10 s); {len(result):,} estimated"
    )


def scrapy_bench(seconds: int) -> float:
    """Pages/s of ``scrapy bench`` (its own local server and spider) on this machine, now."""
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}", "-s", "LOG_LEVEL=INFO"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    pages = int(re.search(r"'response_received_count': (\d+)", done.stderr).group(1))  # type: ignore[union-attr]
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", done.stderr).group(1))  # type: ignore[union-attr]
    return pages / elapsed


def spider_benchmark(seconds: int) -> None:
    """The profile spider on the lab's 50,000-page site for `seconds`, against scrapy bench for as long."""
    sites = FixtureSites()
    with sites.serve() as server:
        config = CrawlerSettings(
            allow_networks=["127.0.0.0/8"],
            host_overrides=dict.fromkeys(HOSTS, "127.0.0.1"),
            delay_seconds=0,
            concurrency_per_site=16,
            max_depth=6,
            max_pages=BIG_PAGES,
            crawl_deadline_seconds=seconds,
        )
        outcome = crawl_site(f"http://{BIG}:{server.port}/", config, config.host_overrides)
    p = outcome.profile
    elapsed = (dt.datetime.fromisoformat(p["finished_at"]) - dt.datetime.fromisoformat(p["started_at"])).total_seconds()
    ours = p["pages"] / elapsed
    bench = scrapy_bench(seconds)
    print(f"spider: {p['pages']:,} pages of {BIG_PAGES:,} in {elapsed:.1f} s = {ours:.0f} pages/s")
    print(f"scrapy bench: {bench:.0f} pages/s; spider / bench = {ours / bench:.0%} (target >= 70 %)")


def _serve_lab(port: int) -> None:
    """The lab's fixture sites (``gen-<n>.test`` included) in a process of their own, until killed."""
    ThreadedServer(FixtureSites().app(), "127.0.0.1", port).start()
    threading.Event().wait()


class TreeSampler:
    """The peak RSS of a process and those of its descendants running `marker`, sampled in a thread.

    RSS counts shared libraries once per process, so the sum errs on the high side.
    """

    def __init__(self, root: psutil.Process, marker: str, every: float = 0.1) -> None:
        self.root, self.marker, self.every = root, marker, every
        self.peak = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> list[psutil.Process]:
        processes = [self.root]
        for child in self.root.children(recursive=True):
            try:
                if self.marker in " ".join(child.cmdline()):
                    processes.append(child)
            except psutil.Error:  # a crawl child that just ended
                continue
        return processes

    def _run(self) -> None:
        while not self._stop.is_set():
            total, count = 0, 0
            for process in self._tree():
                try:
                    total += process.memory_info().rss
                    count += 1
                except psutil.Error:  # a crawl child that just ended
                    pass
            if total > self.peak:
                self.peak, self.peak_processes = total, count
            self._stop.wait(self.every)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def memory_benchmark(tmp: Path) -> None:
    """Crawl CRAWL_SITES generated lab sites with the scheduler; the peak RSS of it and its crawl children."""
    port = free_port()
    lab = multiprocessing.get_context("spawn").Process(target=_serve_lab, args=(port,), daemon=True)
    lab.start()
    url = f"sqlite:///{tmp / 'store.db'}"
    upgrade(url)
    factory = session_factory(make_engine(url))
    hosts = [GENERATED.format(n=n) for n in range(CRAWL_SITES)]
    actor = Actor("bench")
    with transaction(factory) as session:
        association = create_association(session, "Bench", actor)
        submit_sites(session, actor, association.id or 0, [SiteIn(domains=[h]) for h in hosts], via="bench")
    config = CrawlerSettings(  # production defaults but for the lab's names and no politeness delay
        allow_networks=["127.0.0.0/8"],
        host_overrides=dict.fromkeys(hosts, "127.0.0.1"),
        start_url_template=f"http://{{host}}:{port}/",
        delay_seconds=0,
    )
    runner = Runner(factory, config, TrafficSettings())
    wait_for_port(port, timeout=30, alive=lab.is_alive)  # the lab process is up when it accepts connections
    started = time.perf_counter()
    with TreeSampler(psutil.Process(), marker="crawlers.crawl") as sampler:
        report = asyncio.run(runner.run_once([JobKind.CRAWL]))
    elapsed = time.perf_counter() - started
    lab.kill()
    done = report.done.get("crawl", 0)
    print(
        f"crawling {CRAWL_SITES:,} sites (scheduler concurrency {config.concurrency}): {done:,} crawled, "
        f"{len(report.failed)} failed, in {elapsed:.0f} s ({done / elapsed * 60:.0f} crawls/min)"
    )
    print(
        f"peak RSS of the scheduler and its crawl children: {sampler.peak / 2**20:.0f} MB "
        f"over {sampler.peak_processes} processes (target <= 1024 MB)"
    )


def main() -> None:
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        # memory first: the scheduler's process then holds nothing of the other benchmarks
        if "memory" not in SKIP:
            memory_benchmark(Path(tmp))
        if "rank" not in SKIP:
            rank_list_benchmark(Path(tmp))
        if "spider" not in SKIP:
            spider_benchmark(int(os.environ.get("SPIDER_SECONDS", "20")))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
