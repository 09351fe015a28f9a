"""The project's spider against Scrapy's own bench spider, on the same pages from the same server.

One static page set per size (:mod:`benchmarks.spiders.pages`: the small tree, and 100 KiB pages
with 200 links and scripts) is served by nginx (Debian's, on loopback; one compiled server that is
not the ceiling). Both spiders run in a child process each, with the same concurrency, no delay,
the same log level, the same page limit and deadline: the project's profile spider
(``crawlers.crawl``, full extraction of every page) and ``scrapy bench``'s spider (follows every
link, extracts nothing else). They alternate A/B/A/B, REPEATS times per size (:mod:`benchmarks.common`).

Run: ``./run bench spiders`` (SECONDS=10 REPEATS=1 for a quicker look; CONCURRENCY, SMALL_PAGES,
LARGE_PAGES). Needs nginx (``./run bench`` installs it).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Sample, alternate, children_cpu, session, settings_line, summary
from benchmarks.fixtures import start_nginx
from benchmarks.spiders.pages import write_large, write_small
from crawlers.config import CrawlerSettings
from crawlers.crawl import crawl_site
from lab.http_util import free_port

SECONDS = int(os.environ.get("SECONDS_PER_RUN", os.environ.get("SECONDS", "20")))
REPEATS = int(os.environ.get("REPEATS", "3"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "16"))
SMALL_PAGES = int(os.environ.get("SMALL_PAGES", "20000"))
LARGE_PAGES = int(os.environ.get("LARGE_PAGES", "1500"))
LOG_LEVEL = "WARNING"  # the project's own level (crawlers/settings.py), for both
HOST = "pages.test"


def ours(port: int, pages: int) -> Sample:
    config = CrawlerSettings(
        allow_networks=["127.0.0.0/8"],
        host_overrides={HOST: "127.0.0.1"},
        delay_seconds=0,
        concurrency_per_site=CONCURRENCY,
        max_depth=12,
        max_pages=pages,
        crawl_deadline_seconds=SECONDS,
    )
    cpu = children_cpu()
    outcome = crawl_site(f"http://{HOST}:{port}/", config, config.host_overrides)
    cpu = children_cpu() - cpu
    p = outcome.profile
    if not p:
        raise SystemExit(f"the project's spider failed: {outcome.error}")
    elapsed = (dt.datetime.fromisoformat(p["finished_at"]) - dt.datetime.fromisoformat(p["started_at"])).total_seconds()
    return Sample(int(p["pages"]), elapsed, cpu)


def scrapys(port: int, pages: int) -> Sample:
    settings = {
        "CONCURRENT_REQUESTS": CONCURRENCY,
        "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
        "DOWNLOAD_DELAY": 0,
        "LOG_LEVEL": LOG_LEVEL,
        "CLOSESPIDER_TIMEOUT": SECONDS,
        "CLOSESPIDER_PAGECOUNT": pages,
        "ROBOTSTXT_OBEY": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
    }
    with tempfile.TemporaryDirectory() as tmp:
        stats_file = Path(tmp) / "stats.json"
        cpu = children_cpu()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.spiders.scrapy_side",
                f"http://127.0.0.1:{port}/",
                str(stats_file),
                json.dumps(settings),
            ],
            check=True,
            timeout=SECONDS + 120,
        )
        cpu = children_cpu() - cpu
        stats = json.loads(stats_file.read_text())
    return Sample(int(stats["response_received_count"]), float(stats["elapsed"]), cpu)


def compare(label: str, root: Path, work: Path, pages: int) -> None:
    port = free_port()
    nginx = start_nginx(root, work, port)
    try:
        samples = alternate(
            {"project spider": lambda: ours(port, pages), "Scrapy bench spider": lambda: scrapys(port, pages)}, REPEATS
        )
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
    for name, runs in samples.items():
        print(summary(f"{label}: {name}", runs, "page"))
    ratios = [a.rate / b.rate for a, b in zip(samples["project spider"], samples["Scrapy bench spider"], strict=True)]
    spread = f" ({min(ratios):.0%}-{max(ratios):.0%}, n={len(ratios)})" if len(ratios) > 1 else ""
    print(
        f"  {label}: project / Scrapy = {statistics.median(ratios):.0%}{spread} of its pages/s, pair by pair (target >= 90 %)"
    )


def main() -> None:
    production = CrawlerSettings()
    with session("spiders"), tempfile.TemporaryDirectory() as tmp:
        print(
            f"  nginx on loopback serving static files; {SECONDS} s a run, {REPEATS} runs per spider and size, alternated; "
            f"log level {LOG_LEVEL} for both; CPU a page is the spider's child process, start-up included"
        )
        print(
            settings_line(
                {
                    "delay": (f"{production.delay_seconds} s", "0"),
                    "concurrency": (production.concurrency_per_site, CONCURRENCY),
                    "depth": (production.max_depth, 12),
                    "pages": (production.max_pages, "the page set's size"),
                    "deadline": (f"{production.crawl_deadline_seconds:.0f} s", f"{SECONDS} s"),
                }
            )
            + " (both spiders alike)"
        )
        for label, writer, pages in (("small", write_small, SMALL_PAGES), ("large", write_large, LARGE_PAGES)):
            root, work = Path(tmp) / label, Path(tmp) / f"{label}-nginx"
            work.mkdir()
            started = time.perf_counter()
            writer(root, pages)
            size = sum(f.stat().st_size for f in root.rglob("*.html")) / pages / 1024
            print(
                f"  {label}: {pages:,} pages of {size:.1f} KiB on average (written in {time.perf_counter() - started:.1f} s)"
            )
            compare(label, root, work, pages)


if __name__ == "__main__":
    main()
