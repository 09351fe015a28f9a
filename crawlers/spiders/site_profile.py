"""The site profile spider: one site per crawl, bounded by the settings' limits.

From the home page it reads title, language, analytics and ad tags and the icon; from robots.txt and
the sitemaps the catalogue (title and chapter URLs); following internal links (title pages first)
it reads view counters and the titles that the works matcher compares with the catalogues.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.internet.error import TimeoutError as TxTimeoutError

from crawlers.extract import (
    ad_networks,
    analytics_ids,
    classify_catalogue_url,
    likely_mirrors,
    site_of,
    view_counter,
)
from crawlers.items import FaviconItem, PageItem, ProblemItem, SitemapItem
from crawlers.middlewares import BlockedRequest

#: where sitemaps usually are when robots.txt names none (the protocol, Yoast / Rank Math, WordPress core)
_FALLBACK_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml")


def problem_kind(failure: Any) -> str:
    """A short, stable name for why a request failed."""
    error = failure.value
    text = str(error).lower()
    if isinstance(error, BlockedRequest):
        return "blocked-address"
    if "redirection" in text:
        return "redirect-limit"
    if "maxsize" in text or "max size" in text or "download_maxsize" in text or "larger than" in text:
        return "too-large"
    if "cancelled" in type(error).__name__.lower():  # the download handler's DOWNLOAD_MAXSIZE stop
        return "too-large"
    if isinstance(error, TxTimeoutError) or "timeout" in text or "took longer" in text:
        return "timeout"
    if isinstance(error, IgnoreRequest):
        return "ignored"
    return type(error).__name__


class SiteProfileSpider(scrapy.Spider):
    """Crawl one site from `start_url` and yield what its pages show."""

    name = "site_profile"

    def __init__(self, start_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url = start_url
        self.sitemap_urls_seen = 0
        self._sitemaps_asked: set[str] = set()
        #: the registrable domains that are this site (the start URL's, and where its home redirected)
        self.sites = {self._site(start_url)}

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.start_url, callback=self.parse_home, errback=self.failed)

    def _site(self, url: str) -> str:
        host = urlsplit(url).hostname or ""
        return site_of(host) or host

    # -- home page --------------------------------------------------------------------------------
    def parse_home(self, response: Response) -> Iterator[Any]:
        """The home page, then robots.txt, the sitemaps and the icon of where it ended up."""
        self.sites.add(self._site(response.url))
        yield from self.parse_page(response)
        base = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}"
        yield scrapy.Request(base + "/robots.txt", callback=self.parse_robots, errback=self.robots_failed, priority=5)
        icons = (
            response.xpath("//link[contains(@rel, 'icon')]/@href").getall()
            if isinstance(response, TextResponse)
            else []
        )
        icon = urljoin(response.url, icons[0]) if icons else base + "/favicon.ico"
        yield scrapy.Request(icon, callback=self.parse_favicon, errback=self.failed, priority=5)

    def parse_robots(self, response: Response) -> Iterator[Any]:
        """Sitemaps named in robots.txt, or the usual places when it names none."""
        base = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}"
        named = (
            list(sitemap_urls_from_robots(response.body, base_url=base))
            if isinstance(response, TextResponse) and response.status == 200
            else []
        )
        for url in named or [base + path for path in _FALLBACK_SITEMAPS]:
            yield from self._ask_sitemap(url)

    def robots_failed(self, failure: Any) -> Iterator[Any]:
        """No robots.txt (refused, timed out): record why and try the usual sitemap places."""
        yield from self.failed(failure)
        parts = urlsplit(failure.request.url)
        for path in _FALLBACK_SITEMAPS:
            yield from self._ask_sitemap(f"{parts.scheme}://{parts.netloc}{path}")

    def _ask_sitemap(self, url: str) -> Iterator[Any]:
        # Only the site's own sitemaps: an index pointing elsewhere must not make us crawl another site.
        if url not in self._sitemaps_asked and self._site(url) in self.sites:
            self._sitemaps_asked.add(url)
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.failed, priority=4)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Count title and chapter URLs; follow sitemap indexes within the site."""
        if response.status != 200 or not response.body:
            return
        limit = self.settings.getint("PIRATEWATCH_MAX_SITEMAP_URLS")
        body = response.body
        try:
            if body[:2] == b"\x1f\x8b":  # a .xml.gz file (not Content-Encoding): bounded like any download
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml refuses malformed XML in many ways; a bad sitemap is a problem, not a crash
            yield ProblemItem("bad-sitemap", response.url, str(exc)[:200])
            return
        item = SitemapItem(url=response.url)
        for entry in sitemap:
            loc = entry.get("loc", "")
            if sitemap.type == "sitemapindex":
                yield from self._ask_sitemap(urljoin(response.url, loc))
                continue
            self.sitemap_urls_seen += 1
            if self.sitemap_urls_seen > limit:
                item.truncated = True
                break
            kind = classify_catalogue_url(loc)
            if kind == "title":
                item.titles.append(loc)
            elif kind == "chapter":
                item.chapters.append(loc)
        if sitemap.type != "sitemapindex":
            yield item

    def parse_favicon(self, response: Response) -> Iterator[Any]:
        if response.status == 200 and response.body:
            yield FaviconItem(response.url, hashlib.sha256(response.body).hexdigest())

    # -- every page -------------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Any]:
        """What one HTML page shows, and the internal links to follow (title pages first)."""
        redirects = list(response.meta.get("redirect_urls", []))
        if not isinstance(response, TextResponse):
            yield PageItem(
                url=response.url,
                status=response.status,
                depth=response.meta.get("depth", 0),
                redirect_urls=redirects,
                size=len(response.body),
            )
            return
        text = response.text
        visible = " ".join(response.xpath("//body//text()[not(ancestor::script)][not(ancestor::style)]").getall())
        links = [
            (urljoin(response.url, a.attrib.get("href", "")), " ".join(a.xpath(".//text()").getall()).strip())
            for a in response.xpath("//a[@href]")
        ]
        host = urlsplit(response.url).hostname or ""
        yield PageItem(
            url=response.url,
            status=response.status,
            depth=response.meta.get("depth", 0),
            title=(response.xpath("normalize-space(//title)").get() or None),
            language=(response.xpath("/html/@lang").get() or None),
            heading=(response.xpath("normalize-space(//h1)").get() or None),
            content_sha256=hashlib.sha256(response.body).hexdigest(),
            size=len(response.body),
            analytics_ids=analytics_ids(text),
            ad_networks=ad_networks(text),
            view_counter=view_counter(visible),
            mirror_hosts=likely_mirrors(host, links),
            redirect_urls=redirects,
        )
        if response.meta.get("depth", 0) >= self.settings.getint("PIRATEWATCH_MAX_DEPTH"):
            return
        own = self._site(response.url)
        for url, _ in links:
            if urlsplit(url).scheme in {"http", "https"} and self._site(url) == own:
                kind = classify_catalogue_url(url)
                yield scrapy.Request(
                    url, callback=self.parse_page, errback=self.failed, priority=2 if kind == "title" else 0
                )

    def failed(self, failure: Any) -> Iterator[Any]:
        """Record why a request failed; the crawl goes on."""
        request = getattr(failure, "request", None)
        yield ProblemItem(problem_kind(failure), request.url if request is not None else "", str(failure.value)[:300])
