"""``/api/v1/notices/{id}/...``: a notice's counter-notice or objection clock, and the operators' steps on it.

Submitters read the clock of their own association's notices (another association's: 404); recording a
counter-notice, the provider's inquiry to the poster, an action filed or a restore is for operators.
Each step answers the clock as it stands after it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import DbId, transaction, utcnow
from cases.errors import InvalidInputError
from cases.takedown.clocks import notice_clock
from cases.takedown.counter_notices import record_action_filed, record_counter_notice, record_poster_inquiry
from cases.takedown.queries import get_visible_notice
from cases.takedown.restores import check_restore, record_unchecked_restore
from cases.takedown.schemas import ActionFiledIn, ClockPublic, CounterNoticeIn, PosterInquiryIn, RestoredIn
from cases.takedown.services import get_notice
from piratewatch.web.api.deps import Operator, OperatorBriefly, ServicesDep, SessionDep, Submitter, request_id

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


@router.post("/notices/{notice_id}/restored", response_model=ClockPublic)
async def post_restored(
    notice_id: DbId, body: RestoredIn, request: Request, principal: OperatorBriefly, services: ServicesDep
) -> ClockPublic:
    """The provider restored the content after the clock ran out: its URLs are fetched again and the
    restore recorded with those live again (409 when none is, naming each URL's finding). With
    ``recheck: false`` the operator's `note` says what shows it instead."""
    actor = principal.actor(request_id(request))
    # The re-check fetches pages for many seconds: it takes its own short transactions, none held open.
    factory: sessionmaker[Session] = request.app.state.session_factory
    if body.recheck:
        given = [name for name in ("restored_at", "note") if getattr(body, name) is not None]
        if given:
            raise InvalidInputError([f"{name}: only for a restore recorded without a re-check" for name in given])
        await check_restore(factory, actor, notice_id, services.url_checker, require=True)
    else:
        with transaction(factory) as session:
            record_unchecked_restore(session, actor, notice_id, note=body.note or "", restored_at=body.restored_at)
    with factory() as session:
        return notice_clock(get_notice(session, notice_id), utcnow())
