"""Per-work rights statements: what an association states about each of its works' rights.

The Japanese copyright guideline's model request (様式A) asks, for each work, for the right infringed,
how the copy infringes, that the work is within its protection period, that no licence was given
and the proof that the requester holds the right; these differ from work to work, so they are kept
per work (``work_rights_statement``), set by the association that owns the work (or an admin), and
copied into the notices that list the work.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from cases.audit.services import Actor, created, record, updated
from cases.db import utcnow
from cases.errors import NotFoundError
from cases.messages import said
from cases.takedown.models import WorkRightsStatement
from cases.works.models import Work


def own_work(session: Session, association_id: int | None, work_id: int) -> Work:
    """The work, if `association_id` owns it (None: any association's); :class:`NotFoundError` otherwise."""
    work = session.get(Work, work_id)
    if work is None or (association_id is not None and work.association_id != association_id):
        raise NotFoundError(said("work {work} not found", work=work_id))
    return work


def get_work_rights(session: Session, work_id: int) -> WorkRightsStatement | None:
    return session.get(WorkRightsStatement, work_id)


def work_rights(session: Session, work_ids: set[int]) -> dict[int, dict[str, Any]]:
    """The statements of the works among `work_ids` that have one."""
    if not work_ids:
        return {}
    rows = session.exec(select(WorkRightsStatement).where(col(WorkRightsStatement.work_id).in_(sorted(work_ids))))
    return {row.work_id: dict(row.statement) for row in rows}


def set_work_rights(session: Session, actor: Actor, work_id: int, statement: dict[str, Any]) -> WorkRightsStatement:
    """Replace a work's rights statement; each changed field is audited."""
    row = session.get(WorkRightsStatement, work_id)
    if row is None:
        row = WorkRightsStatement(work_id=work_id, statement=dict(statement))
        record(session, actor, [created("work_rights_statement", work_id, dict(statement))])
    else:
        changes = [
            updated("work_rights_statement", work_id, key, row.statement.get(key), statement.get(key))
            for key in sorted(set(row.statement) | set(statement))
            if row.statement.get(key) != statement.get(key)
        ]
        record(session, actor, changes)
        row.statement, row.updated_at = dict(statement), utcnow()
    session.add(row)
    session.flush()
    return row
