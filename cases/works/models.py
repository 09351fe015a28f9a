"""Works and their titles."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import UTCDateTime, utcnow
from cases.works.kinds import ContentType


class Work(SQLModel, table=True):
    """A work in one association's catalogue. `ref` is the association's own identifier."""

    __table_args__ = (sa.UniqueConstraint("association_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    association_id: int = Field(foreign_key="association.id", index=True)
    ref: str = Field(sa_type=sa.String(200))
    content_type: ContentType = Field(sa_type=sa.String(16))
    rights_holder: str | None = Field(default=None, sa_type=sa.String(300))
    official_url: str | None = Field(default=None, sa_type=sa.String(2000))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkTitle(SQLModel, table=True):
    """One title of a work in one language (BCP 47 tag; ``ja-Latn`` for romanised Japanese)."""

    __tablename__ = "work_title"
    __table_args__ = (sa.UniqueConstraint("work_id", "language", "title"),)

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(foreign_key="work.id", index=True)
    language: str = Field(sa_type=sa.String(35))
    title: str = Field(sa_type=sa.String(500))
