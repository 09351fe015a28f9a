"""What a notice's counter-notice or objection clock shows: its dates, whether it still runs, what the
state means for the content, and which operator steps the state allows now.

One reading for the API (``GET /api/v1/notices/{id}/clock``) and the command line (``notices clock``),
so both say the same thing of the same notice.
"""

from __future__ import annotations

import datetime as dt

from cases.takedown.counter_notices import DMCA_COUNTER, JP_OBJECTION
from cases.takedown.models import LegalBasis, Notice, NoticeState
from cases.takedown.schemas import ClockPublic
from cases.takedown.states import can_move

S = NoticeState


def _day(value: dt.datetime | None) -> str:
    return value.date().isoformat() if value is not None else "?"


def next_steps(notice: Notice) -> list[str]:
    """The operator's counter-notice steps the notice's state and basis allow now (command names)."""
    state = NoticeState(notice.state)
    steps = []
    if notice.legal_basis == LegalBasis.DMCA and can_move(state, S.COUNTER_NOTICED):
        steps.append("counter-notice")
    if notice.legal_basis == LegalBasis.JP_PLA and can_move(state, S.POSTER_INQUIRED):
        steps.append("poster-inquired")
    if notice.counter_kind == DMCA_COUNTER and can_move(state, S.ACTION_FILED):
        steps.append("action-filed")
    if can_move(state, S.RESTORED):
        steps.append("restored")
    return steps


def meaning(notice: Notice, now: dt.datetime) -> str:
    """One sentence: what the notice's counter-notice state means for the content now."""
    state = NoticeState(notice.state)
    received, ends, latest = notice.counter_received_at, notice.clock_ends_at, notice.restore_latest_at
    if state == S.COUNTER_NOTICED:
        return (
            f"a §512(g) counter-notice was received on {_day(received)}: the provider may restore the content "
            f"from {_day(ends)} (the 10th business day) and will by {_day(latest)} (the 14th) unless an action "
            "is filed"
        )
    if state == S.RESTORE_EXPECTED:
        return (
            f"no action filed within 10 business days of the counter-notice ({_day(ends)}): the provider may "
            f"restore the content, by {_day(latest)} at the latest; an action filed now is still recorded"
        )
    if state == S.RESTORED:
        return (
            f"the provider restored the content after the counter-notice (seen {_day(notice.restored_at)}, "
            f"recorded by {notice.restored_by}): {notice.restore_evidence}"
        )
    if state == S.ACTION_FILED:
        late = ends is not None and notice.action_filed_at is not None and notice.action_filed_at > ends
        return f"an action was filed on {_day(notice.action_filed_at)}" + (
            " (after the 10th business day: the provider may already have restored the content)"
            if late
            else ": the content stays down"
        )
    if state == S.POSTER_INQUIRED:
        return (
            f"the provider asked the poster on {_day(received)} whether they object; their 7 days end "
            f"{ends.strftime('%Y-%m-%d %H:%M') if ends else '?'} UTC"
        )
    if notice.counter_kind == JP_OBJECTION and ends is not None:
        if state == S.REJECTED:
            return "the poster objected to the removal: the recipient refused, the operator decides the next step"
        if ends <= now:
            return "the poster's 7 days passed without an objection: the provider may remove the content"
    if notice.counter_kind is None:
        return "no counter-notice or objection recorded"
    return f"the clock of {notice.counter_kind} ended on {_day(ends)}; the notice is {state.value}"


def notice_clock(notice: Notice, now: dt.datetime) -> ClockPublic:
    """The clock of `notice` as the API answers it."""
    running = NoticeState(notice.state) in (S.COUNTER_NOTICED, S.POSTER_INQUIRED) and (
        notice.clock_ends_at is not None and notice.clock_ends_at > now
    )
    return ClockPublic(
        notice_id=notice.id or 0,
        legal_basis=str(notice.legal_basis),
        state=str(notice.state),
        counter_kind=notice.counter_kind,
        counter_received_at=notice.counter_received_at,
        clock_ends_at=notice.clock_ends_at,
        restore_latest_at=notice.restore_latest_at,
        action_filed_at=notice.action_filed_at,
        restored_at=notice.restored_at,
        restored_by=notice.restored_by,
        restore_evidence=notice.restore_evidence,
        running=running,
        meaning=meaning(notice, now),
        next_steps=next_steps(notice),
    )
