"""Infrastructure as the API shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel


class ChangeIn(BaseModel):
    """A change computed by the caller between the previous snapshot and this one."""

    kind: str
    old: str | None = None
    new: str | None = None


class InfraPublic(BaseModel):
    """The latest known infrastructure of one domain of a site."""

    domain: str
    resolved_at: dt.datetime
    addresses: list[str]
    asns: list[int]
    host_organisation: str | None
    cdn: str | None
    registrar: str | None
    abuse_contacts: list[dict[str, Any]]
    failures: list[dict[str, Any]]


class EventPublic(BaseModel):
    at: dt.datetime
    domain: str | None
    kind: str
    old: str | None
    new: str | None
