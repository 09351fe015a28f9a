"""The operators' queue: claim the next notice to review, approve, reject, bulk approve.

Two operators must never get the same notice. PostgreSQL: the candidate row is locked with
``FOR UPDATE SKIP LOCKED``, so concurrent claimers each skip rows another has locked instead of
waiting on them. SQLite: one conditional ``UPDATE ... WHERE id = (SELECT ...) RETURNING`` inside the
``BEGIN IMMEDIATE`` transaction every writer takes, so claimers are serialised by the database's
single write lock and the second sees the row already claimed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cases.audit.services import Actor, updated
from cases.audit.services import record as record_audit
from cases.base import table_of
from cases.db import utcnow
from cases.errors import CasesError, ConflictError, InvalidInputError
from cases.providers.models import Provider
from cases.takedown.models import Notice, NoticeState
from cases.takedown.services import get_notice
from cases.takedown.states import move

#: A claim not acted on for this long is given back to the queue (the operator went home).
CLAIM_TIMEOUT = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class QueueFilters:
    """What an operator wants to see in the queue."""

    association_id: int | None = None
    recipient_kind: str | None = None
    legal_basis: str | None = None
    #: only notices due before now + this
    due_within: dt.timedelta | None = None


def _conditions(filters: QueueFilters, now: dt.datetime) -> list[sa.ColumnElement[bool]]:
    notice = table_of(Notice)
    # The state is written into the SQL, not bound: the partial indexes' predicates name it, and a
    # prepared statement's generic plan could not use them with a parameter there.
    in_review: sa.BindParameter[str] = sa.bindparam("in_review", NoticeState.IN_REVIEW.value, literal_execute=True)
    conditions: list[sa.ColumnElement[bool]] = [notice.c.state == in_review]
    if filters.association_id is not None:
        conditions.append(notice.c.association_id == filters.association_id)
    if filters.legal_basis:
        conditions.append(notice.c.legal_basis == filters.legal_basis)
    if filters.recipient_kind:
        provider = table_of(Provider)
        conditions.append(
            notice.c.provider_id.in_(sa.select(provider.c.id).where(provider.c.kind == filters.recipient_kind))
        )
    if filters.due_within is not None:
        conditions.append(notice.c.due_at <= now + filters.due_within)
    return conditions


def _unclaimed(now: dt.datetime) -> sa.ColumnElement[bool]:
    notice = table_of(Notice)
    return sa.or_(notice.c.claimed_by.is_(None), notice.c.claimed_at < now - CLAIM_TIMEOUT)


def _claimable(now: dt.datetime) -> list[sa.ColumnElement[bool]]:
    """Never-claimed notices first (a walk on the partial index ``ix_notice_unclaimed``), then claims gone stale."""
    notice = table_of(Notice)
    return [notice.c.claimed_by.is_(None), notice.c.claimed_at < now - CLAIM_TIMEOUT]


def _order() -> list[Any]:
    notice = table_of(Notice)
    # Due first (no due date last), then oldest: an overdue review must not wait behind new ones.
    # NULLS LAST is PostgreSQL's own ascending order, so the index serves it without a sort.
    return [notice.c.due_at.asc().nulls_last(), notice.c.id]


def list_queue(session: Session, filters: QueueFilters, limit: int = 50, after_id: int | None = None) -> list[Notice]:
    """Notices waiting for review (claimed or not), due first."""
    notice = table_of(Notice)
    query = sa.select(Notice).where(*_conditions(filters, utcnow())).order_by(*_order()).limit(limit)
    if after_id is not None:
        query = query.where(notice.c.id > after_id)
    return list(session.scalars(query))


def claim_next(session: Session, actor: Actor, filters: QueueFilters | None = None) -> Notice | None:
    """Claim the next notice for review by `actor`; None when nothing is waiting. Never the same notice twice."""
    now = utcnow()
    notice = table_of(Notice)
    conditions = _conditions(filters or QueueFilters(), now)
    for claimable in _claimable(now):
        candidate = sa.select(notice.c.id).where(*conditions, claimable).order_by(*_order()).limit(1)
        if session.get_bind().dialect.name == "postgresql":
            candidate = candidate.with_for_update(skip_locked=True)
        # One statement: pick, lock (PostgreSQL) and claim. The outer condition re-checks the row, so
        # on SQLite a notice claimed by the writer before us is never taken twice.
        # RETURNING the whole row as the ORM object: no second round trip to read the claimed notice.
        claimed = session.scalars(
            sa.update(Notice)
            .where(notice.c.id == candidate.scalar_subquery(), _unclaimed(now))
            .values(claimed_by=actor.name, claimed_at=now)
            .returning(Notice)
            .execution_options(populate_existing=True, synchronize_session=False)
        ).one_or_none()
        if claimed is not None:
            assert claimed.id is not None
            record_audit(session, actor, [updated("notice", claimed.id, "claimed_by", None, actor.name)])
            return claimed
    return None


def _reviewable(session: Session, actor: Actor, notice_id: int) -> Notice:
    notice = get_notice(session, notice_id)
    if notice.state != NoticeState.IN_REVIEW:
        raise ConflictError(f"notice {notice_id} is {notice.state}, not in review")
    if (
        notice.claimed_by not in (None, actor.name)
        and notice.claimed_at
        and notice.claimed_at > utcnow() - CLAIM_TIMEOUT
    ):
        raise ConflictError(f"notice {notice_id} is claimed by {notice.claimed_by}")
    return notice


def approve(session: Session, actor: Actor, notice_id: int) -> Notice:
    """Approve a notice in review (unless another operator holds it); it becomes ready to send."""
    notice = _reviewable(session, actor, notice_id)
    notice.claimed_by = None
    notice.claimed_at = None
    return move(session, notice, NoticeState.APPROVED, actor)


def reject(session: Session, actor: Actor, notice_id: int, reason: str) -> Notice:
    """Reject a notice in review; the reason is required and kept."""
    if not reason.strip():
        raise InvalidInputError(["reason: a rejection needs a reason"])
    notice = _reviewable(session, actor, notice_id)
    assert notice.id is not None
    record_audit(session, actor, [updated("notice", notice.id, "rejection_reason", None, reason.strip())])
    notice.rejection_reason = reason.strip()
    notice.claimed_by = None
    notice.claimed_at = None
    return move(session, notice, NoticeState.REJECTED, actor)


def bulk_approve(session: Session, actor: Actor, notice_ids: Sequence[int]) -> tuple[list[int], dict[int, str]]:
    """Approve several notices; returns the ids approved and, for the others, why not (nothing half-done per notice)."""
    approved: list[int] = []
    refused: dict[int, str] = {}
    for notice_id in dict.fromkeys(notice_ids):
        try:
            with session.begin_nested():
                approve(session, actor, notice_id)
            approved.append(notice_id)
        except CasesError as exc:  # report it and go on: one bad id must not block the batch
            refused[notice_id] = str(exc)
    return approved, refused
