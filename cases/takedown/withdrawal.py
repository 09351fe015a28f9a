"""Withdrawing a notice in review whose URLs are all gone: one step for the operator, checked here.

The pre-send re-check drops every URL that fails it; when none is left the notice goes back to review
(``cases.takedown.recheck``) and ``review.approve`` refuses it. Such a notice has nothing left to ask a
recipient for, so the operator withdraws it: it is rejected with a fixed reason, through
``review.reject`` (the same claim rule, the same audit rows: the reason and the state change). The
store is asked, not the page: a notice with any URL still live is refused, whatever the button said.
"""

from __future__ import annotations

from sqlmodel import Session

from cases.audit.services import Actor
from cases.errors import ConflictError
from cases.messages import said
from cases.takedown.item_counts import item_counts
from cases.takedown.models import Notice
from cases.takedown.review import reject

#: the reason a withdrawn notice is rejected with (kept on the notice and in its audit trail)
WITHDRAWN_REASON = said("every URL is gone")


def has_no_live_url(session: Session, notice_id: int) -> bool:
    """Whether the notice names URLs and none of them is live (each dropped by the re-check or gone since)."""
    counts = item_counts(session, [notice_id]).get(notice_id)
    return counts is not None and counts.urls > 0 and counts.live == 0


def withdraw_dead_notice(session: Session, actor: Actor, notice_id: int) -> Notice:
    """Reject a notice in review whose every URL is gone, with :data:`WITHDRAWN_REASON`.

    :class:`ConflictError` if a URL is still live (review it instead), if it is not in review, or if a
    colleague holds a live claim on it (``review.reject``'s rules).
    """
    if not has_no_live_url(session, notice_id):
        raise ConflictError(
            said("notice {notice} still has a live URL (or none at all): review it instead", notice=notice_id)
        )
    return reject(session, actor, notice_id, WITHDRAWN_REASON)
