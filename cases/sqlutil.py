"""Bulk writes that are fast and idempotent on both SQLite and PostgreSQL.

SQLite: the driver's executemany is fast already. PostgreSQL: rows are streamed with COPY (no SQL
text to build or parse per row) into a temporary staging table, then moved with one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING``. On this project's 2-core test machine that is
several times faster than batched INSERT statements built by the driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects import sqlite
from sqlmodel import Session

# Below this many rows, a plain statement is cheaper than creating and filling a staging table.
_COPY_THRESHOLD = 200


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _adapt(table: sa.Table, columns: Sequence[str]) -> list[bool]:
    """Which columns hold JSON (psycopg needs them wrapped for COPY)."""
    return [isinstance(table.c[c].type, sa.JSON) or "JSON" in type(table.c[c].type).__name__.upper() for c in columns]


def _copy(session: Session, target: str, table: sa.Table, rows: Sequence[dict[str, Any]]) -> list[str]:
    columns = list(rows[0])
    is_json = _adapt(table, columns)
    driver = session.connection().connection.driver_connection
    assert driver is not None
    quoted = ", ".join(f'"{c}"' for c in columns)
    with driver.cursor() as cur, cur.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [Jsonb(row[c]) if j and row[c] is not None else row[c] for c, j in zip(columns, is_json, strict=True)]
            )
    return columns


def insert_ignore(
    session: Session, table: sa.Table, rows: Sequence[dict[str, Any]], conflict_columns: Sequence[str]
) -> None:
    """Insert `rows`, skipping those that collide on `conflict_columns` (idempotent bulk insert)."""
    if not rows:
        return
    if _is_postgres(session):
        if len(rows) < _COPY_THRESHOLD:
            from sqlalchemy.dialects import postgresql

            stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))
            session.execute(stmt, list(rows))
            return
        stage = f'"_stage_{table.name}"'
        session.execute(
            sa.text(
                f'CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS'
            )
        )
        columns = _copy(session, stage, table, rows)
        quoted = ", ".join(f'"{c}"' for c in columns)
        conflict = ", ".join(f'"{c}"' for c in conflict_columns)
        # Identifiers only come from our own table metadata, never from input.
        move = f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM {stage} ON CONFLICT ({conflict}) DO NOTHING'  # noqa: S608
        session.execute(sa.text(move))
        session.execute(sa.text(f"TRUNCATE {stage}"))
        return
    session.execute(sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns)), list(rows))


def insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (no conflict handling): COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if _is_postgres(session) and len(rows) >= _COPY_THRESHOLD:
        _copy(session, f'"{table.name}"', table, rows)
        return
    session.execute(sa.insert(table), list(rows))


def lock_keys(session: Session, namespace: str, keys: Sequence[str]) -> None:
    """Serialise writers that work on the same keys until the transaction ends.

    PostgreSQL: transaction-scoped advisory locks, taken in sorted order (in one statement) so two
    writers cannot deadlock. SQLite needs nothing: every write transaction starts with BEGIN
    IMMEDIATE and holds the single database write lock.
    """
    if not _is_postgres(session) or not keys:
        return
    session.execute(
        sa.text(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) "
            "FROM (SELECT k FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k) AS ordered"
        ),
        {"keys": sorted({f"{namespace}:{k}" for k in keys})},
    )


__all__ = ["insert_ignore", "insert_rows", "lock_keys"]


def one_of(session: Session, column: Any, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """``column IN values``, written so that long lists stay cheap.

    On PostgreSQL the list travels as one array parameter (``= ANY(:values)``): an ``IN`` with
    thousands of placeholders costs more to build and parse than to execute.
    """
    if _is_postgres(session):
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(list(values))  # type: ignore[no-any-return]


def insert_returning_ids(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` and return their new ids, in the order of `rows`.

    PostgreSQL: ids are drawn from the table's sequence in one query, then the rows are copied in
    with their ids. SQLite: a RETURNING insert that SQLAlchemy keeps in parameter order.
    """
    if not rows:
        return []
    if _is_postgres(session) and len(rows) >= _COPY_THRESHOLD:
        ids = [
            int(i)
            for i in session.execute(
                sa.text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                {"t": table.name, "n": len(rows)},
            ).scalars()
        ]
        _copy(session, f'"{table.name}"', table, [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
        return ids
    result = session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), list(rows))
    return [int(r[0]) for r in result]


def refresh_statistics(session: Session, tables: Sequence[str]) -> None:
    """Update the planner's statistics after a bulk load.

    Without this, PostgreSQL plans the first queries after a 100,000-row import as if the tables
    were still empty (autovacuum catches up minutes later): a site page took 40 ms instead of 10.
    """
    if _is_postgres(session):
        for table in tables:
            session.execute(sa.text(f'ANALYZE "{table}"'))
    else:
        session.execute(sa.text("PRAGMA optimize"))
