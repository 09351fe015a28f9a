"""Bulk inserts hand back each row's own id, in the order given, on both stores (the importer links every
site, domain and evidence row by them)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.base import table_of
from cases.db import transaction, utcnow
from cases.sqlutil import insert_returning_ids
from cases.tenants.models import Association


def _names(factory: sessionmaker[Session], ids: list[int]) -> list[str]:
    table = table_of(Association)
    with factory() as session:
        found = dict(session.execute(sa.select(table.c.id, table.c.name).where(table.c.id.in_(ids))).all())
    return [found[i] for i in ids]


def test_bulk_inserted_rows_get_their_own_ids_in_order(factory: sessionmaker[Session]) -> None:
    table = table_of(Association)
    now = utcnow()
    with transaction(factory) as session:
        first = insert_returning_ids(session, table, [{"name": f"a{i}", "created_at": now} for i in range(50)])
    assert len(set(first)) == 50 and _names(factory, first) == [f"a{i}" for i in range(50)]
    with transaction(factory) as session:  # the newest rows gone: new ids are taken after what is left
        session.execute(sa.delete(table).where(table.c.id.in_(first[-5:])))
    with transaction(factory) as session:
        again = insert_returning_ids(session, table, [{"name": f"b{i}", "created_at": now} for i in range(7)])
        one = insert_returning_ids(session, table, [{"name": "c", "created_at": now}])
    assert _names(factory, again) == [f"b{i}" for i in range(7)] and _names(factory, one) == ["c"]
    assert not set(again) & set(first[:-5]) and one[0] not in again
