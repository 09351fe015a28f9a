"""Writing the audit trail. Every service that changes data takes an :class:`Actor` and calls here."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from cases.audit.models import AuditEvent
from cases.base import table_of
from cases.db import utcnow
from cases.sqlutil import insert_rows


@dataclass(frozen=True)
class Actor:
    """Who is acting, for the audit trail: ``key:12``, ``cli:alice``, ``system:scheduler``."""

    name: str
    association_id: int | None = None
    request_id: str | None = None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@dataclass(frozen=True)
class Change:
    """One audited change, before it is written."""

    action: str
    entity_type: str
    entity_id: int | str
    field: str = "*"
    old_value: Any = None
    new_value: Any = None


def created(entity_type: str, entity_id: int | str, values: Mapping[str, Any]) -> Change:
    """The change that records a new entity with its initial values."""
    return Change("create", entity_type, entity_id, "*", None, dict(values))


def updated(entity_type: str, entity_id: int | str, field: str, old: Any, new: Any) -> Change:
    """The change of one field."""
    return Change("update", entity_type, entity_id, field, old, new)


def record(session: Session, actor: Actor, changes: Iterable[Change]) -> int:
    """Append the changes to the audit trail in one statement; returns how many were written."""
    at = utcnow()
    rows = [
        {
            "at": at,
            "actor": actor.name,
            "association_id": actor.association_id,
            "action": c.action,
            "entity_type": c.entity_type,
            "entity_id": str(c.entity_id),
            "field": c.field,
            "old_value": _text(c.old_value),
            "new_value": _text(c.new_value),
            "request_id": actor.request_id,
        }
        for c in changes
    ]
    if rows:
        insert_rows(session, table_of(AuditEvent), rows)
    return len(rows)
