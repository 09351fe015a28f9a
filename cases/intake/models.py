"""Submissions and evidence items."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import JSONType, UTCDateTime, utcnow


class Submission(SQLModel, table=True):
    """One association's report of one site.

    ``(association_id, source_ref)`` is unique: sending the same report again (a retried request, a
    CSV file imported twice, an import resumed after a crash) finds this row instead of adding one.
    When the sender gives no ``source_ref``, intake derives one from the content.
    """

    __table_args__ = (
        # Also serves lookups by association alone (its first column).
        sa.UniqueConstraint("association_id", "source_ref"),
        # "sites this association submitted": the tenant filter of every submitter query, walked
        # newest site first.
        sa.Index("ix_submission_association_site", "association_id", "site_id"),
        # "did this association submit this site": the probe of that filter, one index entry per
        # site, and the submissions of one site.
        sa.Index("ix_submission_site_association", "site_id", "association_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    association_id: int = Field(foreign_key="association.id")
    site_id: int = Field(foreign_key="site.id")
    source_ref: str = Field(sa_type=sa.String(200))
    via: str = Field(sa_type=sa.String(16))  # api, csv, cli, demo
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    note: str | None = Field(default=None, sa_type=sa.Text)
    created_by_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvidenceItem(SQLModel, table=True):
    """A URL where a work is infringed, as submitted (crawlers add their own matches later)."""

    __tablename__ = "evidence_item"
    __table_args__ = (
        # Also serves lookups by submission alone (its first column).
        sa.UniqueConstraint("submission_id", "item_key"),
        sa.Index("ix_evidence_item_site_association", "site_id", "association_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id")
    association_id: int = Field(foreign_key="association.id")
    site_id: int = Field(foreign_key="site.id")
    url: str = Field(sa_type=sa.Text)
    # URLs can be longer than a btree index accepts: uniqueness is on a SHA-256 of "url\nwork_id".
    item_key: str = Field(sa_type=sa.String(64))
    work_id: int | None = Field(default=None, foreign_key="work.id")
    note: str | None = Field(default=None, sa_type=sa.Text)
    captured_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
