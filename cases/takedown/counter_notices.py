"""Counter-notices and objections, with their clocks.

**DMCA §512(g).** A poster whose material was taken down may send the provider a counter-notice
(§512(g)(3)). The provider then restores the material "not less than 10, nor more than 14, business
days following receipt of the counter notice, unless its designated agent first receives notice from
the person who submitted the notification … that such person has filed an action seeking a court
order to restrain the subscriber" (§512(g)(2)(C)). So a counter-notice starts a clock: from its 10th
business day the content may come back; by the 14th it will have. The only thing that stops it is the
rights holder's action, recorded here by the operator (:func:`record_action_filed`).

**Japan.** Under the law on dealing with rights infringement through specified telecommunications
(情報流通プラットフォーム対処法, Art. 3(2)(ii)), a provider that receives a request may ask the poster
whether they agree to the removal; if the poster does not object within **7 days**, the provider may
remove the content without liability to them. The provider's inquiry starts that clock
(:func:`record_poster_inquiry`); an objection is a rejection the operator decides on, and when the 7
days are over without one the notice is watched again as acknowledged.

Business days are Monday to Friday; public holidays are not left out, so the dates computed may be a
holiday early (the warning comes early, never late).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.services import Actor, set_audited
from cases.db import utcnow
from cases.errors import ConflictError, InvalidInputError
from cases.takedown.models import LegalBasis, Notice, NoticeReply, NoticeState
from cases.takedown.services import get_notice
from cases.takedown.states import move
from common.text import scrub, scrub_block

S = NoticeState
DMCA_COUNTER = "dmca_512g"
JP_OBJECTION = "jp_objection"
#: §512(g)(2)(C): restore not less than 10, nor more than 14, business days after the counter-notice
RESTORE_EARLIEST_BUSINESS_DAYS = 10
RESTORE_LATEST_BUSINESS_DAYS = 14
#: Art. 3(2)(ii): the poster's 7 days to object
POSTER_OBJECTION_DAYS = 7


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """`start` moved on by `days` business days (Monday to Friday), the time of day kept."""
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


#: how far ahead of the store's clock a time given for a step may be (an operator's clock, a time zone
#: written as UTC); later than that it has not happened yet
FUTURE_TOLERANCE = dt.timedelta(days=1)
#: no step of a notice happened before this (a time before it is a typing error, or a hostile value)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def moment(value: dt.datetime | None, now: dt.datetime, field: str) -> dt.datetime:
    """`value` as an aware UTC time (naive: taken as UTC; None: `now`), or :class:`InvalidInputError`
    naming `field` for a time that cannot be a step of a notice (before 2000, more than a day ahead,
    or one whose offset carries it out of the calendar)."""
    if value is None:
        return now
    try:
        aware = (value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise InvalidInputError([f"{field}: {value.isoformat()} is outside the calendar in UTC"]) from None
    if aware < EARLIEST:
        raise InvalidInputError([f"{field}: {aware.isoformat()} is before {EARLIEST.year}"])
    if aware > now + FUTURE_TOLERANCE:
        raise InvalidInputError([f"{field}: {aware.isoformat()} has not happened yet (now {now.isoformat()})"])
    return aware


def _keep(
    session: Session, notice: Notice, body: str | None, sender: str | None = None, subject: str | None = None
) -> None:
    """Keep what the provider forwarded (the counter-notice, the inquiry) as a reply of the notice."""
    reply = NoticeReply(
        notice_id=notice.id or 0,
        kind="counter_notice",
        body=scrub_block(body),
        sender=scrub(sender, max_length=300),
        subject=scrub(subject, max_length=1000),
    )
    session.add(reply)
    session.flush()


def record_counter_notice(
    session: Session,
    actor: Actor,
    notice_id: int,
    *,
    received_at: dt.datetime | None = None,
    body: str | None = None,
    sender: str | None = None,
    subject: str | None = None,
) -> Notice:
    """A §512(g) counter-notice on a sent DMCA notice, received by the provider at `received_at` (default now).

    Starts the clock: ``clock_ends_at`` the 10th business day, ``restore_latest_at`` the 14th.
    :class:`ConflictError` for a notice that is not a sent DMCA notice, or already countered.
    """
    received = moment(received_at, utcnow(), "received_at")
    notice = get_notice(session, notice_id)
    if notice.legal_basis != LegalBasis.DMCA:
        raise ConflictError(
            f"notice {notice_id} is {notice.legal_basis}: a §512(g) counter-notice answers a DMCA notice"
        )
    if notice.sent_at is not None and received < notice.sent_at:
        raise ConflictError(f"notice {notice_id} was sent at {notice.sent_at.isoformat()}: no counter-notice before")
    move(session, notice, S.COUNTER_NOTICED, actor)
    clock = {
        "counter_kind": DMCA_COUNTER,
        "counter_received_at": received,
        "clock_ends_at": add_business_days(received, RESTORE_EARLIEST_BUSINESS_DAYS),
        "restore_latest_at": add_business_days(received, RESTORE_LATEST_BUSINESS_DAYS),
    }
    set_audited(session, actor, "notice", notice, clock)
    _keep(session, notice, body, sender, subject)
    session.add(notice)
    return notice


def record_action_filed(
    session: Session, actor: Actor, notice_id: int, *, filed_at: dt.datetime | None = None
) -> Notice:
    """The operator's step: the rights holder filed an action against the poster (the content stays down).

    Allowed while the counter-notice's clock runs and after it (a late action is still recorded, and
    the notice says it was filed after the 10th business day).
    """
    filed = moment(filed_at, utcnow(), "filed_at")
    notice = get_notice(session, notice_id)
    move(session, notice, S.ACTION_FILED, actor)
    set_audited(session, actor, "notice", notice, {"action_filed_at": filed})
    session.add(notice)
    return notice


def record_poster_inquiry(
    session: Session,
    actor: Actor,
    notice_id: int,
    *,
    inquired_at: dt.datetime | None = None,
    body: str | None = None,
) -> Notice:
    """A Japanese provider asked the poster whether they object (Art. 3(2)(ii)); the 7 days start at `inquired_at`."""
    inquired = moment(inquired_at, utcnow(), "inquired_at")
    notice = get_notice(session, notice_id)
    if notice.legal_basis != LegalBasis.JP_PLA:
        raise ConflictError(
            f"notice {notice_id} is {notice.legal_basis}: the poster's 7 days apply to the Japanese request"
        )
    move(session, notice, S.POSTER_INQUIRED, actor)
    clock = {
        "counter_kind": JP_OBJECTION,
        "counter_received_at": inquired,
        "clock_ends_at": inquired + dt.timedelta(days=POSTER_OBJECTION_DAYS),
    }
    set_audited(session, actor, "notice", notice, clock)
    _keep(session, notice, body)
    session.add(notice)
    return notice


def mark_objection(session: Session, actor: Actor, notice: Notice) -> None:
    """Mark a Japanese request the poster objected to (read from a reply) as ended by their objection."""
    if notice.counter_kind != JP_OBJECTION:
        set_audited(session, actor, "notice", notice, {"counter_kind": JP_OBJECTION})
        session.add(notice)


@dataclass(frozen=True)
class ClockOut:
    """A clock that ran out in this round, and what that means."""

    notice_id: int
    kind: str
    ended_at: dt.datetime
    state: str
    meaning: str


def clock_ran_out(now: dt.datetime) -> sa.ColumnElement[bool]:
    """A notice whose counter-notice or objection clock ended by `now`."""
    return sa.and_(
        col(Notice.state).in_([S.COUNTER_NOTICED.value, S.POSTER_INQUIRED.value]), col(Notice.clock_ends_at) <= now
    )


def run_out_clocks(session: Session, actor: Actor, now: dt.datetime | None = None) -> list[ClockOut]:
    """Move every notice whose clock ran out: a counter-notice without action → ``restore_expected``;
    the poster's 7 days without objection → ``acknowledged`` (the provider may now remove the content)."""
    now = now or utcnow()
    due = session.exec(select(Notice).where(clock_ran_out(now)).order_by(col(Notice.clock_ends_at), col(Notice.id)))
    out = []
    for notice in list(due):
        assert notice.clock_ends_at is not None
        if notice.state == S.COUNTER_NOTICED:
            latest = notice.restore_latest_at.date().isoformat() if notice.restore_latest_at else "?"
            meaning = f"no action filed within 10 business days: the provider may restore the content (by {latest})"
            move(session, notice, S.RESTORE_EXPECTED, actor)
        else:
            meaning = "the poster's 7 days passed without an objection: the provider may remove the content"
            move(session, notice, S.ACKNOWLEDGED, actor)
        out.append(ClockOut(notice.id or 0, notice.counter_kind or "", notice.clock_ends_at, notice.state, meaning))
    return out
