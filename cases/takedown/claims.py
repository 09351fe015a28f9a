"""A review claim's life beside the queue's ``claim_next``: when it expires, releasing it, taking it over.

A claim keeps other operators off a notice for :data:`~cases.takedown.review.CLAIM_TIMEOUT`. Its holder
may release it early; another operator may take it over (a colleague went home with notices claimed).
Both are audited as changes of ``claimed_by``, with the previous holder as the old value.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from cases.audit.services import Actor, record, updated
from cases.db import utcnow
from cases.errors import ConflictError
from cases.messages import said
from cases.takedown.models import Notice, NoticeState
from cases.takedown.review import CLAIM_TIMEOUT
from cases.takedown.services import get_notice


def claim_expires_at(notice: Notice) -> dt.datetime | None:
    """When the notice's claim lapses (None: not claimed)."""
    if not notice.claimed_by or notice.claimed_at is None:
        return None
    return notice.claimed_at + CLAIM_TIMEOUT


def claim_is_live(notice: Notice, now: dt.datetime | None = None) -> bool:
    """Whether someone holds the notice now (a lapsed claim holds nobody off)."""
    expires = claim_expires_at(notice)
    return expires is not None and expires > (now or utcnow())


def _in_review(session: Session, notice_id: int) -> Notice:
    notice = get_notice(session, notice_id)
    if notice.state != NoticeState.IN_REVIEW:
        raise ConflictError(
            said(
                "notice {notice} is {state}, not in review: there is no claim to change",
                notice=notice_id,
                state=notice.state,
            )
        )
    return notice


def release(session: Session, actor: Actor, notice_id: int) -> Notice:
    """Give the notice back to the queue (its holder, or anyone once the claim lapsed, or an operator for a
    colleague: the audit trail names who released whose claim)."""
    notice = _in_review(session, notice_id)
    if not notice.claimed_by:
        raise ConflictError(said("notice {notice} is not claimed", notice=notice_id))
    record(session, actor, [updated("notice", notice_id, "claimed_by", notice.claimed_by, None)])
    notice.claimed_by, notice.claimed_at = None, None
    session.add(notice)
    session.flush()
    return notice


def take_over(session: Session, actor: Actor, notice_id: int) -> Notice:
    """Claim the notice for `actor`, whoever held it; a fresh claim of the full timeout."""
    notice = _in_review(session, notice_id)
    if notice.claimed_by == actor.name and claim_is_live(notice):
        raise ConflictError(said("notice {notice} is already claimed by you", notice=notice_id))
    record(session, actor, [updated("notice", notice_id, "claimed_by", notice.claimed_by, actor.name)])
    notice.claimed_by, notice.claimed_at = actor.name, utcnow()
    session.add(notice)
    session.flush()
    return notice
