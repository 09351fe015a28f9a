"""Crawls and works found, as plain data (what the crawlers hand in, what the API shows)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from cases.fields import ScrubbedUrl
from common.text import UnsafeTextError, normalize_url, scrub

#: a BCP 47 language tag as a page's ``lang`` may give it (``ja``, ``zh-Hant-TW``, ``en_US``): at most 35 characters
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,4}")


def _language_tag(value: object) -> str | None:
    """A page's declared language if it is a language tag; anything else (a sentence, markup) is no language."""
    text = scrub(value, max_length=35)
    return text if text and _LANGUAGE_TAG.fullmatch(text) else None


#: a payment service's name as the crawler gives it (``paypal``, ``ko-fi``)
_SERVICE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def _payment_links(value: object) -> list[dict[str, str]]:
    """The payment links a crawl reports, each a service name and two URLs (the link, the page it was on);
    what the crawled site put there is hostile: an entry of the wrong shape is left out, the rest normalised."""
    if not isinstance(value, list):
        return []
    out = []
    for entry in value[:50]:
        if not isinstance(entry, dict):
            continue
        name, url, page = entry.get("provider"), _url(entry.get("url")), _url(entry.get("page"))
        if isinstance(name, str) and _SERVICE.fullmatch(name) and url and page:
            out.append({"provider": name, "url": url, "page": page})
    return out


def _url(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > 2000:
        return None
    try:
        return normalize_url(value)
    except UnsafeTextError:
        return None


class CrawlIn(BaseModel):
    """One crawl of a site, as the profile spider reported it."""

    domain_id: int | None = None
    started_at: dt.datetime
    finished_at: dt.datetime
    start_url: str
    #: what the crawled site says is hostile: scrubbed to what a store and a page can hold
    final_url: ScrubbedUrl = None
    ok: bool = True
    title: Annotated[str | None, BeforeValidator(lambda v: scrub(v, max_length=500))] = None  # the column's size
    language: Annotated[str | None, BeforeValidator(_language_tag)] = None
    catalogue_titles: int | None = None
    catalogue_chapters: int | None = None
    #: the title URLs of the sitemaps, to compute growth (not stored: only their count is)
    title_urls: list[str] = Field(default_factory=list, exclude=True)
    view_counters: dict[str, int] = Field(default_factory=dict)
    analytics_ids: list[str] = Field(default_factory=list)
    ad_networks: list[str] = Field(default_factory=list)
    payment_links: Annotated[list[dict[str, str]], BeforeValidator(_payment_links)] = Field(default_factory=list)
    favicon_sha256: str | None = None
    mirror_links: list[str] = Field(default_factory=list)
    redirects: list[str] = Field(default_factory=list)
    pages: int = 0
    bytes_read: int = 0
    problems: list[dict[str, Any]] = Field(default_factory=list)


class CrawlPublic(BaseModel):
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime
    start_url: str
    final_url: str | None
    ok: bool
    title: str | None
    language: str | None
    catalogue_titles: int | None
    catalogue_chapters: int | None
    catalogue_growth: int | None
    views_total: int | None
    analytics_ids: list[str]
    ad_networks: list[str]
    payment_links: list[dict[str, str]] = []
    favicon_sha256: str | None
    mirror_links: list[str]
    redirects: list[str]
    pages: int
    bytes_read: int
    problems: list[dict[str, Any]]


class MatchIn(BaseModel):
    """A work matched on a page of a site."""

    work_id: int
    association_id: int
    url: str  # normalised by the crawl job (a match on a URL that cannot be one is left out)
    title_found: Annotated[str, BeforeValidator(lambda v: scrub(v, max_length=500) or "")]
    title_matched: Annotated[str, BeforeValidator(lambda v: scrub(v, max_length=500) or "")]
    score: float = Field(ge=0, le=100)
    captured_at: dt.datetime
    content_sha256: str = Field(min_length=64, max_length=64)


class WorkFoundPublic(BaseModel):
    id: int
    work_ref: str
    url: str
    title_found: str
    title_matched: str
    score: float
    captured_at: dt.datetime
    content_sha256: str


class FamilyProposalPublic(BaseModel):
    id: int
    site_id: int
    other_site_id: int
    signals: list[str]
    confidence: float
    status: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None
