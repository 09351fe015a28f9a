"""Monthly traffic estimates.

Numbers are *visits* (sessions), never people: DOMAIN.md, "Accesses are visits, not people". Every
computation is a new row, so the history of an estimate (new anchors, a new source) is kept; the
current estimate of a month is its newest row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import JSONType, UTCDateTime, utcnow


class TrafficEstimate(SQLModel, table=True):
    """One computation of a site's visits in one calendar month, with its uncertainty band."""

    __tablename__ = "traffic_estimate"
    __table_args__ = (sa.Index("ix_traffic_estimate_site_month", "site_id", "month", "computed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id")
    month: str = Field(sa_type=sa.String(7), index=True)  # "2026-10"
    visits_low: float
    visits_central: float
    visits_high: float
    pages_per_visit: float | None = None
    minutes_per_visit: float | None = None
    #: top-5 audience countries plus "other": ``[{"country": "JP", "share": 0.91}, ..., {"country": "other", ...}]``
    countries: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    sources: list[str] = Field(default_factory=list, sa_type=JSONType)
    #: each source's own estimate and parameters (fit constants, residuals, counters used)
    method: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    computed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
