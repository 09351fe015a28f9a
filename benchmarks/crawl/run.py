"""Crawl-area benchmarks.

1. Estimating 10,000 sites from a 1,000,000-row Tranco-format rank list (target: <= 10 s), the list
   streamed once and only the wanted domains kept.
2. The profile spider against the lab's 50,000-page site for SPIDER_SECONDS (default 20), and
   ``scrapy bench`` for as long on the same machine in the same run (target: >= 70 % of it).

Not measured yet: peak memory while crawling 1,000 sites.
Run: ``./run bench crawl`` (RANK_ROWS=200000 for a quicker look).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawlers.config import CrawlerSettings, TrafficSettings
from crawlers.crawl import crawl_site
from crawlers.traffic import RankListEstimator, SiteInput
from lab.sites import HOSTS, FixtureSites
from lab.sites.catalogue import BIG, BIG_PAGES

RANK_ROWS = int(os.environ.get("RANK_ROWS", "1000000"))
SITES = int(os.environ.get("SITES", "10000"))


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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rank_list_benchmark(Path(tmp))
    spider_benchmark(int(os.environ.get("SPIDER_SECONDS", "20")))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
