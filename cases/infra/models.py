"""Resolution snapshots and infrastructure events.

The store keeps each resolution whole (as JSON, in the resolver's own format) plus the few columns
operators filter on. ``cases`` does not know the resolver's types: the crawlers' jobs turn profiles
into plain data before they reach here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import JSONType, UTCDateTime, utcnow


class ResolutionSnapshot(SQLModel, table=True):
    """One resolution of one domain of a site, at one time."""

    __tablename__ = "resolution_snapshot"
    __table_args__ = (sa.Index("ix_resolution_snapshot_domain_time", "domain_id", "resolved_at"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    domain_id: int = Field(foreign_key="domain.id")
    resolved_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    addresses: list[str] = Field(default_factory=list, sa_type=JSONType)
    asns: list[int] = Field(default_factory=list, sa_type=JSONType)
    host_organisation: str | None = Field(default=None, sa_type=sa.String(300))
    cdn: str | None = Field(default=None, sa_type=sa.String(100), index=True)
    registrar: str | None = Field(default=None, sa_type=sa.String(300), index=True)
    failure_count: int = 0
    profile: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


class InfraEvent(SQLModel, table=True):
    """A change between two snapshots: new IP, new host, new CDN, new registrar, domain hop, ..."""

    __tablename__ = "infra_event"
    __table_args__ = (sa.Index("ix_infra_event_site_time", "site_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id")
    domain_id: int | None = Field(default=None, foreign_key="domain.id")
    snapshot_id: int | None = Field(default=None, foreign_key="resolution_snapshot.id")
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: str = Field(sa_type=sa.String(32))
    old_value: str | None = Field(default=None, sa_type=sa.Text)
    new_value: str | None = Field(default=None, sa_type=sa.Text)
