"""Reading works and their titles."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.works.models import Work, WorkTitle


def work_titles(session: Session, work_ids: Iterable[int | None]) -> dict[int, str]:
    """A display title per work (its first title, else its reference)."""
    ids = sorted({w for w in work_ids if w is not None})
    if not ids:
        return {}
    titles: dict[int, str] = {}
    for work_id, title in session.execute(
        sa.select(col(WorkTitle.work_id), col(WorkTitle.title))
        .where(col(WorkTitle.work_id).in_(ids))
        .order_by(col(WorkTitle.id))
    ):
        titles.setdefault(work_id, title)
    for work_id, ref in session.execute(sa.select(col(Work.id), col(Work.ref)).where(col(Work.id).in_(ids))):
        titles.setdefault(work_id, ref)
    return titles


def every_title(session: Session) -> list[tuple[int, int, str, str]]:
    """Every title of every association's work as (work id, association id, language, title): what crawls look for."""
    rows = session.execute(
        sa.select(col(WorkTitle.work_id), col(Work.association_id), col(WorkTitle.language), col(WorkTitle.title))
        .join(Work, col(Work.id) == col(WorkTitle.work_id))
        .order_by(col(WorkTitle.id))
    )
    return [(int(w), int(a), str(lang), str(title)) for w, a, lang, title in rows]
