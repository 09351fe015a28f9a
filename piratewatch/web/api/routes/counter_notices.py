"""``/api/v1/notices/{id}/...``: a notice's counter-notice or objection clock, and the operators' steps on it.

Submitters read the clock of their own association's notices (another association's: 404); recording a
counter-notice, the provider's inquiry to the poster or an action filed is for operators. Each step
answers the clock as it stands after it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from cases.db import DbId, utcnow
from cases.takedown.clocks import notice_clock
from cases.takedown.counter_notices import record_action_filed, record_counter_notice, record_poster_inquiry
from cases.takedown.queries import get_visible_notice
from cases.takedown.schemas import ActionFiledIn, ClockPublic, CounterNoticeIn, PosterInquiryIn
from piratewatch.web.api.deps import Operator, SessionDep, Submitter, request_id

router = APIRouter(prefix="/api/v1", tags=["takedown"])


@router.get("/notices/{notice_id}/clock", response_model=ClockPublic)
def get_clock(notice_id: DbId, principal: Submitter, session: SessionDep) -> ClockPublic:
    """The notice's counter-notice or objection clock: its dates, whether it runs, what it means, the steps open."""
    return notice_clock(get_visible_notice(session, principal, notice_id), utcnow())


@router.post("/notices/{notice_id}/counter-notice", response_model=ClockPublic)
def post_counter_notice(
    notice_id: DbId, body: CounterNoticeIn, request: Request, principal: Operator, session: SessionDep
) -> ClockPublic:
    """A §512(g) counter-notice on a sent DMCA notice: restore expected from the 10th business day (409 otherwise)."""
    actor = principal.actor(request_id(request))
    notice = record_counter_notice(session, actor, notice_id, received_at=body.received_at, body=body.body)
    session.flush()
    return notice_clock(notice, utcnow())


@router.post("/notices/{notice_id}/action-filed", response_model=ClockPublic)
def post_action_filed(
    notice_id: DbId, body: ActionFiledIn, request: Request, principal: Operator, session: SessionDep
) -> ClockPublic:
    """The rights holder filed an action against the poster (§512(g)(2)(C)): the content stays down."""
    notice = record_action_filed(session, principal.actor(request_id(request)), notice_id, filed_at=body.filed_at)
    session.flush()
    return notice_clock(notice, utcnow())


@router.post("/notices/{notice_id}/poster-inquired", response_model=ClockPublic)
def post_poster_inquiry(
    notice_id: DbId, body: PosterInquiryIn, request: Request, principal: Operator, session: SessionDep
) -> ClockPublic:
    """A Japanese provider asked the poster whether they object: their 7 days start (Japanese requests only)."""
    actor = principal.actor(request_id(request))
    notice = record_poster_inquiry(session, actor, notice_id, inquired_at=body.inquired_at, body=body.body)
    session.flush()
    return notice_clock(notice, utcnow())
