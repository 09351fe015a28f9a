"""Catalogue upserts, in bulk: intake sends works with every batch."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cases.audit.services import Change, created
from cases.base import table_of
from cases.db import utcnow
from cases.sqlutil import insert_ignore, is_postgres, key_in, planned_for_values
from cases.works.models import Work, WorkTitle


@dataclass(frozen=True)
class WorkSpec:
    """A work to make sure exists in an association's catalogue."""

    ref: str
    content_type: str
    titles: dict[str, str]
    rights_holder: str | None = None
    official_url: str | None = None


_WORK = table_of(Work)


@functools.cache
def _works_by_ref(postgres: bool) -> Any:
    return sa.select(_WORK.c.id, _WORK.c.ref).where(
        _WORK.c.association_id == sa.bindparam("association_id"), key_in(postgres, _WORK.c.ref, "refs")
    )


def work_ids_by_ref(session: Session, association_id: int, refs: Sequence[str]) -> dict[str, int]:
    """Existing works of one association, by ref."""
    if not refs:
        return {}
    keys = sorted(set(refs))
    with planned_for_values(session, len(keys)):
        rows = session.execute(
            _works_by_ref(is_postgres(session)), {"association_id": association_id, "refs": keys}
        ).all()
        return {ref: wid for wid, ref in rows}


def ensure_works(
    session: Session, association_id: int, specs: Sequence[WorkSpec]
) -> tuple[dict[str, int], list[Change]]:
    """Create the works that do not exist yet (an existing ref is left as it is).

    Returns the id of every work by ref, and the audit changes for the ones created.
    """
    unique = {s.ref: s for s in specs}
    before = work_ids_by_ref(session, association_id, list(unique))
    new = [s for ref, s in unique.items() if ref not in before]
    now = utcnow()
    insert_ignore(
        session,
        table_of(Work),
        [
            {
                "association_id": association_id,
                "ref": s.ref,
                "content_type": s.content_type,
                "rights_holder": s.rights_holder,
                "official_url": s.official_url,
                "created_at": now,
            }
            for s in new
        ],
        ["association_id", "ref"],
    )
    ids = work_ids_by_ref(session, association_id, list(unique)) if new else before
    changes: list[Change] = []
    title_rows = []
    for s in new:
        wid = ids[s.ref]
        changes.append(created("work", wid, {"ref": s.ref, "content_type": s.content_type, "titles": s.titles}))
        title_rows += [{"work_id": wid, "language": lang, "title": t} for lang, t in s.titles.items()]
    insert_ignore(session, table_of(WorkTitle), title_rows, ["work_id", "language", "title"])
    return ids, changes
