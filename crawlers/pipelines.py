"""The pipeline that folds a crawl's items into one site profile, written as JSON when the spider closes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from scrapy import signals

from crawlers.items import FaviconItem, PageItem, ProblemItem, SitemapItem

#: titles kept for the works matcher (one per page: the heading, else the page title)
MAX_TITLES = 5000


class ProfilePipeline:
    """Aggregate pages, sitemaps, icons and problems; write the profile to ``PIRATEWATCH_OUTPUT``."""

    def __init__(self, crawler: Any) -> None:
        self._crawler = crawler
        self._output = crawler.settings.get("PIRATEWATCH_OUTPUT", "")
        self._started = dt.datetime.now(dt.UTC)
        self.home: PageItem | None = None
        self.pages = 0
        self.bytes_read = 0
        self.analytics: dict[str, None] = {}
        self.ads: dict[str, None] = {}
        self.counters: dict[str, int] = {}
        self.mirrors: dict[str, None] = {}
        self.redirects: dict[str, None] = {}
        self.titles: dict[str, None] = {}
        self.chapters: set[str] = set()
        self.sitemaps = 0
        self.favicon: str | None = None
        self.problems: list[dict[str, str]] = []
        self.found: list[dict[str, str]] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProfilePipeline:
        pipeline = cls(crawler)
        # spider_closed carries the reason (finished, closespider_pagecount, ...) that close_spider lacks
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        """Fold one item into the profile."""
        if isinstance(item, PageItem):
            self._page(item)
        elif isinstance(item, SitemapItem):
            self.sitemaps += 1
            self.titles.update(dict.fromkeys(item.titles))
            self.chapters.update(item.chapters)  # a URL listed by two sitemaps counts once
            if item.truncated:
                self.problems.append({"kind": "sitemap-limit", "url": item.url, "detail": ""})
        elif isinstance(item, FaviconItem):
            self.favicon = self.favicon or item.sha256
        elif isinstance(item, ProblemItem):
            self.problems.append({"kind": item.kind, "url": item.url, "detail": item.detail})
        return item

    def _page(self, item: PageItem) -> None:
        self.pages += 1
        self.bytes_read += item.size
        if self.home is None and item.depth == 0:
            self.home = item
        self.analytics.update(dict.fromkeys(item.analytics_ids))
        self.ads.update(dict.fromkeys(item.ad_networks))
        self.mirrors.update(dict.fromkeys(item.mirror_hosts))
        self.redirects.update(dict.fromkeys(item.redirect_urls))
        if item.status >= 400:  # an error page's "title" and numbers are not the site's content
            return
        if item.view_counter is not None and item.depth > 0:
            self.counters[item.url] = item.view_counter
        label = item.heading or item.title
        if label and item.depth > 0 and len(self.found) < MAX_TITLES:
            self.found.append({"url": item.url, "text": label, "sha256": item.content_sha256})

    def profile(self, reason: str) -> dict[str, Any]:
        """The crawl's profile, as plain JSON data."""
        problems = list(self.problems)
        if reason not in {"finished", ""}:
            problems.append({"kind": reason, "url": "", "detail": "the crawl stopped at a limit"})
        home = self.home
        return {
            "started_at": self._started.isoformat(),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            "final_url": home.url if home else None,
            "ok": home is not None and home.status < 400,
            "title": home.title if home else None,
            "language": home.language if home else None,
            "catalogue_titles": len(self.titles) if self.sitemaps else None,
            "catalogue_chapters": len(self.chapters) if self.sitemaps else None,
            "title_urls": list(self.titles),
            "view_counters": self.counters,
            "analytics_ids": list(self.analytics),
            "ad_networks": sorted(self.ads),
            "favicon_sha256": self.favicon,
            "mirror_links": list(self.mirrors),
            "redirects": [*self.redirects, *([home.url] if home and self.redirects else [])],
            "pages": self.pages,
            "bytes_read": self.bytes_read,
            "problems": problems,
            "titles_found": self.found,
        }

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Write the profile (the parent process reads it)."""
        if self._output:
            Path(self._output).write_text(json.dumps(self.profile(reason), ensure_ascii=False))
