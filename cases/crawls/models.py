"""Crawls of sites, works found on them, site family proposals, and per-site job due times."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import JSONType, UTCDateTime, utcnow


class SiteCrawl(SQLModel, table=True):
    """What one crawl of a site found: its profile, catalogue size, counters and fingerprints."""

    __tablename__ = "site_crawl"
    __table_args__ = (sa.Index("ix_site_crawl_site_time", "site_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id")
    domain_id: int | None = Field(default=None, foreign_key="domain.id")
    started_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    start_url: str = Field(sa_type=sa.Text)
    final_url: str | None = Field(default=None, sa_type=sa.Text)
    ok: bool = True
    title: str | None = Field(default=None, sa_type=sa.String(500))
    language: str | None = Field(default=None, sa_type=sa.String(35))
    #: catalogue size from the sitemaps: title and chapter URLs (None: no sitemap found)
    catalogue_titles: int | None = None
    catalogue_chapters: int | None = None
    #: titles added since the previous crawl of the site (None on the first crawl)
    catalogue_growth: int | None = None
    #: sum of the view counters read, and each counter by URL (the next crawl's difference is page views)
    views_total: int | None = Field(default=None, sa_type=sa.BigInteger)
    view_counters: dict[str, int] = Field(default_factory=dict, sa_type=JSONType)
    analytics_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    ad_networks: list[str] = Field(default_factory=list, sa_type=JSONType)
    #: links and forms paying a payment or donation service: ``{"provider", "url", "page"}`` (the page it was on)
    payment_links: list[dict[str, str]] = Field(default_factory=list, sa_type=JSONType)
    favicon_sha256: str | None = Field(default=None, sa_type=sa.String(64), index=True)
    mirror_links: list[str] = Field(default_factory=list, sa_type=JSONType)
    redirects: list[str] = Field(default_factory=list, sa_type=JSONType)
    pages: int = 0
    bytes_read: int = Field(default=0, sa_type=sa.BigInteger)
    #: limits hit and pages refused (size, SSRF guard, timeouts), as ``{"kind": ..., "url": ...}``
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)


class WorkFound(SQLModel, table=True):
    """A work of an association's catalogue matched on a site: evidence that notices can cite."""

    __tablename__ = "work_found"
    __table_args__ = (
        # A URL can exceed a btree entry: uniqueness is on its SHA-256.
        sa.UniqueConstraint("work_id", "url_sha256"),
        sa.Index("ix_work_found_site_association", "site_id", "association_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    association_id: int = Field(foreign_key="association.id")
    work_id: int = Field(foreign_key="work.id")
    site_id: int = Field(foreign_key="site.id")
    crawl_id: int | None = Field(default=None, foreign_key="site_crawl.id")
    url: str = Field(sa_type=sa.Text)
    url_sha256: str = Field(sa_type=sa.String(64))
    title_found: str = Field(sa_type=sa.String(500))
    title_matched: str = Field(sa_type=sa.String(500))
    score: float
    captured_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    content_sha256: str = Field(sa_type=sa.String(64))


class FamilyStatus(enum.StrEnum):
    """Where a proposal that two sites are one stands."""

    PROPOSED = "proposed"
    MERGED = "merged"
    REJECTED = "rejected"


class FamilyProposal(SQLModel, table=True):
    """Two sites that share fingerprints (analytics IDs, favicon, redirect targets, certificate SANs)."""

    __tablename__ = "family_proposal"
    __table_args__ = (sa.UniqueConstraint("site_id", "other_site_id"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id")  # the site that stays
    other_site_id: int = Field(foreign_key="site.id")  # the site that would be merged into it
    signals: list[str] = Field(default_factory=list, sa_type=JSONType)
    confidence: float
    status: FamilyStatus = Field(default=FamilyStatus.PROPOSED, sa_type=sa.String(16), index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, sa_type=sa.String(200))
