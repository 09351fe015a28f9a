"""How many URLs each notice names, and how many of them are still live (what an operator weighs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.takedown.models import ItemOutcome, NoticeItem

#: outcomes of a URL that still needs taking down: not yet checked, or checked and still there
_LIVE = (ItemOutcome.PENDING.value, ItemOutcome.STILL_LIVE.value)


@dataclass(frozen=True)
class ItemCounts:
    """A notice's URLs: all of them, and those not dropped before sending nor gone since."""

    urls: int = 0
    live: int = 0


def item_counts(session: Session, notice_ids: Iterable[int]) -> dict[int, ItemCounts]:
    """The counts of each notice in `notice_ids` (one query, grouped by notice)."""
    ids = sorted(set(notice_ids))
    if not ids:
        return {}
    live = sa.func.sum(sa.case((col(NoticeItem.outcome).in_(_LIVE), 1), else_=0))
    rows = session.execute(
        sa.select(col(NoticeItem.notice_id), sa.func.count(), live)
        .where(col(NoticeItem.notice_id).in_(ids))
        .group_by(col(NoticeItem.notice_id))
    )
    return {int(notice_id): ItemCounts(int(urls), int(alive or 0)) for notice_id, urls, alive in rows}
