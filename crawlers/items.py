"""What the profile spider yields: one item per page, sitemap, favicon or problem.

The pipeline folds them into one site profile; keeping items small and typed keeps the spider's
callbacks free of aggregation logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageItem:
    """One HTML page of the site."""

    url: str
    status: int
    depth: int
    title: str | None = None
    language: str | None = None
    heading: str | None = None
    content_sha256: str = ""
    size: int = 0
    analytics_ids: list[str] = field(default_factory=list)
    ad_networks: list[str] = field(default_factory=list)
    #: links and forms that pay a payment or donation service (``crawlers.extract.payment_links``)
    payment_links: list[dict[str, str]] = field(default_factory=list)
    view_counter: int | None = None
    #: where the counter was read (``crawlers.view_counters``: json-ld, attribute, madara, label, text)
    view_source: str | None = None
    mirror_hosts: list[str] = field(default_factory=list)
    redirect_urls: list[str] = field(default_factory=list)
    icon_urls: list[str] = field(default_factory=list)
    #: other names the page gives its work (og:title, JSON-LD name, further headings), for matching
    names: list[str] = field(default_factory=list)
    #: internal links (evidence of the site's URL structure for the catalogue classifier)
    links: list[str] = field(default_factory=list)
    #: a home page, possibly reached through hops: then `hops` lists them ({"from", "to", "via"})
    home: bool = False
    hops: list[dict[str, str]] = field(default_factory=list)


@dataclass
class SitemapItem:
    """The URLs one sitemap file lists (classified together once every sitemap is read)."""

    url: str
    urls: list[str] = field(default_factory=list)
    truncated: bool = False


@dataclass
class FaviconItem:
    """The site's icon: its SHA-256 (the same icon on two domains is a family signal)."""

    url: str
    sha256: str


@dataclass
class ProblemItem:
    """A limit hit or a request refused: recorded, never fatal."""

    kind: str
    url: str
    detail: str = ""
