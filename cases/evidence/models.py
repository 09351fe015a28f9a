"""Captures of URLs and the objects they are made of.

A capture row holds hashes, sizes, status and times; the bytes are objects in the object store
(:mod:`cases.evidence.objects`), named by their SHA-256. ``evidence_object`` lists every stored
object once, with its size and type (what ``/metrics`` and retention read).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import JSONType, UTCDateTime, utcnow


class CaptureStatus(enum.StrEnum):
    COMPLETE = "complete"
    #: a limit stopped it (size, time, redirects, a refused address): what came is kept
    LIMITED = "limited"
    #: no answer at all (refused connection, unknown name, not a URL)
    FAILED = "failed"


class CaptureTrigger(enum.StrEnum):
    ON_DEMAND = "on_demand"
    RECHECK = "recheck"
    CRAWL = "crawl"


class EvidenceObject(SQLModel, table=True):
    """One stored object (content-addressed; the same bytes are stored once)."""

    __tablename__ = "evidence_object"

    sha256: str = Field(primary_key=True, sa_type=sa.String(64))
    size: int = Field(sa_type=sa.BigInteger)
    media_type: str = Field(sa_type=sa.String(100))
    stored_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvidenceCapture(SQLModel, table=True):
    """One capture of one URL: what it is made of (by hash), how it ended, when, by whom, stamped by which TSA."""

    __tablename__ = "evidence_capture"
    __table_args__ = (
        sa.Index("ix_evidence_capture_url", "url_sha256", "started_at"),
        sa.Index("ix_evidence_capture_site", "site_id", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_type=sa.Text)
    url_sha256: str = Field(sa_type=sa.String(64))
    site_id: int | None = Field(default=None, foreign_key="site.id")
    #: the association the capture was made for (None: by staff, for every association)
    association_id: int | None = Field(default=None, foreign_key="association.id", index=True)
    trigger: str = Field(default=CaptureTrigger.ON_DEMAND.value, sa_type=sa.String(16))
    status: str = Field(sa_type=sa.String(16))
    limit_reason: str | None = Field(default=None, sa_type=sa.Text)
    problems: list[str] = Field(default_factory=list, sa_type=JSONType)
    started_at: dt.datetime = Field(sa_type=UTCDateTime)
    finished_at: dt.datetime = Field(sa_type=UTCDateTime)
    http_status: int | None = None
    final_url: str | None = Field(default=None, sa_type=sa.Text)
    egress_address: str | None = Field(default=None, sa_type=sa.String(64))
    warc_sha256: str = Field(sa_type=sa.String(64))
    warc_size: int = Field(sa_type=sa.BigInteger)
    text_sha256: str = Field(sa_type=sa.String(64))
    text_size: int = Field(sa_type=sa.BigInteger)
    screenshot_sha256: str | None = Field(default=None, sa_type=sa.String(64))
    screenshot_size: int | None = Field(default=None, sa_type=sa.BigInteger)
    screenshot_problem: str | None = Field(default=None, sa_type=sa.Text)
    #: the canonical manifest (an object too): the bytes the timestamp token covers
    manifest_sha256: str = Field(sa_type=sa.String(64), index=True)
    #: the DER TimeStampResp from the TSA (an object), verified on receipt
    token_sha256: str | None = Field(default=None, sa_type=sa.String(64))
    timestamped_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    tsa_name: str | None = Field(default=None, sa_type=sa.String(300))
    timestamp_problem: str | None = Field(default=None, sa_type=sa.Text)
    program_version: str = Field(sa_type=sa.String(64))
    actor: str = Field(sa_type=sa.String(200))

    def summary(self) -> dict[str, Any]:
        """What the CLI and the API show of a capture."""
        return self.model_dump(exclude={"url_sha256"}, mode="json")
