"""Associations and API keys."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import UTCDateTime, utcnow
from cases.tenants.roles import Role


class Association(SQLModel, table=True):
    """A rights-holder association: the tenant that owns submissions, works and evidence."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200), unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiKey(SQLModel, table=True):
    """An API key. Only a SHA-256 of the secret is stored; the secret is shown once, at creation.

    SHA-256 (not a slow password hash) is right here: keys are 256 random bits, so they cannot be
    guessed, and a fast hash lets every request look its key up by index.
    """

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    association_id: int = Field(foreign_key="association.id", index=True)
    role: Role = Field(sa_type=sa.String(16))
    label: str = Field(default="", sa_type=sa.String(200))
    prefix: str = Field(sa_type=sa.String(16), index=True)
    key_hash: str = Field(sa_type=sa.String(64), unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
