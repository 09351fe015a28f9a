"""The takedown work that runs on its own, in order: settle interrupted sends, send approved notices,
check whether sent URLs are gone, run out the counter-notice and objection clocks, look for content
restored after a counter-notice, and escalate what nobody acted on (recipients' rejections once no
operator decided on them for the configured days).

Checking outcomes comes before escalating, so a notice whose content went down in the meantime is
recorded as actioned instead of climbing the ladder. ``piratewatch run`` does this after each pass,
workers do it as one task (the scheduler queues it whenever :func:`has_work` says so), and
``piratewatch notices upkeep`` does it once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.takedown.counter_notices import ClockOut, clock_ran_out, run_out_clocks
from cases.takedown.decisions import DEFAULT_DECISION_WAIT, Decision, escalate_undecided, undecided_too_long
from cases.takedown.delivery.channels import Channel
from cases.takedown.delivery.outbox import IN_FLIGHT, reconcile
from cases.takedown.delivery.results import SendResult, send_results
from cases.takedown.delivery.sending import send_approved
from cases.takedown.escalation import escalate_overdue, overdue, to_escalate
from cases.takedown.models import DeliveryAttempt, ItemOutcome, Notice, NoticeItem, NoticeState
from cases.takedown.recheck import Recheck
from cases.takedown.replies import check_outcomes
from cases.takedown.restores import check_restore, notices_due_for_restore_check, restore_check_due
from common.text import scrub

log = logging.getLogger(__name__)
S = NoticeState
#: notices whose URLs may still be up: their items are checked again now and then
_WATCHED = (S.SENT, S.DELIVERED, S.ACKNOWLEDGED, S.NO_RESPONSE, S.POSTER_INQUIRED)

#: how often a sent notice's URLs are checked again
OUTCOME_CHECK_EVERY = dt.timedelta(days=1)


@dataclass
class UpkeepReport:
    """What one round of upkeep did."""

    settled: dict[int, str] = field(default_factory=dict)
    #: every notice the round tried to send, with what happened to it
    sends: list[SendResult] = field(default_factory=list)
    checked: dict[int, str] = field(default_factory=dict)
    escalated: dict[int, int | None] = field(default_factory=dict)
    #: counter-notice and objection clocks that ran out in this round
    clocks: list[ClockOut] = field(default_factory=list)
    #: ``restore_expected`` notices whose content this round saw live again (now ``restored``)
    restored: list[int] = field(default_factory=list)
    #: recipients' rejections left undecided too long, escalated by this round (also in `escalated`)
    undecided: list[Decision] = field(default_factory=list)

    @property
    def sent(self) -> list[int]:
        """The notices that really left in this round."""
        return [s.notice_id for s in self.sends if s.sent]


def _outcome_check_due(every: dt.timedelta, now: dt.datetime) -> sa.ColumnElement[bool]:
    item_due = sa.exists().where(
        col(NoticeItem.notice_id) == col(Notice.id),
        col(NoticeItem.outcome).in_([ItemOutcome.PENDING.value, ItemOutcome.STILL_LIVE.value]),
        sa.or_(col(NoticeItem.checked_at).is_(None), col(NoticeItem.checked_at) <= now - every),
    )
    return sa.and_(col(Notice.state).in_([s.value for s in _WATCHED]), item_due)


def notices_due_for_outcome_check(session: Session, every: dt.timedelta, limit: int, now: dt.datetime) -> list[int]:
    """Sent notices with an item not checked for `every` (oldest sent first)."""
    query = sa.select(col(Notice.id)).where(_outcome_check_due(every, now)).order_by(col(Notice.sent_at)).limit(limit)
    return [int(i or 0) for i in session.scalars(query)]


def has_work(
    session: Session,
    *,
    outcome_every: dt.timedelta = OUTCOME_CHECK_EVERY,
    decision_wait: dt.timedelta = DEFAULT_DECISION_WAIT,
    now: dt.datetime | None = None,
) -> bool:
    """Whether a round of upkeep would do anything: something to send, settle, check or escalate."""
    now = now or utcnow()
    conditions = [
        sa.exists().where(col(Notice.state) == S.APPROVED.value),
        # Any send in flight: reconcile settles it once it is old or its sender is gone (which SQL cannot tell).
        sa.exists().where(col(DeliveryAttempt.state) == "sending"),
        sa.exists().where(_outcome_check_due(outcome_every, now)),
        sa.exists().where(overdue(now)),
        sa.exists().where(to_escalate(now)),
        sa.exists().where(clock_ran_out(now)),
        sa.exists().where(restore_check_due(outcome_every, now)),
        sa.exists().where(undecided_too_long(now, decision_wait)),
    ]
    return bool(session.scalar(sa.select(sa.or_(*conditions))))


async def run_upkeep(
    factory: sessionmaker[Session],
    actor: Actor,
    channels: Mapping[str, Channel],
    checker: Recheck,
    *,
    recheck_before_send: bool = True,
    batch: int = 100,
    in_flight: dt.timedelta = IN_FLIGHT,
    outcome_every: dt.timedelta = OUTCOME_CHECK_EVERY,
    decision_wait: dt.timedelta = DEFAULT_DECISION_WAIT,
) -> UpkeepReport:
    """One round: settle, send (each notice by its recipient's channel), check outcomes, escalate.

    `checker` fetches the URLs (pre-send re-check and outcome checks alike); at most `batch` notices
    are sent and `batch` checked per round. With no channel configured nothing is sent. A recipient's
    rejection undecided for `decision_wait` is escalated, recorded as upkeep's decision.
    """
    report = UpkeepReport()
    if channels:
        report.settled = await reconcile(factory, actor, dict(channels), in_flight)
        sent = await send_approved(factory, actor, channels, batch, checker if recheck_before_send else None)
        with factory() as session:
            report.sends = send_results(session, sent)
    with factory() as session:
        due = notices_due_for_outcome_check(session, outcome_every, batch, utcnow())
    for notice_id in due:
        try:
            report.checked[notice_id] = (await check_outcomes(factory, actor, notice_id, checker)).value
        except Exception as exc:  # one notice's fault is reported with it; the round goes on
            log.exception("notice %s: the outcome check failed", notice_id)
            report.checked[notice_id] = f"check failed: {scrub(f'{type(exc).__name__}: {exc}', max_length=300)}"
    with transaction(factory) as session:
        report.clocks = run_out_clocks(session, actor)
    with factory() as session:
        restores = notices_due_for_restore_check(session, outcome_every, batch, utcnow())
    for notice_id in restores:
        try:
            if (await check_restore(factory, actor, notice_id, checker)).restored:
                report.restored.append(notice_id)
        except Exception as exc:  # as for outcome checks: reported with the notice, the round goes on
            log.exception("notice %s: the restore check failed", notice_id)
            report.checked[notice_id] = f"restore check failed: {scrub(f'{type(exc).__name__}: {exc}', max_length=300)}"
    with transaction(factory) as session:
        report.escalated = {e.notice_id: e.new_notice_id for e in escalate_overdue(session, actor)}
        report.undecided = escalate_undecided(session, actor, decision_wait)
        report.escalated.update({d.notice_id: d.new_notice_id for d in report.undecided})
    return report
