"""Writing the audit trail. Every service that changes data takes an :class:`Actor` and calls here."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cases.audit.models import AuditEvent
from cases.base import table_of
from cases.db import UTCDateTime, utcnow
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


_FIELD_NAME = re.compile(r"^[a-z_]+$")


def _json_object(session: Session, values: Mapping[str, sa.ColumnElement[Any]]) -> sa.ColumnElement[str]:
    """The JSON text of an object built by the database from column values."""
    pairs: list[Any] = []
    postgres = session.get_bind().dialect.name == "postgresql"
    for name, value in values.items():
        # Field names are our own constants (checked), never input: safe as SQL literals.
        assert _FIELD_NAME.match(name), name
        pairs.append(sa.literal_column(f"'{name}'"))
        if not postgres and isinstance(value.type, sa.Boolean):
            value = sa.func.json(sa.case((value, "true"), else_="false"))  # SQLite stores 0/1
        pairs.append(value)
    if postgres:
        # jsonb's text form has the same separators as json.dumps (", " and ": ").
        return sa.cast(sa.func.jsonb_build_object(*pairs), sa.Text)
    return sa.func.json_object(*pairs)


def record_created_from(session: Session, actor: Actor, entity_type: str, query: sa.Select[*tuple[Any, ...]]) -> int:
    """Audit the creation of every entity `query` selects, in one ``INSERT ... SELECT``.

    `query` selects the entity's id first, then its initial values, each labelled with its field
    name; the database writes those as the event's JSON ``new_value``. A bulk import creates
    thousands of sites, domains and submissions at a time: their events are built where the rows
    are, instead of being serialised in Python and sent back. Returns how many were written.
    """
    rows = query.subquery()
    entity_id, *values = list(rows.c)
    at = utcnow()
    events = table_of(AuditEvent)
    insert = events.insert().from_select(
        ["at", "actor", "association_id", "action", "entity_type", "entity_id", "field", "new_value", "request_id"],
        sa.select(
            sa.literal(at, UTCDateTime()),
            sa.literal(actor.name, sa.String()),
            sa.literal(actor.association_id, sa.Integer()),
            sa.literal("create", sa.String()),
            sa.literal(entity_type, sa.String()),
            sa.cast(entity_id, sa.String()),
            sa.literal("*", sa.String()),
            _json_object(session, {c.name: c for c in values}),
            sa.literal(actor.request_id, sa.String()),
        ).select_from(rows),
    )
    return int(session.execute(insert).rowcount or 0)  # type: ignore[attr-defined]
