"""``/api/v1/notices/{id}/decision`` and ``/api/v1/rejections``: the operators' decision on a recipient's
rejection (fix and send again, escalate, close) and the rejections waiting for one.

Both act on or list every association's notices, so both are for operators; a submitter reads the
decision on its own association's notices in ``GET /api/v1/notices/{id}`` (``decision``, ``decision_reason``, ...).
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request

from cases.db import DbId
from cases.takedown.decisions import decide, rejections
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
    return rejections(session, dt.timedelta(days=services.settings.notices.rejection_decision_days), limit)
