"""Small SQL helpers that hide the differences between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_ignore(
    session: Session, table: sa.Table, rows: Sequence[dict[str, Any]], conflict_columns: Sequence[str]
) -> None:
    """Insert `rows`, skipping those that collide on `conflict_columns` (idempotent bulk insert)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))
    else:  # pragma: no cover - only the two supported stores exist
        raise NotImplementedError(dialect)
    session.execute(stmt, list(rows))


def lock_keys(session: Session, namespace: str, keys: Sequence[str]) -> None:
    """Serialise writers that work on the same keys until the transaction ends.

    PostgreSQL: transaction-scoped advisory locks, taken in sorted order so two writers cannot
    deadlock. SQLite needs nothing: every write transaction starts with BEGIN IMMEDIATE and holds
    the single database write lock.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"{namespace}:{key}"})
