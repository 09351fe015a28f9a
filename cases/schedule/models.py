"""When each site's jobs are due: one row per (site, job kind), with the lease of whoever runs it."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import UTCDateTime, utcnow


class JobKind(enum.StrEnum):
    """The jobs that keep a site fresh, each with its own due time."""

    RESOLVE = "resolve"
    CRAWL = "crawl"
    ESTIMATE = "estimate"


class JobDue(SQLModel, table=True):
    """When a site's next job of one kind is due, and the lease of whoever is running it."""

    __tablename__ = "job_due"
    __table_args__ = (sa.Index("ix_job_due_kind_due", "job", "due_at"),)

    site_id: int = Field(foreign_key="site.id", primary_key=True)
    job: JobKind = Field(sa_type=sa.String(16), primary_key=True)
    due_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: a claimed job is skipped by other runners until the lease ends (a killed runner's job comes back)
    leased_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_done_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    failures: int = 0
