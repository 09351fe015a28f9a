"""What happened to each notice the outbox was asked to send, told from the store afterwards.

The outbox hands back the notices it took in their new state; a caller that printed their number as
"sent" would count a notice the re-check sent back to review, or one the channel refused. Every entry
point reports these results instead, one line per notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.takedown.models import DeliveryAttempt, ItemOutcome, Notice, NoticeItem, NoticeState


@dataclass(frozen=True)
class SendResult:
    """One notice after a send: its state now, and in words why it is there."""

    notice_id: int
    state: NoticeState
    detail: str

    @property
    def sent(self) -> bool:
        """Whether the notice left (the channel took it)."""
        return self.state == NoticeState.SENT

    @property
    def failed(self) -> bool:
        """Whether the send itself failed: the channel refused the notice, or whether it left is unknown.

        A notice the re-check sent back to review did not fail: nothing it listed is up any more.
        """
        return self.state in (NoticeState.APPROVED, NoticeState.SENDING)

    def __str__(self) -> str:
        return f"notice {self.notice_id}: {self.detail}"


def send_results(session: Session, notices: Sequence[Notice]) -> list[SendResult]:
    """The result of each of `notices` (as the outbox returned them), read back from the store."""
    ids = [n.id or 0 for n in notices]
    if not ids:
        return []
    rows = session.execute(
        sa.select(col(Notice.id), col(Notice.state), col(Notice.review_reason)).where(col(Notice.id).in_(ids))
    ).all()
    states = {int(notice_id): state for notice_id, state, _ in rows}
    review_reasons = {int(notice_id): reason for notice_id, _, reason in rows}
    last_error: dict[int, str] = {}
    for notice_id, error in session.execute(
        sa.select(col(DeliveryAttempt.notice_id), col(DeliveryAttempt.error))
        .where(col(DeliveryAttempt.notice_id).in_(ids), col(DeliveryAttempt.state) == "failed")
        .order_by(col(DeliveryAttempt.id))
    ):
        last_error[int(notice_id)] = str(error or "")
    dropped = dict(
        session.execute(
            sa.select(col(NoticeItem.notice_id), sa.func.count())
            .where(col(NoticeItem.notice_id).in_(ids), col(NoticeItem.outcome) == ItemOutcome.DROPPED.value)
            .group_by(col(NoticeItem.notice_id))
        ).all()
    )
    results = []
    for notice_id in ids:
        state = NoticeState(states.get(notice_id, NoticeState.APPROVED))
        error = last_error.get(notice_id)
        detail = _detail(state, error, dropped.get(notice_id, 0), review_reasons.get(notice_id))
        results.append(SendResult(notice_id, state, detail))
    return results


def _detail(state: NoticeState, error: str | None, dropped: int, review_reason: str | None) -> str:
    if state == NoticeState.SENT:
        return "sent" + (f" ({dropped} URL(s) dropped by the re-check)" if dropped else "")
    if state == NoticeState.IN_REVIEW:
        return f"not sent: {review_reason or 'sent back to review'}; back in review"
    if state == NoticeState.APPROVED:
        return f"not sent: the channel refused it ({error or 'no reason given'}); still approved, tried again later"
    if state == NoticeState.SENDING:
        return "in doubt: the send was interrupted; an operator must confirm it (notices confirm)"
    return f"not sent: now {state.value}"
