"""The operator's decision on a recipient's rejection: fix and send again, escalate, or close.

A recipient that refuses a notice (a ``rejected`` reply, or the Japanese poster's objection) does not
send it up the ladder at once: why it refused decides what helps. Insufficient evidence or a missing
form is fixed and sent again to the same recipient; "not our customer" or a dispute of the
infringement may call for the next step or for closing the matter. The operator records the reason's
category and one of three actions:

- **fix**: the rejected notice becomes ``superseded`` and a new draft to the same recipient takes its
  items still pending, the association's current sender profile (the fix may be there) and, in its
  ``review_reason``, the rejection's reason; it waits as a draft to be fixed and submitted. A new
  notice rather than the same one back in draft: the notice's idempotency key travels in every
  message (Message-ID, file name) and its Cloudflare reports are recognised by their contents since
  it was drafted, so sending the same notice again would look to the recipient, and to our own
  reconciliation, like the filing already made.
- **escalate**: the ladder's next step, as :mod:`cases.takedown.escalation` does for unanswered notices.
- **close**: the notice ends ``closed`` with the reason.

A rejection left undecided for ``NoticeSettings.rejection_decision_days`` is escalated by upkeep
(:func:`escalate_undecided`), the decision recorded as upkeep's with a note saying so, so that
nothing stalls behind an operator who never looked.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.services import Actor, set_audited
from cases.db import utcnow
from cases.errors import ConflictError, InvalidInputError
from cases.providers.models import ProviderKind
from cases.takedown.deadlines import DEFAULT_LADDER
from cases.takedown.escalation import escalate_notice
from cases.takedown.models import ItemOutcome, LegalBasis, Notice, NoticeItem, NoticeReply, NoticeState
from cases.takedown.schemas import RejectionPublic
from cases.takedown.senders import get_sender_profile
from cases.takedown.services import draft_notice, get_notice
from cases.takedown.states import move
from common.text import scrub

S = NoticeState
_E = TypeVar("_E", bound=enum.StrEnum)
#: how long a recipient's rejection waits for a decision before upkeep escalates it (the setting's default)
DEFAULT_DECISION_WAIT = dt.timedelta(days=14)
#: the longest note kept with a decision
NOTE_MAX = 2000


class DecisionAction(enum.StrEnum):
    """What the operator does about a recipient's rejection."""

    FIX = "fix"
    ESCALATE = "escalate"
    CLOSE = "close"


class RejectionReason(enum.StrEnum):
    """Why the recipient refused, as the operator reads its answer."""

    INSUFFICIENT_EVIDENCE = "insufficient_evidence"
    #: "not our customer", "we do not host this": the notice went to the wrong recipient
    WRONG_RECIPIENT = "wrong_recipient"
    #: the recipient (or the poster, through it) disputes that the material infringes
    DISPUTES_INFRINGEMENT = "disputes_infringement"
    #: the recipient takes notices only through its web form or another channel or format
    NEEDS_OTHER_CHANNEL = "needs_other_channel"
    OTHER = "other"


#: the reasons in words, for the fixed draft's review reason and the command line
REASON_WORDS = {
    RejectionReason.INSUFFICIENT_EVIDENCE: "insufficient evidence",
    RejectionReason.WRONG_RECIPIENT: "not the recipient's customer / wrong recipient",
    RejectionReason.DISPUTES_INFRINGEMENT: "disputes the infringement",
    RejectionReason.NEEDS_OTHER_CHANNEL: "needs its form or another channel",
    RejectionReason.OTHER: "other",
}


@dataclass(frozen=True)
class Decision:
    """A decision taken: the notice decided on, its state after, and the notice it led to (if any)."""

    notice_id: int
    action: str
    reason: str | None
    state: str
    #: the fixed draft (fix) or the next step's notice (escalate); None when there is none
    new_notice_id: int | None = None
    #: the ladder step escalated to
    step: str | None = None


def awaiting_decision() -> sa.ColumnElement[bool]:
    """A recipient's rejection no one decided on yet (a notice an operator rejected in review was never sent)."""
    return sa.and_(
        col(Notice.state) == S.REJECTED.value, col(Notice.sent_at).is_not(None), col(Notice.decision).is_(None)
    )


def undecided_too_long(now: dt.datetime, wait: dt.timedelta) -> sa.ColumnElement[bool]:
    """An undecided rejection older than `wait` (one without a time counts as old: rejected before it was kept)."""
    return sa.and_(
        awaiting_decision(), sa.or_(col(Notice.rejected_at).is_(None), col(Notice.rejected_at) <= now - wait)
    )


def undecided(session: Session, limit: int = 200) -> list[Notice]:
    """The rejections waiting for a decision, the oldest first."""
    return list(
        session.exec(
            select(Notice)
            .where(awaiting_decision())
            .order_by(col(Notice.rejected_at).asc().nulls_first(), col(Notice.id))
            .limit(limit)
        )
    )


def rejections(session: Session, wait: dt.timedelta, limit: int = 200) -> list[RejectionPublic]:
    """The rejections waiting for a decision (:func:`undecided`), each with when upkeep escalates it after
    `wait` and the reply that carried it (its newest, first 500 characters): the API's and the CLI's list."""
    notices = undecided(session, limit)
    replies: dict[int, str] = {}
    if notices:
        rows = session.exec(
            select(NoticeReply)
            .where(col(NoticeReply.notice_id).in_([n.id for n in notices]), col(NoticeReply.kind) == "rejected")
            .order_by(col(NoticeReply.id))
        )
        replies = {reply.notice_id: (reply.body or "")[:500] for reply in rows}  # the newest one wins
    return [
        RejectionPublic(
            notice_id=notice.id or 0,
            association_id=notice.association_id,
            provider_id=notice.provider_id,
            legal_basis=str(notice.legal_basis),
            rejected_at=notice.rejected_at,
            escalates_at=notice.rejected_at + wait if notice.rejected_at else None,
            reply=replies.get(notice.id or 0),
        )
        for notice in notices
    ]


def _rejected(notice: Notice) -> None:
    if notice.state != S.REJECTED or notice.sent_at is None:
        raise ConflictError(
            f"notice {notice.id} is {notice.state}: a decision is taken on a notice its recipient rejected"
            + (" (this one was rejected in review, never sent)" if notice.state == S.REJECTED else "")
        )


def _pending_items(session: Session, notice_id: int) -> list[tuple[str, int | None]]:
    return [
        (i.url, i.work_id)
        for i in session.exec(
            select(NoticeItem)
            .where(
                col(NoticeItem.notice_id) == notice_id,
                col(NoticeItem.outcome).in_([ItemOutcome.PENDING.value, ItemOutcome.STILL_LIVE.value]),
            )
            .order_by(col(NoticeItem.id))
        )
    ]


def _fix(
    session: Session, actor: Actor, notice: Notice, reason: RejectionReason, note: str | None, template: str | None
) -> int:
    """Supersede `notice` with a new draft to the same recipient; the new draft's id."""
    assert notice.id is not None
    items = _pending_items(session, notice.id)
    if not items:
        raise ConflictError(f"notice {notice.id} has no URL left to send again (each one actioned or dropped)")
    move(session, notice, S.SUPERSEDED, actor)
    session.flush()  # no longer open: the new draft may take its place
    profile = get_sender_profile(session, notice.association_id)
    sender = {**notice.sender, **(profile.sender if profile is not None else {})}
    new = draft_notice(
        session,
        actor,
        notice.case_id,
        notice.association_id,
        LegalBasis(notice.legal_basis),
        sender,
        template=template or notice.template,
        escalated_from_id=notice.id,
        items=items,
    )
    why = f"the recipient rejected notice {notice.id} ({REASON_WORDS[reason]})" + (f": {note}" if note else "")
    set_audited(session, actor, "notice", new, {"review_reason": f"{why}; fix this draft and submit it for review"})
    return new.id or 0


def _parse(kind: type[_E], value: str, field: str, problems: list[str]) -> _E | None:
    try:
        return kind(value)
    except ValueError:
        problems.append(f"{field}: one of {', '.join(e.value for e in kind)}")
        return None


def decide(
    session: Session,
    actor: Actor,
    notice_id: int,
    action: DecisionAction | str,
    reason: RejectionReason | str,
    *,
    note: str | None = None,
    template: str | None = None,
    ladder: tuple[ProviderKind, ...] = DEFAULT_LADDER,
) -> Decision:
    """Decide on the recipient's rejection of `notice_id`: fix (a new draft), escalate or close.

    :class:`InvalidInputError` for an unknown action or reason, a note that is not one line of text
    (``other`` needs one), or a template given for anything but a fix; :class:`ConflictError` for a
    notice that is not a recipient's rejection waiting for a decision.
    """
    problems: list[str] = []
    chosen = _parse(DecisionAction, action, "action", problems)
    why = _parse(RejectionReason, reason, "reason", problems)
    text = (scrub(note, max_length=NOTE_MAX) or "").strip() if note is not None else ""
    if note is not None and len(note) > NOTE_MAX:
        problems.append(f"note: at most {NOTE_MAX} characters")
    if why == RejectionReason.OTHER and not text:
        problems.append("note: say what the recipient's reason was when it is 'other'")
    if template is not None and chosen != DecisionAction.FIX:
        problems.append("template: only a fixed notice is drafted again (action fix)")
    if problems or chosen is None or why is None:
        raise InvalidInputError(problems)
    notice = get_notice(session, notice_id)
    _rejected(notice)
    if notice.decision is not None:
        raise ConflictError(f"notice {notice_id} was already decided on ({notice.decision})")
    set_audited(
        session,
        actor,
        "notice",
        notice,
        {
            "decision": chosen.value,
            "decision_reason": why.value,
            "decision_note": text or None,
            "decided_at": utcnow(),
            "decided_by": actor.name,
        },
    )
    if chosen == DecisionAction.FIX:
        new_id = _fix(session, actor, notice, why, text or None, template)
        return Decision(notice_id, chosen.value, why.value, notice.state, new_id)
    if chosen == DecisionAction.ESCALATE:
        step = escalate_notice(session, actor, notice, ladder)
        return Decision(notice_id, chosen.value, why.value, notice.state, step.new_notice_id, step.step)
    move(session, notice, S.CLOSED, actor)
    return Decision(notice_id, chosen.value, why.value, notice.state)


def escalate_undecided(
    session: Session,
    actor: Actor,
    wait: dt.timedelta = DEFAULT_DECISION_WAIT,
    now: dt.datetime | None = None,
    ladder: tuple[ProviderKind, ...] = DEFAULT_LADDER,
) -> list[Decision]:
    """Escalate every recipient's rejection left undecided for `wait`, the decision recorded as upkeep's."""
    now = now or utcnow()
    due = session.exec(select(Notice).where(undecided_too_long(now, wait)).order_by(col(Notice.id))).all()
    out = []
    for notice in due:
        since = notice.rejected_at.strftime("%Y-%m-%d") if notice.rejected_at else "before rejections were dated"
        note = f"no decision within {wait.days} days of the rejection ({since}): escalated by upkeep"
        set_audited(
            session,
            actor,
            "notice",
            notice,
            {
                "decision": DecisionAction.ESCALATE.value,
                "decision_note": note,
                "decided_at": now,
                "decided_by": actor.name,
            },
        )
        step = escalate_notice(session, actor, notice, ladder)
        out.append(
            Decision(notice.id or 0, DecisionAction.ESCALATE.value, None, notice.state, step.new_notice_id, step.step)
        )
    return out
