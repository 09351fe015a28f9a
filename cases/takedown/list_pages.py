"""Pages of the operators' lists, by cursor: the review queue (due first) and notices by state (newest first).

A cursor is the last notice id of the page before (``cases.pagination``). The queue's order is
``(due_at NULLS LAST, id)``, so its next page starts after that notice's own ``(due_at, id)``, read
back from the store: one opaque number for the caller, a keyset walk of the ``ix_notice_queue`` index.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.base import table_of
from cases.db import utcnow
from cases.pagination import decode_cursor, encode_cursor
from cases.takedown.models import Notice
from cases.takedown.review import QueueFilters, _filter_sql, _filter_values, _order
from cases.tenants.services import Principal


@dataclass(frozen=True)
class NoticePage:
    """One page of notices and the cursor of the next (None: this is the last)."""

    notices: list[Notice]
    next_cursor: str | None


def _page(rows: list[Notice], limit: int) -> NoticePage:
    more = len(rows) > limit
    rows = rows[:limit]
    return NoticePage(rows, encode_cursor(rows[-1].id or 0) if more and rows else None)


def queue_page(session: Session, filters: QueueFilters, limit: int, cursor: str | None = None) -> NoticePage:
    """Notices waiting for review, due first, `limit` at a time."""
    notice = table_of(Notice)
    values = _filter_values(filters, utcnow())
    query = sa.select(Notice).where(*_filter_sql(values)).order_by(*_order()).limit(limit + 1)
    after_id = decode_cursor(cursor)
    if after_id is not None:
        last = session.get(Notice, after_id)
        due = last.due_at if last is not None else None
        if due is None:  # past the dated notices: the undated ones, by id
            query = query.where(notice.c.due_at.is_(None), notice.c.id > after_id)
        else:
            query = query.where(
                sa.or_(
                    notice.c.due_at > due,
                    sa.and_(notice.c.due_at == due, notice.c.id > after_id),
                    notice.c.due_at.is_(None),
                )
            )
    return _page(list(session.scalars(query, values)), limit)


def notices_page(
    session: Session, principal: Principal, state: str | None, limit: int, cursor: str | None = None
) -> NoticePage:
    """Notices newest first, optionally in one state (a submitter: its association's only)."""
    query = sa.select(Notice).order_by(sa.desc(col(Notice.id))).limit(limit + 1)
    if state:
        query = query.where(col(Notice.state) == state)
    if not principal.sees_everything:
        query = query.where(col(Notice.association_id) == principal.association_id)
    before_id = decode_cursor(cursor)
    if before_id is not None:
        query = query.where(col(Notice.id) < before_id)
    return _page(list(session.scalars(query)), limit)
