"""The notice state machine: which state may follow which, and the one function that moves a notice.

    draft → in_review → approved → sending → sent → delivered | bounced
    delivered → acknowledged → actioned | partially_actioned | rejected | no_response → escalated

A notice that was never answered may also go from ``sent`` or ``delivered`` to ``no_response``; the
URL check may find the content gone at any point after sending (``actioned``); and
a bounced one back to ``approved`` (to be sent again through another channel). Reviewers can send a
notice back to ``draft``. Counter-notices and objections (``cases.takedown.counter_notices``):

    sent … actioned → counter_noticed → action_filed | restore_expected (→ action_filed | restored | escalated)
    restored → action_filed | escalated
    sent … acknowledged → poster_inquired → acknowledged (7 days over) | rejected (objection) | actioned

A recipient's rejection waits for the operator's decision (``cases.takedown.decisions``):

    rejected → escalated | superseded (fixed: a new draft) | closed
 Everything else is refused with a :class:`ConflictError`.
"""

from __future__ import annotations

from sqlmodel import Session

from cases.audit.services import Actor, updated
from cases.audit.services import record as record_audit
from cases.db import utcnow
from cases.errors import ConflictError
from cases.messages import said
from cases.takedown.models import Notice, NoticeState

S = NoticeState
#: what a sent notice may become on a counter-notice (DMCA) or the provider's inquiry to the poster (Japan)
_COUNTERED = (S.COUNTER_NOTICED, S.POSTER_INQUIRED)

TRANSITIONS: dict[NoticeState, frozenset[NoticeState]] = {
    S.DRAFT: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.APPROVED, S.DRAFT, S.REJECTED}),
    S.APPROVED: frozenset({S.SENDING, S.IN_REVIEW}),
    # `approved` again: the send failed before anything left (the outbox knows).
    S.SENDING: frozenset({S.SENT, S.APPROVED}),
    S.SENT: frozenset(
        {S.DELIVERED, S.BOUNCED, S.ACKNOWLEDGED, S.NO_RESPONSE, S.ACTIONED, S.PARTIALLY_ACTIONED, *_COUNTERED}
    ),
    S.DELIVERED: frozenset({S.ACKNOWLEDGED, S.BOUNCED, S.NO_RESPONSE, S.ACTIONED, S.PARTIALLY_ACTIONED, *_COUNTERED}),
    S.BOUNCED: frozenset({S.APPROVED, S.ESCALATED}),
    S.ACKNOWLEDGED: frozenset({S.ACTIONED, S.PARTIALLY_ACTIONED, S.REJECTED, S.NO_RESPONSE, *_COUNTERED}),
    # A counter-notice answers a takedown that happened: it comes after the notice was actioned.
    S.ACTIONED: frozenset({S.COUNTER_NOTICED}),
    S.PARTIALLY_ACTIONED: frozenset({S.ESCALATED, *_COUNTERED}),
    # §512(g)(2)(C): an action filed before the restore keeps the content down; past the 10 business
    # days the provider may restore, yet an action filed later still counts for the operator.
    S.COUNTER_NOTICED: frozenset({S.ACTION_FILED, S.RESTORE_EXPECTED}),
    S.RESTORE_EXPECTED: frozenset({S.ACTION_FILED, S.ESCALATED, S.RESTORED}),
    # The content is back: an action may still be filed (the provider takes it down again on a court
    # order), or the notice climbs the ladder.
    S.RESTORED: frozenset({S.ACTION_FILED, S.ESCALATED}),
    S.ACTION_FILED: frozenset(),
    # The poster's 7 days: an objection is a rejection (the operator decides the next step); once they
    # are over, the provider may take the content down and the notice is watched as acknowledged.
    S.POSTER_INQUIRED: frozenset({S.ACKNOWLEDGED, S.REJECTED, S.ACTIONED, S.PARTIALLY_ACTIONED}),
    # A recipient's rejection waits for the operator's decision (``cases.takedown.decisions``): escalate,
    # fix (a new draft supersedes it) or close; left undecided too long, upkeep escalates it.
    S.REJECTED: frozenset({S.ESCALATED, S.SUPERSEDED, S.CLOSED}),
    S.SUPERSEDED: frozenset(),
    S.CLOSED: frozenset(),
    # The content may go after the deadline: that still counts as actioned.
    S.NO_RESPONSE: frozenset({S.ESCALATED, S.ACTIONED, S.PARTIALLY_ACTIONED}),
    S.ESCALATED: frozenset(),
}

#: States in which a notice has left (counts as a report to the recipient; proof for the next step).
SENT_STATES = frozenset(
    {
        S.SENT,
        S.DELIVERED,
        S.ACKNOWLEDGED,
        S.ACTIONED,
        S.PARTIALLY_ACTIONED,
        S.REJECTED,
        S.NO_RESPONSE,
        S.ESCALATED,
        S.COUNTER_NOTICED,
        S.ACTION_FILED,
        S.RESTORE_EXPECTED,
        S.POSTER_INQUIRED,
        S.RESTORED,
        S.SUPERSEDED,
        S.CLOSED,
    }
)
#: States that end a notice's life.
FINAL_STATES = frozenset({S.ACTIONED, S.ESCALATED, S.ACTION_FILED, S.SUPERSEDED, S.CLOSED})


def can_move(current: NoticeState, target: NoticeState) -> bool:
    """Whether a notice in `current` may move to `target`."""
    return target in TRANSITIONS[current]


def move(session: Session, notice: Notice, target: NoticeState, actor: Actor) -> Notice:
    """Move `notice` to `target`, with an audit event; :class:`ConflictError` if the move is not allowed."""
    current = NoticeState(notice.state)
    if not can_move(current, target):
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise ConflictError(
            said(
                "notice {notice} is {state}; it cannot become {target} (allowed: {allowed})",
                notice=notice.id,
                state=current.value,
                target=target.value,
                allowed=allowed,
            )
        )
    now = utcnow()
    assert notice.id is not None
    record_audit(session, actor, [updated("notice", notice.id, "state", current.value, target.value)])
    notice.state = target
    notice.updated_at = now
    if target == S.SENT:
        notice.sent_at = now
    if target == S.REJECTED:
        notice.rejected_at = now  # a recipient's rejection waits for a decision from now
    if target in FINAL_STATES:
        notice.closed_at = now
    elif current in FINAL_STATES:
        notice.closed_at = None  # an actioned notice countered is open again
    session.add(notice)
    return notice


def back_to_review(session: Session, notice: Notice, actor: Actor, reason: str) -> Notice:
    """Send an approved notice back to review on its own, keeping why (shown to the operator who reviews it)."""
    assert notice.id is not None
    record_audit(session, actor, [updated("notice", notice.id, "review_reason", notice.review_reason, reason)])
    notice.review_reason = reason
    return move(session, notice, S.IN_REVIEW, actor)
