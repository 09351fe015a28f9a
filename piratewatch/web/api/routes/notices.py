"""``/api/v1/notices``, ``/api/v1/queue``, a site's cases, inbound replies and transparency exports.

Submitters read their own association's notices and their sites' case status; everything that acts
(drafting, the queue, replies, escalation, exports) is for operators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request, Response, status
from sqlmodel import Session

from cases.db import DbId
from cases.errors import ForbiddenError, NotFoundError
from cases.takedown import review
from cases.takedown.art22_report import art22_report
from cases.takedown.escalation import escalate_overdue
from cases.takedown.models import LegalBasis
from cases.takedown.queries import notice_detail, site_cases
from cases.takedown.replies import find_notice_by_reference, record_reply
from cases.takedown.schemas import (
    BulkApproveIn,
    BulkApproveOut,
    CasePublic,
    EscalationOut,
    NoticeCreate,
    NoticeDetail,
    NoticeSummary,
    RejectIn,
    ReplyIn,
    ReplyOut,
    SenderDetails,
    SenderProfilePublic,
    WorkRightsDetails,
    WorkRightsPublic,
)
from cases.takedown.senders import get_sender_profile, notice_sender, set_sender_profile
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from cases.takedown.statistics import lumen_export, yearly_counts
from cases.takedown.work_rights import get_work_rights, own_work, set_work_rights
from cases.tenants.roles import Role
from piratewatch.web.api.deps import Operator, SessionDep, Submitter, request_id

router = APIRouter(prefix="/api/v1", tags=["takedown"])


@router.get("/sites/{site_id}/cases", response_model=list[CasePublic])
def get_site_cases(site_id: DbId, principal: Submitter, session: SessionDep) -> list[CasePublic]:
    """A site's takedown cases; submitters see only their own association's notices in them."""
    return site_cases(session, principal, site_id)


@router.get("/notices/{notice_id}", response_model=NoticeDetail)
def get_notice_detail(notice_id: DbId, principal: Submitter, session: SessionDep) -> NoticeDetail:
    """A notice with its rendered text, hash and items (another association's notice: 404)."""
    return notice_detail(session, principal, notice_id)


@router.post("/notices", response_model=NoticeDetail, status_code=status.HTTP_201_CREATED)
def post_notice(
    body: NoticeCreate,
    request: Request,
    principal: Operator,
    session: SessionDep,
) -> NoticeDetail:
    """Open the (site, provider) case if needed and draft a notice from the association's evidence (operators).

    The sender is the association's stored profile; `sender` may add details for this notice, never a
    statement or the signature (422 naming each one given).
    """
    actor = principal.actor(request_id(request))
    sender = notice_sender(session, body.association_id, body.sender)  # statements: the profile's only
    case = open_case(session, actor, body.site_id, body.provider_id)
    notice = draft_notice(
        session, actor, case.id or 0, body.association_id, body.legal_basis, sender, template=body.template
    )
    return notice_detail(session, principal, notice.id or 0)


@router.post("/notices/{notice_id}/submit", response_model=NoticeDetail)
def post_submit(notice_id: DbId, request: Request, principal: Operator, session: SessionDep) -> NoticeDetail:
    """Render a draft and queue it for review; 422 names every element its legal basis requires but lacks."""
    submit_for_review(session, principal.actor(request_id(request)), notice_id)
    return notice_detail(session, principal, notice_id)


@router.get("/queue", response_model=list[NoticeSummary])
def get_queue(
    principal: Operator,
    session: SessionDep,
    association_id: DbId | None = None,
    recipient_kind: str | None = Query(default=None, max_length=16),
    legal_basis: LegalBasis | None = None,
    due_within_hours: int | None = Query(default=None, ge=0, le=24 * 365),
    limit: int = Query(default=50, ge=1, le=500),
    after_id: DbId | None = None,
) -> list[NoticeSummary]:
    """Notices waiting for review, due first (operators)."""
    filters = review.QueueFilters(
        association_id,
        recipient_kind,
        legal_basis.value if legal_basis else None,
        dt.timedelta(hours=due_within_hours) if due_within_hours is not None else None,
    )
    return [NoticeSummary.model_validate(n) for n in review.list_queue(session, filters, limit, after_id)]


@router.post("/queue/claim", response_model=NoticeDetail, responses={204: {"description": "nothing to review"}})
def post_claim(
    request: Request,
    principal: Operator,
    session: SessionDep,
    association_id: DbId | None = None,
    recipient_kind: str | None = Query(default=None, max_length=16),
    legal_basis: LegalBasis | None = None,
) -> Any:
    """Claim the next notice to review; two operators never get the same one. 204 when the queue is empty."""
    filters = review.QueueFilters(association_id, recipient_kind, legal_basis.value if legal_basis else None)
    notice = review.claim_next(session, principal.actor(request_id(request)), filters)
    if notice is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return notice_detail(session, principal, notice.id or 0)


@router.post("/notices/{notice_id}/approve", response_model=NoticeSummary)
def post_approve(notice_id: DbId, request: Request, principal: Operator, session: SessionDep) -> NoticeSummary:
    """Approve a notice in review (409 if another operator holds it)."""
    return NoticeSummary.model_validate(review.approve(session, principal.actor(request_id(request)), notice_id))


@router.post("/notices/{notice_id}/reject", response_model=NoticeSummary)
def post_reject(
    notice_id: DbId,
    body: RejectIn,
    request: Request,
    principal: Operator,
    session: SessionDep,
) -> NoticeSummary:
    """Reject a notice in review, with the reason."""
    notice = review.reject(session, principal.actor(request_id(request)), notice_id, body.reason)
    return NoticeSummary.model_validate(notice)


@router.post("/queue/approve", response_model=BulkApproveOut)
def post_bulk_approve(
    body: BulkApproveIn,
    request: Request,
    principal: Operator,
    session: SessionDep,
) -> BulkApproveOut:
    """Approve several notices; those that cannot be approved are listed with the reason."""
    approved, refused = review.bulk_approve(session, principal.actor(request_id(request)), body.notice_ids)
    return BulkApproveOut(approved=approved, refused=refused)


@router.post("/inbound/replies", response_model=ReplyOut, status_code=status.HTTP_201_CREATED)
def post_reply(body: ReplyIn, request: Request, principal: Operator, session: SessionDep) -> ReplyOut:
    """Record a bounce or a reply (mail gateway webhooks, operators); the notice moves accordingly."""
    notice = (
        get_notice(session, body.notice_id)
        if body.notice_id is not None
        else find_notice_by_reference(session, body.reference, body.subject)
    )
    if notice is None or notice.id is None:
        raise NotFoundError("no notice matches this reply")
    reply = record_reply(
        session,
        principal.actor(request_id(request)),
        notice.id,
        body.kind,
        sender=body.sender,
        subject=body.subject,
        body=body.body,
    )
    return ReplyOut(id=reply.id or 0, notice_id=notice.id, kind=reply.kind, state=notice.state)


@router.post("/notices/escalate-overdue", response_model=list[EscalationOut])
def post_escalate(request: Request, principal: Operator, session: SessionDep) -> list[EscalationOut]:
    """Mark overdue notices unanswered and escalate them to the next step of the ladder."""
    steps = escalate_overdue(session, principal.actor(request_id(request)))
    return [EscalationOut(notice_id=s.notice_id, new_notice_id=s.new_notice_id, step=s.step) for s in steps]


@router.get("/transparency/lumen")
def get_lumen(principal: Operator, session: SessionDep, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Sent notices in Lumen's JSON format."""
    return lumen_export(session, since)


@router.get("/transparency/counts")
def get_counts(
    principal: Operator,
    session: SessionDep,
    year: int = Query(ge=2000, le=2100),
) -> list[dict[str, Any]]:
    """Notices sent in a year by provider, content type and action (DSA Art. 22 style)."""
    return yearly_counts(session, year)


def _sender_profile_answer(session: Session, association_id: DbId) -> SenderProfilePublic:
    profile = get_sender_profile(session, association_id)
    if profile is None:
        return SenderProfilePublic(association_id=association_id, sender=SenderDetails(), updated_at=None)
    return SenderProfilePublic(
        association_id=association_id,
        sender=SenderDetails.model_validate(profile.sender),
        updated_at=profile.updated_at,
    )


@router.get("/associations/{association_id}/sender-profile", response_model=SenderProfilePublic)
def get_sender(association_id: DbId, principal: Submitter, session: SessionDep) -> SenderProfilePublic:
    """The association's sender details and statements, copied into every notice drafted for it."""
    if not principal.sees_everything and principal.association_id != association_id:
        raise NotFoundError(f"association {association_id} not found")
    return _sender_profile_answer(session, association_id)


@router.put("/associations/{association_id}/sender-profile", response_model=SenderProfilePublic)
def put_sender(
    association_id: DbId,
    body: SenderDetails,
    request: Request,
    principal: Submitter,
    session: SessionDep,
) -> SenderProfilePublic:
    """Set the association's sender details. Only the association itself (or an admin) makes its statements."""
    if principal.association_id != association_id:
        if not principal.sees_everything:
            raise NotFoundError(f"association {association_id} not found")
        if principal.role != Role.ADMIN:
            raise ForbiddenError("an association's statements are made by the association itself (or an admin)")
    set_sender_profile(session, principal.actor(request_id(request)), association_id, body.model_dump())
    return _sender_profile_answer(session, association_id)


@router.get("/associations/{association_id}/art22-report")
def get_art22_report(
    association_id: DbId,
    principal: Submitter,
    session: SessionDep,
    year: int | None = Query(default=None, ge=2024, le=2100),
) -> dict[str, Any]:
    """The association's DSA Art. 16 notices of a year (default: this one) counted as Art. 22(3) asks of
    trusted flaggers: by provider, type of content and action taken, with the time to action."""
    if not principal.sees_everything and principal.association_id != association_id:
        raise NotFoundError(f"association {association_id} not found")
    return art22_report(session, association_id, year or dt.datetime.now(dt.UTC).year)


def _work_rights_answer(session: Session, work_id: DbId) -> WorkRightsPublic:
    row = get_work_rights(session, work_id)
    if row is None:
        return WorkRightsPublic(work_id=work_id, statement=WorkRightsDetails(), updated_at=None)
    return WorkRightsPublic(
        work_id=work_id, statement=WorkRightsDetails.model_validate(row.statement), updated_at=row.updated_at
    )


@router.get("/works/{work_id}/rights-statement", response_model=WorkRightsPublic)
def get_rights_statement(work_id: DbId, principal: Submitter, session: SessionDep) -> WorkRightsPublic:
    """A work's rights statement (right infringed, protection period, no licence, proof of the right)."""
    own_work(session, None if principal.sees_everything else principal.association_id, work_id)
    return _work_rights_answer(session, work_id)


@router.put("/works/{work_id}/rights-statement", response_model=WorkRightsPublic)
def put_rights_statement(
    work_id: DbId,
    body: WorkRightsDetails,
    request: Request,
    principal: Submitter,
    session: SessionDep,
) -> WorkRightsPublic:
    """Set a work's rights statement. Only the work's association (or an admin) states it."""
    work = own_work(session, None if principal.sees_everything else principal.association_id, work_id)
    if work.association_id != principal.association_id and principal.role != Role.ADMIN:
        raise ForbiddenError("a work's rights are stated by its association itself (or an admin)")
    set_work_rights(session, principal.actor(request_id(request)), work_id, body.model_dump())
    return _work_rights_answer(session, work_id)
