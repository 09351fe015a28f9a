"""The pipeline that folds a crawl's items into one site profile, written as JSON when the spider closes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from scrapy import signals

from crawlers.catalogue import Listed, SiteCatalogue, classify
from crawlers.catalogue_words import CHAPTER, TITLE
from crawlers.items import FaviconItem, PageItem, ProblemItem, SitemapItem

#: titles kept for the works matcher (one entry per page: the heading, else the page title, and other names)
MAX_TITLES = 5000
#: internal links kept as evidence of the site's URL structure for the catalogue classifier
MAX_LINKS = 20_000
#: payment links kept per crawl (each with the page it was first seen on)
MAX_PAYMENT_LINKS = 50


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
        #: payment links by URL, each with the first page it was seen on
        self.payments: dict[str, dict[str, str]] = {}
        self.counters: dict[str, tuple[int, str]] = {}
        self.mirrors: dict[str, None] = {}
        self.listed: list[Listed] = []
        self.links: dict[str, None] = {}
        self.sitemaps = 0
        self.favicon: str | None = None
        self.problems: list[dict[str, str]] = []
        self.found: list[dict[str, Any]] = []

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
            self.listed.extend(Listed(url, item.url) for url in item.urls)
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
        if item.home and (self.home is None or len(item.hops) >= len(self.home.hops)):
            self.home = item  # the last home reached: the end of the redirect and hop chain
        self.analytics.update(dict.fromkeys(item.analytics_ids))
        self.ads.update(dict.fromkeys(item.ad_networks))
        for link in item.payment_links:
            if len(self.payments) < MAX_PAYMENT_LINKS:
                self.payments.setdefault(link["url"], {**link, "page": item.url})
        self.mirrors.update(dict.fromkeys(item.mirror_hosts))
        if len(self.links) < MAX_LINKS:
            self.links.update(dict.fromkeys(item.links))
        if item.status >= 400 or item.home:  # an error page's or the home page's numbers are not a work's
            return
        if item.view_counter is not None:
            self.counters[item.url] = (item.view_counter, item.view_source or "")
        label = item.heading or item.title
        if label and len(self.found) < MAX_TITLES:
            others = [name for name in item.names if name != label]
            self.found.append({"url": item.url, "text": label, "sha256": item.content_sha256, "names": others})

    def _catalogue(self) -> SiteCatalogue | None:
        """The sitemaps' URLs classified with every link the crawl saw as evidence (the spider's own
        classification, made when the sitemaps were in, saw only the first pages' links)."""
        if not self.sitemaps:
            return None
        return classify([*self.listed, *(Listed(url, counted=False) for url in self.links)])

    def _work_counters(self, catalogue: SiteCatalogue | None) -> dict[str, int]:
        """Counters of title pages when any has one (a list page's or a chapter's would count views
        twice), else of chapter pages, else of every page below the home page."""
        if catalogue is None:
            return {url: views for url, (views, _) in self.counters.items()}
        kinds = {url: catalogue.kind_of(url) for url in self.counters}
        for wanted in (TITLE, CHAPTER):
            chosen = {url: views for url, (views, _) in self.counters.items() if kinds[url] == wanted}
            if chosen:
                return chosen
        return {url: views for url, (views, _) in self.counters.items()}

    def profile(self, reason: str) -> dict[str, Any]:
        """The crawl's profile, as plain JSON data."""
        problems = list(self.problems)
        if reason not in {"finished", ""}:
            problems.append({"kind": reason, "url": "", "detail": "the crawl stopped at a limit"})
        home = self.home
        catalogue = self._catalogue()
        hops = home.hops if home else []
        return {
            "started_at": self._started.isoformat(),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            "final_url": home.url if home else None,
            "ok": home is not None and home.status < 400,
            "title": home.title if home else None,
            "language": home.language if home else None,
            "catalogue_titles": catalogue.title_count if catalogue else None,
            "catalogue_chapters": len(catalogue.chapters) if catalogue else None,
            "title_urls": [*catalogue.titles, *catalogue.implied_titles] if catalogue else [],
            "view_counters": self._work_counters(catalogue),
            "view_counter_sources": sorted({source for _, source in self.counters.values() if source}),
            "analytics_ids": list(self.analytics),
            "ad_networks": sorted(self.ads),
            "payment_links": list(self.payments.values()),
            "favicon_sha256": self.favicon,
            "mirror_links": list(self.mirrors),
            "redirects": [*(hop["from"] for hop in hops), *([home.url] if home and hops else [])],
            "hops": hops,
            "pages": self.pages,
            "bytes_read": self.bytes_read,
            "problems": problems,
            "titles_found": self.found,
        }

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Write the profile (the parent process reads it)."""
        if self._output:
            Path(self._output).write_text(json.dumps(self.profile(reason), ensure_ascii=False))
