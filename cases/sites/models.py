"""Sites and domains.

A *site* is a pirate service, not a domain name: when a service hops from a seized domain to a new
one, the new domain joins the same site, so the site keeps its history and its cases ("staydown").
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import UTCDateTime, utcnow


class SiteStatus(enum.StrEnum):
    """Where a site stands, as far as we know."""

    ACTIVE = "active"  # serving content
    UNREACHABLE = "unreachable"  # no longer answering; may come back
    SEIZED = "seized"  # a seizure banner or a registry hold
    CLOSED = "closed"  # gone for good (operators decide)
    MERGED = "merged"  # found to be part of another site; see merged_into_id


class DomainStatus(enum.StrEnum):
    """Where one domain of a site stands."""

    ACTIVE = "active"
    REDIRECTING = "redirecting"  # sends visitors on to another domain (a hop)
    UNREACHABLE = "unreachable"
    SEIZED = "seized"
    EXPIRED = "expired"


class Site(SQLModel, table=True):
    """A pirate service: a family of domains with one history."""

    # Pages filtered by status walk this index newest first (WHERE status = ? AND id < ? ORDER BY
    # id DESC): no sort, however many sites have that status.
    __table_args__ = (sa.Index("ix_site_status_id", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(253), index=True)
    status: SiteStatus = Field(default=SiteStatus.ACTIVE, sa_type=sa.String(16))
    merged_into_id: int | None = Field(default=None, foreign_key="site.id")
    first_seen_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SiteLanguage(SQLModel, table=True):
    """A language a site publishes in (BCP 47 primary tag, e.g. ``ja``, ``en``, ``vi``)."""

    __tablename__ = "site_language"

    site_id: int = Field(foreign_key="site.id", primary_key=True)
    language: str = Field(sa_type=sa.String(35), primary_key=True, index=True)


class SiteContentType(SQLModel, table=True):
    """A content type a site carries."""

    __tablename__ = "site_content_type"

    site_id: int = Field(foreign_key="site.id", primary_key=True)
    content_type: str = Field(sa_type=sa.String(16), primary_key=True, index=True)


class Domain(SQLModel, table=True):
    """One host name of a site, normalised (lower case, no ``www.``), in punycode and unicode."""

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    fqdn: str = Field(sa_type=sa.String(253), unique=True)  # ASCII (punycode) form
    fqdn_unicode: str = Field(sa_type=sa.String(253))
    registrable_domain: str = Field(sa_type=sa.String(253), index=True)
    is_ip: bool = Field(default=False)
    status: DomainStatus = Field(default=DomainStatus.ACTIVE, sa_type=sa.String(16))
    redirects_to_id: int | None = Field(default=None, foreign_key="domain.id")
    first_seen_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
