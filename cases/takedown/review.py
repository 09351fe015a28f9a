"""The operators' queue: claim the next notice to review, approve, reject, bulk approve.

Two operators must never get the same notice. PostgreSQL: the candidate row is locked with
``FOR UPDATE SKIP LOCKED``, so concurrent claimers each skip rows another has locked instead of
waiting on them. SQLite: one conditional ``UPDATE ... WHERE id = (SELECT ...) RETURNING`` inside the
``BEGIN IMMEDIATE`` transaction every writer takes, so claimers are serialised by the database's
single write lock and the second sees the row already claimed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cases.audit.services import Actor, update_event_values, updated, updates_from
from cases.audit.services import record as record_audit
from cases.base import table_of
from cases.db import utcnow
from cases.errors import CasesError, ConflictError, InvalidInputError, message_of
from cases.messages import said
from cases.providers.models import Provider
from cases.sqlutil import is_postgres
from cases.takedown.models import ItemOutcome, Notice, NoticeItem, NoticeState
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


def _filter_values(filters: QueueFilters, now: dt.datetime) -> dict[str, Any]:
    """The values of the filters that are set, by the name of their parameter in :func:`_filter_sql`.

    The names are not those of columns: an UPDATE reserves those for its SET clause.
    """
    values: dict[str, Any] = {}
    if filters.association_id is not None:
        values["filter_association"] = filters.association_id
    if filters.legal_basis:
        values["filter_basis"] = filters.legal_basis
    if filters.recipient_kind:
        values["filter_kind"] = filters.recipient_kind
    if filters.due_within is not None:
        values["filter_due_before"] = now + filters.due_within
    return values


def _filter_sql(names: Collection[str]) -> list[sa.ColumnElement[bool]]:
    """The queue's conditions with the filters named in `names`, each value a parameter.

    The SQL depends only on which filters are set, not on their values, so a statement built from
    it can be built once and kept (:func:`_claim_statement`).
    """
    notice = table_of(Notice)
    # The state is written into the SQL, not bound: the partial indexes' predicates name it, and a
    # prepared statement's generic plan could not use them with a parameter there.
    in_review: sa.BindParameter[str] = sa.bindparam("in_review", NoticeState.IN_REVIEW.value, literal_execute=True)
    conditions: list[sa.ColumnElement[bool]] = [notice.c.state == in_review]
    if "filter_association" in names:
        conditions.append(notice.c.association_id == sa.bindparam("filter_association"))
    if "filter_basis" in names:
        conditions.append(notice.c.legal_basis == sa.bindparam("filter_basis"))
    if "filter_kind" in names:
        provider = table_of(Provider)
        kind = sa.select(provider.c.id).where(provider.c.kind == sa.bindparam("filter_kind"))
        conditions.append(notice.c.provider_id.in_(kind))
    if "filter_due_before" in names:
        conditions.append(notice.c.due_at <= sa.bindparam("filter_due_before", type_=notice.c.due_at.type))
    return conditions


def _stale_before() -> sa.BindParameter[dt.datetime]:
    return sa.bindparam("stale_before", type_=table_of(Notice).c.claimed_at.type)


def _unclaimed() -> sa.ColumnElement[bool]:
    notice = table_of(Notice)
    return sa.or_(notice.c.claimed_by.is_(None), notice.c.claimed_at < _stale_before())


#: Never-claimed notices first (a walk on the partial index ``ix_notice_unclaimed``), then claims gone stale.
_CLAIMABLE = ("never claimed", "stale")


def _claimable(which: str) -> sa.ColumnElement[bool]:
    notice = table_of(Notice)
    if which == "never claimed":
        return notice.c.claimed_by.is_(None)
    return notice.c.claimed_at < _stale_before()


def _order() -> list[Any]:
    notice = table_of(Notice)
    # Due first (no due date last), then oldest: an overdue review must not wait behind new ones.
    # NULLS LAST is PostgreSQL's own ascending order, so the index serves it without a sort.
    return [notice.c.due_at.asc().nulls_last(), notice.c.id]


def list_queue(session: Session, filters: QueueFilters, limit: int = 50, after_id: int | None = None) -> list[Notice]:
    """Notices waiting for review (claimed or not), due first."""
    notice = table_of(Notice)
    values = _filter_values(filters, utcnow())
    query = sa.select(Notice).where(*_filter_sql(values)).order_by(*_order()).limit(limit)
    if after_id is not None:
        query = query.where(notice.c.id > after_id)
    return list(session.scalars(query, values))


def claim_next(session: Session, actor: Actor, filters: QueueFilters | None = None) -> Notice | None:
    """Claim the next notice for review by `actor`; None when nothing is waiting. Never the same notice twice."""
    now = utcnow()
    filters_set = _filter_values(filters or QueueFilters(), now)
    values = filters_set | {"claimer": actor.name, "claim_at": now, "stale_before": now - CLAIM_TIMEOUT}
    postgres = is_postgres(session)
    for which in _CLAIMABLE:
        if postgres:
            statement = _claim_statement(frozenset(filters_set), which)
            claimed = session.scalars(statement, values | update_event_values(actor, now, None, actor.name))
            notice: Notice | None = claimed.one_or_none()
        else:
            notice = _claim_serialised(session, actor, _filter_sql(filters_set), which, values)
        if notice is not None:
            return notice
    return None


@functools.cache
def _claim_statement(filters: frozenset[str], which: str) -> Any:
    """PostgreSQL: pick, lock, claim and audit in one statement, with data-modifying CTEs.

    One round trip instead of an ORM update and an audit insert: with 8 operators claiming at once,
    that doubled the claims per second (docs/performance.md). The CTE that writes the audit event
    reads the claim's RETURNING rows, so the event exists exactly when the claim does. Built once
    per set of `filters` (building it took longer than running it); the values are all parameters.
    """
    notice = table_of(Notice)
    picked = (
        sa.select(notice.c.id)
        .where(*_filter_sql(filters), _claimable(which))
        .order_by(*_order())
        # A literal, not a parameter: a prepared statement's generic plan cannot see a parameter's
        # value, planned for thousands of picked rows and joined them to a scan of the whole table.
        .limit(sa.literal_column("1"))
        .with_for_update(skip_locked=True)
        .cte("picked")
    )
    claimed = (
        sa.update(notice)
        .where(notice.c.id == picked.c.id, _unclaimed())
        .values(claimed_by=sa.bindparam("claimer"), claimed_at=sa.bindparam("claim_at"))
        .returning(*notice.c)
        .cte("claimed")
    )
    audited = updates_from("notice", claimed, claimed.c.id, "claimed_by").cte("audited")
    return (
        sa.select(Notice)
        .from_statement(sa.select(*claimed.c).add_cte(audited))
        .execution_options(populate_existing=True)
    )


def _claim_serialised(
    session: Session, actor: Actor, conditions: list[sa.ColumnElement[bool]], which: str, values: dict[str, Any]
) -> Notice | None:
    """SQLite: pick and claim in one conditional update, under the database's single write lock.

    The outer condition re-checks the row, so a notice claimed by the writer before us is never
    taken twice. RETURNING the whole row as the ORM object: no second round trip to read it.
    """
    notice = table_of(Notice)
    candidate = sa.select(notice.c.id).where(*conditions, _claimable(which)).order_by(*_order()).limit(1)
    claimed = session.scalars(
        sa.update(Notice)
        .where(notice.c.id == candidate.scalar_subquery(), _unclaimed())
        .values(claimed_by=sa.bindparam("claimer"), claimed_at=sa.bindparam("claim_at"))
        .returning(Notice)
        .execution_options(populate_existing=True, synchronize_session=False),
        values,
    ).one_or_none()
    if claimed is not None:
        assert claimed.id is not None
        record_audit(session, actor, [updated("notice", claimed.id, "claimed_by", None, actor.name)])
    return claimed


def _reviewable(session: Session, actor: Actor, notice_id: int) -> Notice:
    notice = get_notice(session, notice_id)
    if notice.state != NoticeState.IN_REVIEW:
        raise ConflictError(said("notice {notice} is {state}, not in review", notice=notice_id, state=notice.state))
    if (
        notice.claimed_by not in (None, actor.name)
        and notice.claimed_at
        and notice.claimed_at > utcnow() - CLAIM_TIMEOUT
    ):
        raise ConflictError(said("notice {notice} is claimed by {holder}", notice=notice_id, holder=notice.claimed_by))
    return notice


def _refuse_without_live_items(session: Session, notice_id: int) -> None:
    """:class:`ConflictError` if the re-check dropped every item of the notice: it would list only dead URLs.

    The reason names the items' own reasons, so the operator sees why (``notices approve`` prints it,
    bulk approve reports it for that notice). Such a notice can only be rejected or sent back to
    draft; a notice with at least one live item is approved, and the send's re-check then judges
    every item again (a dropped one that is live again is listed again).
    """
    item = table_of(NoticeItem)
    rows = session.execute(
        sa.select(item.c.url, item.c.outcome, item.c.outcome_reason).where(item.c.notice_id == notice_id)
    ).all()
    if not rows or any(outcome != ItemOutcome.DROPPED.value for _, outcome, _ in rows):
        return  # a notice without items is the validator's business, not the re-check's
    reasons = "; ".join(f"{url}: {reason or 'dropped'}" for url, _, reason in rows[:5])
    if len(rows) > 5:
        reasons = said("{reasons} (and {more} more)", reasons=reasons, more=len(rows) - 5)
    raise ConflictError(
        said(
            "notice {notice} has no live item: the re-check dropped every URL ({reasons}); "
            "reject it or send it back to draft",
            notice=notice_id,
            reasons=reasons,
        )
    )


def approve(session: Session, actor: Actor, notice_id: int) -> Notice:
    """Approve a notice in review (unless another operator holds it, or it has no live item); it becomes ready to send."""
    notice = _reviewable(session, actor, notice_id)
    _refuse_without_live_items(session, notice_id)
    notice.claimed_by = None
    notice.claimed_at = None
    notice.review_reason = None  # the operator has seen why it came back
    return move(session, notice, NoticeState.APPROVED, actor)


def reject(session: Session, actor: Actor, notice_id: int, reason: str) -> Notice:
    """Reject a notice in review; the reason is required and kept."""
    if not reason.strip():
        raise InvalidInputError([said("reason: a rejection needs a reason")])
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
            refused[notice_id] = message_of(exc)
    return approved, refused
