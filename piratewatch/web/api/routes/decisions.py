"""``/api/v1/notices/{id}/decision`` and ``/api/v1/rejections``: the operators' decision on a recipient's
rejection (fix and send again, escalate, close) and the rejections waiting for one.

Both act on or list every association's notices, so both are for operators; a submitter reads the
decision on its own association's notices in ``GET /api/v1/notices/{id}`` (``decision``, ``decision_reason``, ...).
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request
from sqlmodel import col, select

from cases.db import DbId
from cases.takedown.decisions import decide, undecided
from cases.takedown.models import NoticeReply
from cases.takedown.schemas import DecisionIn, DecisionOut, RejectionPublic
from piratewatch.web.api.deps import Operator, ServicesDep, SessionDep, request_id

router = APIRouter(prefix="/api/v1", tags=["takedown"])


@router.post("/notices/{notice_id}/decision", response_model=DecisionOut)
def post_decision(
    notice_id: DbId, body: DecisionIn, request: Request, principal: Operator, session: SessionDep
) -> DecisionOut:
    """Decide on the recipient's rejection: ``fix`` (a new draft to the same recipient, the reason in its
    review reason), ``escalate`` (the ladder's next step) or ``close``. 409 for a notice no recipient rejected,
    or one already decided on."""
    taken = decide(
        session,
        principal.actor(request_id(request)),
        notice_id,
        body.action,
        body.reason,
        note=body.note,
        template=body.template,
    )
    session.flush()
    return DecisionOut(**taken.__dict__)


@router.get("/rejections", response_model=list[RejectionPublic])
def get_rejections(
    principal: Operator,
    session: SessionDep,
    services: ServicesDep,
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[RejectionPublic]:
    """The recipients' rejections waiting for a decision, the oldest first, with when upkeep escalates each."""
    wait = dt.timedelta(days=services.settings.notices.rejection_decision_days)
    out = []
    for notice in undecided(session, limit):
        reply = session.exec(
            select(NoticeReply)
            .where(col(NoticeReply.notice_id) == notice.id, col(NoticeReply.kind) == "rejected")
            .order_by(col(NoticeReply.id).desc())
        ).first()
        out.append(
            RejectionPublic(
                notice_id=notice.id or 0,
                association_id=notice.association_id,
                provider_id=notice.provider_id,
                legal_basis=str(notice.legal_basis),
                rejected_at=notice.rejected_at,
                escalates_at=notice.rejected_at + wait if notice.rejected_at else None,
                reply=(reply.body or "")[:500] if reply is not None else None,
            )
        )
    return out
