"""Writing the audit trail. Every service that changes data takes an :class:`Actor` and calls here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cases.audit.models import AuditEvent
from cases.base import table_of
from cases.db import UTCDateTime, storable, utcnow
from cases.sqlutil import insert_rows, is_postgres, key_in


@dataclass(frozen=True)
class Actor:
    """Who is acting, for the audit trail: ``key:12``, ``cli:alice``, ``system:scheduler``."""

    name: str
    association_id: int | None = None
    request_id: str | None = None

    def for_association(self, association_id: int | None) -> Actor:
        """The same actor, acting for `association_id` (what the audit trail records of a submission)."""
        return dataclasses.replace(self, association_id=association_id)


def _text(value: Any) -> str | None:
    # An audited value may be what a registry or a page said: never one a store refuses (NUL, lone surrogates).
    if value is None:
        return None
    if isinstance(value, str):
        return storable(value)  # type: ignore[no-any-return]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return json.dumps(storable(value), ensure_ascii=False, sort_keys=True, default=str)


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


def set_audited(session: Session, actor: Actor, entity_type: str, entity: Any, values: Mapping[str, Any]) -> None:
    """Set `values` on `entity` (attributes by name), each with its update event, old and new value.

    Every field given is recorded, changed or not: a step that sets it (a counter-notice's dates, a
    decision) is itself what the trail shows.
    """
    changes = [updated(entity_type, entity.id, name, getattr(entity, name), value) for name, value in values.items()]
    for name, value in values.items():
        setattr(entity, name, value)
    record(session, actor, changes)


_BUFFER = "piratewatch.audit_buffer"


@contextmanager
def recorded_together(session: Session) -> Iterator[None]:
    """Within the block, :func:`record` collects rows; they are written in one statement at its end.

    For a run of small changes in one transaction (a batch of notices settled after sending): one
    insert instead of one per step. The rows are written before the block ends, so the transaction
    still commits them or none.
    """
    if _BUFFER in session.info:  # already collecting: the outer block writes them
        yield
        return
    buffer: list[dict[str, Any]] = []
    session.info[_BUFFER] = buffer
    try:
        yield
    finally:
        del session.info[_BUFFER]
    if buffer:
        insert_rows(session, table_of(AuditEvent), buffer)


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
    buffer: list[dict[str, Any]] | None = session.info.get(_BUFFER)
    if buffer is not None:
        buffer.extend(rows)
    elif rows:
        insert_rows(session, table_of(AuditEvent), rows)
    return len(rows)


def updates_from(entity_type: str, rows: sa.FromClause, entity_id: sa.ColumnElement[Any], field: str) -> sa.Insert:
    """``INSERT INTO audit_event ... SELECT``: the same one-field update event for every row of `rows`.

    For a change made by the same statement: on PostgreSQL, `rows` is a data-modifying CTE's
    RETURNING rows, and the events are written in the change's own statement and transaction,
    without a round trip of their own. Who, when and the values are parameters
    (:func:`update_event_values`), so the statement can be built once and kept.
    """
    # Entity and field names are our own constants (checked), never input: safe as SQL literals.
    assert _FIELD_NAME.match(entity_type), entity_type
    assert _FIELD_NAME.match(field), field
    return (
        table_of(AuditEvent)
        .insert()
        .from_select(
            [*_EVENT_COLUMNS, "old_value"],
            sa.select(
                sa.bindparam("event_at", type_=UTCDateTime()),
                sa.bindparam("event_actor", type_=sa.String()),
                sa.bindparam("event_association_id", type_=sa.Integer()),
                sa.literal_column("'update'"),
                sa.literal_column(f"'{entity_type}'"),
                sa.cast(entity_id, sa.String()),
                sa.literal_column(f"'{field}'"),
                sa.bindparam("event_new", type_=sa.String()),
                sa.bindparam("event_request_id", type_=sa.String()),
                sa.bindparam("event_old", type_=sa.String()),
            ).select_from(rows),
        )
    )


def update_event_values(actor: Actor, at: dt.datetime, old: Any, new: Any) -> dict[str, Any]:
    """The parameters of an :func:`updates_from` statement."""
    return {
        "event_at": at,
        "event_actor": actor.name,
        "event_association_id": actor.association_id,
        "event_request_id": actor.request_id,
        "event_old": _text(old),
        "event_new": _text(new),
    }


_FIELD_NAME = re.compile(r"^[a-z_]+$")


def _json_object(postgres: bool, values: Mapping[str, sa.ColumnElement[Any]]) -> sa.ColumnElement[str]:
    """The JSON text of an object built by the database from column values."""
    pairs: list[Any] = []
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


@dataclass(frozen=True, eq=False)
class Creations:
    """How to audit the creation of one kind of entity from the rows themselves.

    `select` builds, given the condition "this id column is one of the given ids", a query of
    the entity's id first, then its initial values, each labelled with its field name. `name`
    tells two kinds of one entity type apart (it names their ids' parameter).
    """

    entity_type: str
    select: Callable[[Callable[[Any], sa.ColumnElement[bool]]], sa.Select[*tuple[Any, ...]]]
    name: str = ""

    @property
    def parameter(self) -> str:
        return f"{self.name or self.entity_type}_ids"


_EVENT_COLUMNS = [
    "at",
    "actor",
    "association_id",
    "action",
    "entity_type",
    "entity_id",
    "field",
    "new_value",
    "request_id",
]


@functools.cache
def _creations_insert(postgres: bool, kinds: tuple[Creations, ...]) -> Any:
    parts: list[sa.Select[*tuple[Any, ...]]] = []
    for kind in kinds:
        rows = kind.select(functools.partial(key_in, postgres, name=kind.parameter)).subquery()
        entity_id, *values = list(rows.c)
        parts.append(
            sa.select(
                sa.bindparam("at", type_=UTCDateTime()),
                sa.bindparam("actor", type_=sa.String()),
                sa.bindparam("association_id", type_=sa.Integer()),
                sa.literal_column("'create'"),
                sa.literal_column(f"'{kind.entity_type}'"),
                sa.cast(entity_id, sa.String()),
                sa.literal_column("'*'"),
                _json_object(postgres, {c.name: c for c in values}),
                sa.bindparam("request_id", type_=sa.String()),
            ).select_from(rows)
        )
    source = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    return table_of(AuditEvent).insert().from_select(_EVENT_COLUMNS, source)


class CreationLog:
    """Creations to audit, written together by :meth:`write` in one ``INSERT ... SELECT``.

    The database builds each event from the new row (its JSON ``new_value`` too). A bulk import
    creates thousands of sites, domains and submissions at a time: their events are built where
    the rows are instead of being serialised in Python and sent back; a one-site API request
    writes all its events in one round trip, with a statement built once per process.
    """

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self._ids: dict[Creations, list[int]] = {}

    def add(self, kind: Creations, ids: Iterable[int]) -> None:
        """Audit the creations that `kind` selects for these ids."""
        self._ids.setdefault(kind, []).extend(ids)

    def write(self, session: Session) -> int:
        """Append the events; returns how many were written."""
        kinds = tuple(k for k, ids in self._ids.items() if ids)
        if not kinds:
            return 0
        params: dict[str, Any] = {
            "at": utcnow(),
            "actor": self.actor.name,
            "association_id": self.actor.association_id,
            "request_id": self.actor.request_id,
        }
        params.update({k.parameter: self._ids[k] for k in kinds})
        self._ids.clear()
        result = session.execute(_creations_insert(is_postgres(session), kinds), params)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
