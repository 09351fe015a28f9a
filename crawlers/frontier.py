"""A big site crawled by several processes that share one frontier in Redis (scrapy-redis).

With ``CrawlerSettings.frontier_redis_url`` set and ``frontier_processes`` above one, a crawl starts
that many children (:func:`crawlers.crawl.crawl_site`); each runs the same profile spider with
scrapy-redis's scheduler and duplicate filter on keys of that crawl, so every request any child
finds goes to one queue in Redis, each child takes requests from it, and a URL is fetched once by
one of them. Children can run on other machines too (``python -m crawlers.crawl`` with the same
settings): only the keys are shared. Each child writes the profile of the pages it fetched; the
parent merges them (:func:`merge_profiles`) and deletes the keys.

A child whose part of the queue runs dry waits ``frontier_idle_seconds`` for more (another child
may still be adding links) before it closes (:class:`FrontierIdle`).
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider


def frontier_settings(redis_url: str, key: str, idle_seconds: float) -> dict[str, Any]:
    """Scrapy settings that make a child share the frontier stored under `key`."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_KEY": f"{key}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{key}:dupefilter",
        # Kept when one child closes: the others still crawl from them (the parent deletes them).
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "EXTENSIONS": {"crawlers.frontier.FrontierIdle": 500},
        "PIRATEWATCH_FRONTIER_IDLE_SECONDS": idle_seconds,
    }


class FrontierIdle:
    """Keeps an idle child open for a while: requests may still arrive from the other children."""

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self.last_activity = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierIdle:
        extension = cls(crawler.settings.getfloat("PIRATEWATCH_FRONTIER_IDLE_SECONDS", 5.0))
        crawler.signals.connect(extension.active, signal=signals.response_received)
        crawler.signals.connect(extension.idle, signal=signals.spider_idle)
        return extension

    def active(self, **_: Any) -> None:
        self.last_activity = time.monotonic()

    def idle(self, spider: Any) -> None:
        if time.monotonic() - self.last_activity < self.idle_seconds:
            raise DontCloseSpider


def _union(profiles: list[dict[str, Any]], name: str) -> list[Any]:
    return list(dict.fromkeys(item for p in profiles for item in p.get(name, [])))


def merge_profiles(profiles: list[dict[str, Any]]) -> dict[str, Any]:
    """One site profile from the children's: the home page's facts from the child that fetched it,
    sets united, counts added."""
    if not profiles:
        return {}
    home = next((p for p in profiles if p.get("final_url")), profiles[0])
    titles = _union(profiles, "title_urls")
    has_sitemaps = any(p.get("catalogue_titles") is not None for p in profiles)
    counters: dict[str, int] = {}
    for p in profiles:
        counters.update(p.get("view_counters", {}))
    return {
        **home,
        "started_at": min(p["started_at"] for p in profiles if "started_at" in p),
        "finished_at": max(p["finished_at"] for p in profiles if "finished_at" in p),
        "catalogue_titles": len(titles) if has_sitemaps else None,
        "catalogue_chapters": sum(p.get("catalogue_chapters") or 0 for p in profiles) if has_sitemaps else None,
        "title_urls": titles,
        "view_counters": counters,
        "analytics_ids": _union(profiles, "analytics_ids"),
        "ad_networks": sorted(set(_union(profiles, "ad_networks"))),
        "favicon_sha256": next((p["favicon_sha256"] for p in profiles if p.get("favicon_sha256")), None),
        "mirror_links": _union(profiles, "mirror_links"),
        "redirects": _union(profiles, "redirects"),
        "pages": sum(int(p.get("pages", 0)) for p in profiles),
        "bytes_read": sum(int(p.get("bytes_read", 0)) for p in profiles),
        "problems": [problem for p in profiles for problem in p.get("problems", [])],
        "titles_found": [t for p in profiles for t in p.get("titles_found", [])],
        "frontier": {"processes": len(profiles), "pages": [int(p.get("pages", 0)) for p in profiles]},
    }
