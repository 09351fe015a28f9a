"""Audit events. The table refuses UPDATE and DELETE (triggers created by the migration)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """One change to one field of one entity (``field`` is ``*`` when an entity is created)."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(sa_type=sa.String(200))  # "key:12", "cli:alice", "system:intake"
    association_id: int | None = Field(default=None, foreign_key="association.id", index=True)
    action: str = Field(sa_type=sa.String(16))  # create, update, delete
    entity_type: str = Field(sa_type=sa.String(64))
    entity_id: str = Field(sa_type=sa.String(64))
    field: str = Field(default="*", sa_type=sa.String(64))
    old_value: str | None = Field(default=None, sa_type=sa.Text)
    new_value: str | None = Field(default=None, sa_type=sa.Text)
    request_id: str | None = Field(default=None, sa_type=sa.String(64))
