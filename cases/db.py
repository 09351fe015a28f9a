"""Engines, sessions and the column types every table shares.

One module owns how we talk to the database so that SQLite (the embedded default) and PostgreSQL
(production) behave the same: time stamps always come back timezone-aware in UTC, JSON is JSONB on
PostgreSQL, and SQLite gets the pragmas that make it safe for a web app and a worker at once (WAL,
foreign keys, a busy timeout instead of "database is locked").

Nothing here connects at import time: callers build an engine with :func:`make_engine`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from annotated_types import Ge, Le
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session


class SafeJSON(sa.types.TypeDecorator[Any]):
    """JSON on SQLite, JSONB on PostgreSQL, with every string made storable first.

    What JSON columns hold comes from outside (crawled titles, registry answers, delivery replies),
    and PostgreSQL refuses NUL in JSONB (``unsupported Unicode escape sequence``) as it does lone
    surrogates: one such character would fail the whole transaction that stores a crawl or a
    resolution. Here, at the one place every JSON value passes, NUL is dropped and lone surrogates
    become U+FFFD, in keys and values, on both stores alike.
    """

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else sa.JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return storable(value)


def storable(value: Any) -> Any:
    """`value` (JSON-shaped data) with NUL removed and lone surrogates replaced in every string."""
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "")
        try:
            value.encode("utf-8")  # fast in C; the slow path below only for a string that needs it
        except UnicodeEncodeError:
            value = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
        return value
    if isinstance(value, dict | list) and _already_storable(value):
        return value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def _already_storable(value: dict[Any, Any] | list[Any]) -> bool:
    """Whether no string inside `value` holds NUL or a lone surrogate: one pass of the C encoder
    (NUL comes out as ``\u0000``, a lone surrogate raw, which UTF-8 refuses) instead of a Python
    call per value, for the common case of a payload with nothing to fix."""
    try:
        text = json.dumps(value, ensure_ascii=False)
        text.encode("utf-8")
    except (TypeError, ValueError):  # not JSON-shaped, or a lone surrogate: the walk decides
        return False
    return "\\u0000" not in text


#: JSON column type: JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONType = SafeJSON()


#: An id a caller sends (path, query or body): a row id of ours, so within the store's INTEGER range.
#: Out of range is a 422 at the door instead of an overflow error from the database.
DbId = Annotated[int, Ge(1), Le(2**31 - 1)]


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC (the only time zone the store knows)."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite has no time zone type and hands back naive datetimes; PostgreSQL's ``timestamptz`` hands
    back aware ones. Normalising here means no caller ever compares naive with aware values.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            # Stored naive (ISO text); the column is UTC by contract.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# Constraint names follow one convention so that Alembic migrations can refer to them on both
# dialects (SQLite's batch mode needs named constraints to alter tables).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def sqlite_url_for(data_dir: Path) -> str:
    """The SQLite URL of the embedded store inside `data_dir`."""
    return f"sqlite:///{(data_dir / 'piratewatch.db').as_posix()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock at BEGIN, not at the first write: two writers that both read first and
    # then write would otherwise deadlock into SQLITE_BUSY instead of queueing on busy_timeout.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    """Build an engine for `url` (``sqlite:///...`` or ``postgresql+psycopg://...``).

    The SQLite parent directory is created if missing, so the embedded default works on a fresh
    machine with no setup.
    """
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling is switched off so that BEGIN IMMEDIATE is ours.
        sa.event.listen(engine, "connect", lambda dbapi_conn, _rec: setattr(dbapi_conn, "isolation_level", None))
        sa.event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return sa.create_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit (API responses read them)."""
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session inside one transaction: committed on success, rolled back on any error."""
    with factory() as session, session.begin():
        yield session
