"""Run one crawl of one site in a child process: ``python -m crawlers.crawl --url URL --out FILE``.

Why a child process: Twisted's reactor cannot be restarted inside a process, so a long-lived
scheduler cannot run ``CrawlerProcess`` twice; a child also gives every crawl a hard deadline (the
parent kills it), its own memory that is returned when it ends (a hostile page cannot bloat the
scheduler), and a crash that stays contained. The child writes the profile as JSON to a file; the
parent reads it (see ``docs/crawlers.md``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawlers.config import CrawlerSettings
from crawlers.hops import MAX_SOFT_HOPS


def scrapy_settings(config: CrawlerSettings, output: str, host_overrides: dict[str, str]) -> dict[str, Any]:
    """Scrapy setting overrides for one crawl, from our settings."""
    return {
        "USER_AGENT": config.user_agent,
        "CONCURRENT_REQUESTS": config.concurrency_per_site,
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrency_per_site,
        "DOWNLOAD_DELAY": config.delay_seconds,
        "DOWNLOAD_TIMEOUT": config.timeout_seconds,
        "DOWNLOAD_MAXSIZE": config.max_bytes,
        "DOWNLOAD_WARNSIZE": min(config.warn_bytes, config.max_bytes),
        # Scrapy's depth also counts hops, robots.txt, sitemap indexes and sitemaps: the spider limits
        # page depth itself (link hops from the home page); this is only a backstop.
        "DEPTH_LIMIT": config.max_depth + MAX_SOFT_HOPS + 6,
        "PIRATEWATCH_MAX_DEPTH": config.max_depth,
        "CLOSESPIDER_PAGECOUNT": config.max_pages,
        "CLOSESPIDER_TIMEOUT": config.crawl_deadline_seconds,
        "PIRATEWATCH_ALLOW_NETWORKS": list(config.allow_networks),
        "PIRATEWATCH_HOST_OVERRIDES": dict(host_overrides),
        "PIRATEWATCH_MAX_SITEMAP_URLS": config.max_sitemap_urls,
        "PIRATEWATCH_OUTPUT": output,
    }


def run_in_this_process(url: str, overrides: dict[str, Any]) -> None:
    """Crawl `url` with Scrapy here (the child's side; starts and stops the reactor once)."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawlers.spiders.site_profile import SiteProfileSpider

    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.update(overrides, priority="cmdline")
    process = CrawlerProcess(settings, install_root_handler=False)
    process.crawl(SiteProfileSpider, start_url=url)
    process.start()


@dataclass
class CrawlOutcome:
    """What a crawl child returned: the profile (empty when it failed) and how it ended."""

    start_url: str
    profile: dict[str, Any] = field(default_factory=dict)
    returncode: int | None = None
    error: str | None = None


def crawl_site(url: str, config: CrawlerSettings, host_overrides: dict[str, str] | None = None) -> CrawlOutcome:
    """Crawl `url` in a child process, killed after ``crawl_deadline_seconds`` (plus start-up grace)."""
    if config.frontier_redis_url and config.frontier_processes > 1:
        return crawl_site_shared(url, config, host_overrides or {})
    with tempfile.TemporaryDirectory(prefix="pw-crawl-") as tmp:
        out = Path(tmp) / "profile.json"
        overrides = scrapy_settings(config, str(out), host_overrides or {})
        command = [sys.executable, "-m", "crawlers.crawl", "--url", url, "--settings", json.dumps(overrides)]
        try:
            # Arguments are a list (no shell); the URL comes from the store, not from a user's shell.
            done = subprocess.run(  # noqa: S603
                command, capture_output=True, text=True, timeout=config.crawl_deadline_seconds + 30, check=False
            )
        except subprocess.TimeoutExpired:
            return CrawlOutcome(url, error="the crawl passed its deadline and was killed")
        if not out.exists():
            return CrawlOutcome(url, returncode=done.returncode, error=(done.stderr or "no profile written")[-2000:])
        return CrawlOutcome(url, json.loads(out.read_text()), done.returncode)


def crawl_site_shared(url: str, config: CrawlerSettings, host_overrides: dict[str, str]) -> CrawlOutcome:
    """Crawl `url` with ``frontier_processes`` children sharing one frontier in Redis (``crawlers.frontier``)."""
    import math
    import uuid

    import redis

    from crawlers.frontier import frontier_settings, merge_profiles

    key = f"piratewatch:frontier:{uuid.uuid4().hex}"
    n = config.frontier_processes
    with tempfile.TemporaryDirectory(prefix="pw-crawl-") as tmp:
        outs = [Path(tmp) / f"profile-{i}.json" for i in range(n)]
        children = []
        for out in outs:
            overrides = scrapy_settings(config, str(out), host_overrides)
            overrides["CLOSESPIDER_PAGECOUNT"] = math.ceil(config.max_pages / n)  # the limit is the crawl's
            overrides.update(frontier_settings(config.frontier_redis_url, key, config.frontier_idle_seconds))
            command = [sys.executable, "-m", "crawlers.crawl", "--url", url, "--settings", json.dumps(overrides)]
            # Arguments are a list (no shell), as in crawl_site.
            children.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))  # noqa: S603
        errors = []
        try:
            for child in children:
                try:
                    _, stderr = child.communicate(timeout=config.crawl_deadline_seconds + 30)
                except subprocess.TimeoutExpired:
                    child.kill()
                    _, stderr = child.communicate()
                    errors.append("a crawl process passed its deadline and was killed")
                if child.returncode and stderr:
                    errors.append(stderr[-1000:])
        finally:
            client = redis.Redis.from_url(config.frontier_redis_url)
            client.delete(f"{key}:requests", f"{key}:dupefilter")
            client.close()
        profiles = [json.loads(out.read_text()) for out in outs if out.exists()]
    if not profiles:
        return CrawlOutcome(url, error="; ".join(errors) or "no profile written")
    return CrawlOutcome(url, merge_profiles(profiles), 0, "; ".join(errors) or None)


def main(argv: list[str] | None = None) -> int:
    """The child's entry point."""
    parser = argparse.ArgumentParser(prog="python -m crawlers.crawl", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--settings", default="{}", help="Scrapy setting overrides as JSON")
    args = parser.parse_args(argv)
    run_in_this_process(args.url, json.loads(args.settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
