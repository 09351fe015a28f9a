"""Crawls and works found, as plain data (what the crawlers hand in, what the API shows)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from cases.fields import ScrubbedUrl
from common.text import scrub

#: a BCP 47 language tag as a page's ``lang`` may give it (``ja``, ``zh-Hant-TW``, ``en_US``): at most 35 characters
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,4}")


def _language_tag(value: object) -> str | None:
    """A page's declared language if it is a language tag; anything else (a sentence, markup) is no language."""
    text = scrub(value, max_length=35)
    return text if text and _LANGUAGE_TAG.fullmatch(text) else None


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
