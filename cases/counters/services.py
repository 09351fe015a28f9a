"""Adding to operation counters, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from cases.base import table_of
from cases.counters.models import OperationCounter
from cases.counters.names import Increment
from cases.db import utcnow


def add_counts(session: Session, increments: Iterable[Increment]) -> None:
    """Add `increments` to their counters (created at zero when new).

    One ``INSERT ... ON CONFLICT DO UPDATE SET value = value + excluded.value`` on both stores. Rows
    are written in key order so that two jobs adding to the same counters at once queue on the
    same first row instead of deadlocking on PostgreSQL.
    """
    totals: dict[tuple[str, str], float] = {}
    for inc in increments:
        totals[(inc.name, inc.labels)] = totals.get((inc.name, inc.labels), 0.0) + inc.value
    if not totals:
        return
    now = utcnow()
    rows = [{"name": n, "labels": lb, "value": v, "updated_at": now} for (n, lb), v in sorted(totals.items())]
    table = table_of(OperationCounter)
    dialect: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name", "labels"],
        set_={"value": table.c.value + stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
    )
    for row in rows:  # one statement per row: executemany would not keep the lock order on PostgreSQL
        session.execute(stmt, row)
