"""Reading submissions: an association sees its own."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.intake.models import EvidenceItem, Submission
from cases.intake.schemas import SubmissionPublic
from cases.pagination import Page, decode_cursor, encode_cursor
from cases.tenants.models import Association
from cases.tenants.services import Principal


def list_submissions(
    session: Session, principal: Principal, cursor: str | None, limit: int, site_id: int | None = None
) -> Page[SubmissionPublic]:
    """The caller's own association's submissions, newest first (operators too see only their own here)."""
    query = (
        sa.select(Submission, col(Association.name), sa.func.count(col(EvidenceItem.id)))
        .join(Association, col(Association.id) == col(Submission.association_id))
        .outerjoin(EvidenceItem, col(EvidenceItem.submission_id) == col(Submission.id))
        .where(col(Submission.association_id) == principal.association_id)
        .group_by(col(Submission.id), col(Association.name))
    )
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(col(Submission.id) < after)
    if site_id is not None:
        query = query.where(col(Submission.site_id) == site_id)
    rows = list(session.execute(query.order_by(sa.desc(col(Submission.id))).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        SubmissionPublic(
            id=s.id or 0,
            association=name,
            source_ref=s.source_ref,
            via=s.via,
            site_id=s.site_id,
            created_at=s.created_at,
            evidence_count=count,
        )
        for s, name, count in rows
    ]
    return Page(items=items, next_cursor=encode_cursor(rows[-1][0].id or 0) if more else None)
