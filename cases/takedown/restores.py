"""Restores after a counter-notice: the content seen live again once the §512(g) clock ran out.

When no action was filed within 10 business days of a counter-notice, the provider may put the
material back (§512(g)(2)(C)); the notice is then ``restore_expected``. Whether it really came back
is not taken on anyone's word: the notice's URLs are fetched again with the same re-check as before
sending (:mod:`cases.takedown.recheck`), and a URL that answers and shows the work again is the
evidence. The restore is recorded with when, who (the operator, or upkeep on its own) and that
evidence; each URL seen live again becomes ``still_live`` with the reason. Every change is audited.

Where the re-check cannot see the page (the site refuses our checker, the material sits behind a
login), an operator may record the restore without it, saying what shows it (a provider's e-mail);
the evidence then says that no re-check confirmed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor, set_audited, updated
from cases.audit.services import record as record_audit
from cases.db import transaction, utcnow
from cases.errors import ConflictError, InvalidInputError
from cases.takedown.counter_notices import moment
from cases.takedown.models import ItemOutcome, Notice, NoticeItem, NoticeState
from cases.takedown.recheck import Recheck, check_urls, titles_of_items
from cases.takedown.services import get_notice
from cases.takedown.states import move
from common.text import scrub

S = NoticeState
#: how many URLs the evidence names (the rest are counted)
_NAMED = 10


@dataclass(frozen=True)
class RestoreCheck:
    """One re-check of a ``restore_expected`` notice: whether it was recorded as restored, and each URL's finding."""

    notice_id: int
    restored: bool
    live: list[str] = field(default_factory=list)
    #: the URLs not live again, with why
    not_live: dict[str, str] = field(default_factory=dict)


def _expected(notice: Notice) -> None:
    if notice.state != S.RESTORE_EXPECTED:
        raise ConflictError(
            f"notice {notice.id} is {notice.state}: a restore is recorded once the counter-notice's "
            "10 business days ran out without an action (restore_expected)"
        )


def _record(session: Session, actor: Actor, notice: Notice, when: dt.datetime, evidence: str) -> None:
    restore = {"restored_at": when, "restored_by": actor.name, "restore_evidence": evidence}
    set_audited(session, actor, "notice", notice, restore)
    move(session, notice, S.RESTORED, actor)


def restore_check_due(every: dt.timedelta, now: dt.datetime) -> sa.ColumnElement[bool]:
    """A ``restore_expected`` notice with an item not fetched for `every` (upkeep looks for the content coming back)."""
    item_due = sa.exists().where(
        col(NoticeItem.notice_id) == col(Notice.id),
        col(NoticeItem.outcome) != ItemOutcome.DROPPED.value,
        sa.or_(col(NoticeItem.checked_at).is_(None), col(NoticeItem.checked_at) <= now - every),
    )
    return sa.and_(col(Notice.state) == S.RESTORE_EXPECTED.value, item_due)


def notices_due_for_restore_check(session: Session, every: dt.timedelta, limit: int, now: dt.datetime) -> list[int]:
    """The ``restore_expected`` notices to fetch again now, the longest waiting first."""
    query = (
        sa.select(col(Notice.id))
        .where(restore_check_due(every, now))
        .order_by(col(Notice.clock_ends_at), col(Notice.id))
        .limit(limit)
    )
    return [int(i or 0) for i in session.scalars(query)]


def restore_items(session: Session, notice_id: int) -> list[NoticeItem]:
    """The items the notice listed when it was sent (those the pre-send re-check dropped never left)."""
    return list(
        session.exec(
            select(NoticeItem)
            .where(col(NoticeItem.notice_id) == notice_id, col(NoticeItem.outcome) != ItemOutcome.DROPPED.value)
            .order_by(col(NoticeItem.id))
        )
    )


async def check_restore(
    factory: sessionmaker[Session], actor: Actor, notice_id: int, policy: Recheck, *, require: bool = False
) -> RestoreCheck:
    """Fetch the URLs of a ``restore_expected`` notice again; any live again (and showing the work) is
    recorded as restored, with those URLs as the evidence.

    With `require` (an operator's step) a notice none of whose URLs is live again is a
    :class:`ConflictError` naming each URL's finding, and nothing is recorded; without it (upkeep)
    the items' check times are kept, so that they are checked again a day later.
    """
    with factory() as session:
        _expected(get_notice(session, notice_id))
        items = restore_items(session, notice_id)
        titles = titles_of_items(session, items)
    if not items:
        raise ConflictError(f"notice {notice_id} lists no URL to check")
    findings = await check_urls(policy, [i.url for i in items], titles)
    live = [i.url for i, f in zip(items, findings, strict=True) if f is None]
    not_live = {i.url: f.reason for i, f in zip(items, findings, strict=True) if f is not None}
    if require and not live:
        why = "; ".join(f"{url}: {reason}" for url, reason in list(not_live.items())[:_NAMED])
        raise ConflictError(f"notice {notice_id}: no URL is live again, so no restore is recorded ({why})")
    with transaction(factory) as session:
        notice = get_notice(session, notice_id)
        _expected(notice)  # an operator may have filed an action while the URLs were fetched
        now = utcnow()
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        for item, finding in zip(items, findings, strict=True):
            row = session.get(NoticeItem, item.id)
            assert row is not None
            assert row.id is not None
            row.checked_at = now
            if finding is None:
                reason = f"live again after the counter-notice: restored (re-check at {stamp})"
                record_audit(session, actor, [updated("notice_item", row.id, "outcome", row.outcome, "still_live")])
                row.outcome, row.outcome_reason = ItemOutcome.STILL_LIVE, reason
            session.add(row)
        if live:
            shown = ", ".join(live[:_NAMED]) + (f" and {len(live) - _NAMED} more" if len(live) > _NAMED else "")
            evidence = f"re-check at {stamp}: {len(live)} of {len(items)} URLs live again: {shown}"
            _record(session, actor, notice, now, evidence)
    return RestoreCheck(notice_id, bool(live), live, not_live)


def record_unchecked_restore(
    session: Session, actor: Actor, notice_id: int, *, note: str, restored_at: dt.datetime | None = None
) -> Notice:
    """An operator's restore without a re-check (the page cannot be fetched by us): `note` says what shows it."""
    when = moment(restored_at, utcnow(), "restored_at")
    text = scrub(note, max_length=2000)
    if not text or not text.strip():
        raise InvalidInputError(["note: say what shows the restore when no re-check confirms it"])
    notice = get_notice(session, notice_id)
    _expected(notice)
    if notice.counter_received_at is not None and when < notice.counter_received_at:
        raise InvalidInputError([f"restored_at: before the counter-notice ({notice.counter_received_at.isoformat()})"])
    _record(session, actor, notice, when, f"recorded without a re-check: {text.strip()}")
    session.add(notice)
    return notice
