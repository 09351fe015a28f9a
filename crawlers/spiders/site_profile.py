"""The site profile spider: one site per crawl, bounded by the settings' limits.

From the home page it reads title, language, analytics and ad tags and the icon, and follows the
hops the home announces (HTTP and meta-refresh redirects through Scrapy's middlewares; JavaScript
redirects and "we moved" notices through :mod:`crawlers.hops`). From robots.txt and the sitemaps it
reads the catalogue; once every sitemap is in, :mod:`crawlers.catalogue` classifies their URLs and
the title pages are visited first. Following internal links it reads view counters and the names
the works matcher compares with the catalogues.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.internet.error import TimeoutError as TxTimeoutError

from crawlers.catalogue import Listed, SiteCatalogue, classify
from crawlers.catalogue_priors import url_prior
from crawlers.catalogue_words import TITLE
from crawlers.extract import ad_networks, analytics_ids, likely_mirrors, page_names, payment_links, site_of
from crawlers.hops import MAX_SOFT_HOPS, soft_hop
from crawlers.items import FaviconItem, PageItem, ProblemItem, SitemapItem
from crawlers.middlewares import BlockedRequest
from crawlers.view_counters import view_counter

#: where sitemaps usually are when robots.txt names none (the protocol, Yoast / Rank Math, WordPress core)
_FALLBACK_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml")
#: internal links kept per page, and in all, as evidence of the site's URL structure
_LINKS_KEPT = 500
_LINKS_SEEN = 20_000


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


def _base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def http_hops(response: Response) -> list[dict[str, str]]:
    """The redirects Scrapy followed to reach `response`: from, to and why (``http-301``, ``meta-refresh``)."""
    chain = [*response.meta.get("redirect_urls", []), response.url]
    reasons = list(response.meta.get("redirect_reasons", []))
    hops = []
    for index, (source, target) in enumerate(itertools.pairwise(chain)):
        reason = reasons[index] if index < len(reasons) else ""
        via = f"http-{reason}" if isinstance(reason, int) else str(reason or "redirect").replace(" ", "-")
        hops.append({"from": source, "to": target, "via": via})
    return hops


class SiteProfileSpider(scrapy.Spider):
    """Crawl one site from `start_url` and yield what its pages show."""

    name = "site_profile"

    def __init__(self, start_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url = start_url
        self.sitemap_urls_seen = 0
        self._sitemaps_asked: set[str] = set()
        self._sitemaps_pending = 0
        self._robots_pending = 0
        self._listed: list[Listed] = []
        self._links_seen: dict[str, None] = {}
        self.catalogue: SiteCatalogue | None = None
        #: the registrable domains that are this site (the start URL's, and where its home went)
        self.sites = {self._site(start_url)}

    async def start(self) -> AsyncIterator[Any]:
        yield self._home_request(self.start_url, [])

    def _site(self, url: str) -> str:
        host = urlsplit(url).hostname or ""
        return site_of(host) or host

    def _page_depth(self, response: Response) -> int:
        """Link hops from the home page (Scrapy's own depth also counts robots.txt and sitemaps)."""
        return int(response.meta.get("pw_depth", 0))

    # -- home page and its hops -------------------------------------------------------------------
    def _home_request(self, url: str, hops: list[dict[str, str]], previous: Response | None = None) -> Any:
        return scrapy.Request(
            url,
            callback=self.parse_home,
            errback=self.home_hop_failed if previous is not None else self.failed,
            meta={"pw_depth": 0, "pw_hops": hops, "pw_previous": previous},
            # Filtered like any request, unlike Scrapy's default start requests: a link back to the home
            # page is not fetched again, and crawl processes sharing a frontier fetch it once between them.
            dont_filter=False,
        )

    def parse_home(self, response: Response) -> Iterator[Any]:
        """A home page: follow the hop it announces, or read the site from here."""
        previous: Response | None = response.meta.get("pw_previous")
        if previous is not None and response.status >= 400:  # a soft hop to a dead page: stay where we were
            yield ProblemItem("hop-failed", response.url, f"HTTP {response.status}")
            yield from self._read_site(previous)
            return
        hops = [*response.meta.get("pw_hops", []), *http_hops(response)]
        self.sites.add(self._site(response.url))
        if isinstance(response, TextResponse) and len(hops) < MAX_SOFT_HOPS:
            announced = soft_hop(response.selector.root, response.url, site_of)
            seen = {h["from"] for h in hops} | {response.url}
            if announced is not None and announced.url not in seen:
                yield from self.parse_page(response, home=True, hops=hops, follow=False)
                hop = {"from": response.url, "to": announced.url, "via": announced.via}
                yield self._home_request(announced.url, [*hops, hop], previous=response)
                return
        yield from self._read_site(response, hops)

    def home_hop_failed(self, failure: Any) -> Iterator[Any]:
        """The announced destination did not answer: record why and read the site where we were."""
        yield from self.failed(failure)
        previous = failure.request.meta.get("pw_previous")
        if previous is not None:
            yield from self._read_site(previous, hops=None)

    def _read_site(self, response: Response, hops: list[dict[str, str]] | None = None) -> Iterator[Any]:
        """The home page's facts and links, then robots.txt, the sitemaps and the icon of where it is."""
        if hops is not None:
            yield from self.parse_page(response, home=True, hops=hops)
        else:  # the page was recorded before its hop was tried; now follow its links
            yield from self._follow_links(response)
        base = _base(response.url)
        self._robots_pending += 1
        yield scrapy.Request(base + "/robots.txt", callback=self.parse_robots, errback=self.robots_failed, priority=5)
        icons = (
            response.xpath("//link[contains(@rel, 'icon')]/@href").getall()
            if isinstance(response, TextResponse)
            else []
        )
        icon = urljoin(response.url, icons[0]) if icons else base + "/favicon.ico"
        yield scrapy.Request(icon, callback=self.parse_favicon, errback=self.failed, priority=5)

    # -- robots.txt and sitemaps ------------------------------------------------------------------
    def parse_robots(self, response: Response) -> Iterator[Any]:
        """Sitemaps named in robots.txt, or the usual places when it names none."""
        self._robots_pending -= 1
        base = _base(response.url)
        named = (
            list(sitemap_urls_from_robots(response.body, base_url=base))
            if isinstance(response, TextResponse) and response.status == 200
            else []
        )
        for url in named or [base + path for path in _FALLBACK_SITEMAPS]:
            yield from self._ask_sitemap(url)
        yield from self._sitemaps_done()

    def robots_failed(self, failure: Any) -> Iterator[Any]:
        """No robots.txt (refused, timed out): record why and try the usual sitemap places."""
        self._robots_pending -= 1
        yield from self.failed(failure)
        base = _base(failure.request.url)
        for path in _FALLBACK_SITEMAPS:
            yield from self._ask_sitemap(base + path)
        yield from self._sitemaps_done()

    def _ask_sitemap(self, url: str) -> Iterator[Any]:
        # Only the site's own sitemaps: an index pointing elsewhere must not make us crawl another site.
        if url not in self._sitemaps_asked and self._site(url) in self.sites:
            self._sitemaps_asked.add(url)
            self._sitemaps_pending += 1
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.sitemap_failed, priority=4)

    def sitemap_failed(self, failure: Any) -> Iterator[Any]:
        self._sitemaps_pending -= 1
        yield from self.failed(failure)
        yield from self._sitemaps_done()

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Collect the URLs a sitemap lists; follow sitemap indexes within the site."""
        self._sitemaps_pending -= 1
        yield from self._read_sitemap(response)
        yield from self._sitemaps_done()

    def _read_sitemap(self, response: Response) -> Iterator[Any]:
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
        if sitemap.type not in {"urlset", "sitemapindex"}:  # a "soft 404" HTML page answering 200
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
            if loc:
                item.urls.append(loc)
                self._listed.append(Listed(loc, response.url))
        if sitemap.type != "sitemapindex":
            yield item

    def _sitemaps_done(self) -> Iterator[Any]:
        """When every sitemap is in: classify the catalogue and visit its title pages first."""
        if self._robots_pending or self._sitemaps_pending or self.catalogue is not None:
            return
        evidence = [Listed(url, counted=False) for url in self._links_seen]
        # to choose the pages to visit; the pipeline classifies again at the end with every link seen
        self.catalogue = classify([*self._listed, *evidence])
        for url in self.catalogue.titles:
            if self._site(url) in self.sites and urlsplit(url).scheme in {"http", "https"}:
                yield scrapy.Request(
                    url, callback=self.parse_page, errback=self.failed, priority=3, meta={"pw_depth": 1}
                )

    def parse_favicon(self, response: Response) -> Iterator[Any]:
        if response.status == 200 and response.body:
            yield FaviconItem(response.url, hashlib.sha256(response.body).hexdigest())

    # -- every page -------------------------------------------------------------------------------
    def parse_page(
        self, response: Response, home: bool = False, hops: list[dict[str, str]] | None = None, follow: bool = True
    ) -> Iterator[Any]:
        """What one HTML page shows, and the internal links to follow (title pages first)."""
        redirects = list(response.meta.get("redirect_urls", []))
        depth = self._page_depth(response)
        if not isinstance(response, TextResponse):
            yield PageItem(
                url=response.url,
                status=response.status,
                depth=depth,
                redirect_urls=redirects,
                size=len(response.body),
                home=home,
                hops=hops or [],
            )
            return
        root = response.selector.root
        links = [
            (urljoin(response.url, a.get("href", "")), " ".join(a.text_content().split())[:200])
            for a in root.xpath("//a[@href]")
        ]
        own = self._site(response.url)
        internal = [url for url, _ in links if urlsplit(url).scheme in {"http", "https"} and self._site(url) == own]
        if len(self._links_seen) < _LINKS_SEEN:
            for url in internal[:_LINKS_KEPT]:
                self._links_seen.setdefault(url.partition("#")[0], None)
        counter = view_counter(root)
        names = page_names(root)
        text = response.text
        yield PageItem(
            url=response.url,
            status=response.status,
            depth=depth,
            title=(response.xpath("normalize-space(//title)").get() or None),
            language=(response.xpath("/html/@lang").get() or None),
            heading=(response.xpath("normalize-space(//h1)").get() or None),
            content_sha256=hashlib.sha256(response.body).hexdigest(),
            size=len(response.body),
            analytics_ids=analytics_ids(text),
            ad_networks=ad_networks(text),
            payment_links=payment_links(
                [url for url, _ in links] + [urljoin(response.url, a) for a in root.xpath("//form/@action")[:50]]
            ),
            view_counter=counter.views if counter else None,
            view_source=counter.source if counter else None,
            mirror_hosts=likely_mirrors(urlsplit(response.url).hostname or "", links),
            redirect_urls=redirects,
            names=names,
            links=internal[:_LINKS_KEPT],
            home=home,
            hops=hops or [],
        )
        if follow:
            yield from self._follow_links(response, internal)

    def _follow_links(self, response: Response, internal: list[str] | None = None) -> Iterator[Any]:
        depth = self._page_depth(response)
        if depth >= self.settings.getint("PIRATEWATCH_MAX_DEPTH") or not isinstance(response, TextResponse):
            return
        if internal is None:
            own = self._site(response.url)
            internal = [
                url
                for url in (urljoin(response.url, href) for href in response.xpath("//a/@href").getall())
                if urlsplit(url).scheme in {"http", "https"} and self._site(url) == own
            ]
        for url in internal:
            kind = self.catalogue.kind_of(url) if self.catalogue is not None else url_prior(url)
            yield scrapy.Request(
                url,
                callback=self.parse_page,
                errback=self.failed,
                priority=2 if kind == TITLE else 0,
                meta={"pw_depth": depth + 1},
            )

    def failed(self, failure: Any) -> Iterator[Any]:
        """Record why a request failed; the crawl goes on."""
        request = getattr(failure, "request", None)
        yield ProblemItem(problem_kind(failure), request.url if request is not None else "", str(failure.value)[:300])
