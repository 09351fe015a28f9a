"""A notice's page (rendered text, hash, items, delivery attempts, replies, audit trail) and its actions.

The actions call the domain's services: ``submit_for_review``, the queue's ``approve`` and ``reject``,
and the outbox's ``send_notice``, ``reconcile`` and ``confirm_unconfirmed``. Sending goes through the
outbox only: the notice is taken ``approved → sending`` by a conditional update committed before
anything leaves, so a double click, two operators or a retry never send it twice.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response
from sqlmodel import Session

from cases.db import transaction
from cases.errors import CasesError, ConflictError, InvalidInputError
from cases.evidence.models import EvidenceCapture
from cases.evidence.services import latest_captures
from cases.messages import said
from cases.takedown import claims, review
from cases.takedown.delivery.outbox import confirm_unconfirmed, reconcile
from cases.takedown.delivery.sending import send_notice
from cases.takedown.models import DeliveryAttempt, NoticeState, TakedownCase
from cases.takedown.queries import (
    ACTIONABLE,
    delivery_attempts,
    get_visible_notice,
    names_for,
    notice_audit_trail,
    notice_detail,
    replies,
    unconfirmed,
)
from cases.takedown.services import get_notice, submit_for_review
from cases.takedown.withdrawal import has_no_live_url, withdraw_dead_notice
from cases.works.queries import work_titles
from piratewatch.web.api.deps import request_id
from piratewatch.web.ui.auth import current_user, operator_action
from piratewatch.web.ui.i18n import N_
from piratewatch.web.ui.pages import UI_PATH, Flash, UiRoute, after_action, flash_for, page, status_for
from piratewatch.web.ui.state import UiUser, session_maker, ui_state

router = APIRouter(prefix=UI_PATH, route_class=UiRoute, include_in_schema=False)

#: how long a claim holds, in minutes (what the page tells whoever takes one over)
_CLAIM_MINUTES = int(review.CLAIM_TIMEOUT.total_seconds() // 60)


def _captures(session: Session, user: UiUser, association_id: int, urls: list[str]) -> dict[str, EvidenceCapture]:
    """The newest capture of each item's URL the person may see (a submitter: its association's own)."""
    found = latest_captures(session, urls, association_id=association_id)
    return {u: c for u, c in found.items() if user.is_operator or c.association_id == association_id}


def _notice_page(
    request: Request, user: UiUser, notice_id: int, flash: Flash | None = None, status_code: int = 200
) -> Response:
    with transaction(session_maker(request)) as session:
        detail = notice_detail(session, user.principal, notice_id)
        notice = get_visible_notice(session, user.principal, notice_id)
        case = session.get(TakedownCase, notice.case_id)
        attempts = delivery_attempts(session, notice_id)
        context = {
            "notice": detail,
            "case": case,
            "names": names_for(session, [notice]),
            "works": work_titles(session, [i.work_id for i in detail.items]),
            "captures": _captures(session, user, notice.association_id, [i.url for i in detail.items]),
            "attempts": attempts,
            "replies": replies(session, notice_id),
            "audit": notice_audit_trail(session, notice_id, [a.id for a in attempts if a.id is not None]),
            "action": ACTIONABLE.get(detail.state) if user.is_operator else None,
            "unconfirmed": unconfirmed(attempts),
            "channels": sorted(ui_state(request).delivery.channels),
            "claim_expires_at": claims.claim_expires_at(notice) if claims.claim_is_live(notice) else None,
            "mine": notice.claimed_by == user.principal.actor(None).name,
            # the re-check keeps the old text when it drops every URL: the page says so above it
            "no_live_url": has_no_live_url(session, notice_id),
        }
    return page(request, "notice.html", context, flash=flash, status_code=status_code)


def _acted(request: Request, user: UiUser, notice_id: int, message: str, ok: bool = True, **args: object) -> Response:
    """The notice's page after an action; `message` is a message of the catalogue, its places filled from `args`."""
    flash = Flash(message, ok=ok, args={"notice": notice_id, **args})
    return after_action(
        request, f"{UI_PATH}/notices/{notice_id}", lambda: _notice_page(request, user, notice_id, flash)
    )


def _refused(request: Request, user: UiUser, notice_id: int, exc: CasesError) -> Response:
    return _notice_page(request, user, notice_id, flash_for(exc), status_for(exc))


@router.get("/notices/{notice_id}")
def notice_page(notice_id: int, request: Request, user: UiUser = Depends(current_user)) -> Response:
    """One notice; submitters see their own association's notices only (another's is "not found")."""
    return _notice_page(request, user, notice_id)


@router.post("/notices/{notice_id}/submit")
def submit(notice_id: int, request: Request, user: UiUser = Depends(operator_action)) -> Response:
    """Render a draft and queue it for review; the validator names every missing element."""
    try:
        with transaction(session_maker(request)) as session:
            submit_for_review(session, user.principal.actor(request_id(request)), notice_id)
    except CasesError as exc:
        return _refused(request, user, notice_id, exc)
    return _acted(request, user, notice_id, N_("Notice {notice} rendered and queued for review."))


@router.post("/notices/{notice_id}/approve")
def approve(notice_id: int, request: Request, user: UiUser = Depends(operator_action)) -> Response:
    """Approve a notice in review (refused if another operator holds it)."""
    try:
        with transaction(session_maker(request)) as session:
            review.approve(session, user.principal.actor(request_id(request)), notice_id)
    except CasesError as exc:
        return _refused(request, user, notice_id, exc)
    return _acted(request, user, notice_id, N_("Notice {notice} approved: ready to send."))


@router.post("/notices/{notice_id}/release")
def release(notice_id: int, request: Request, user: UiUser = Depends(operator_action)) -> Response:
    """Give a claimed notice back to the queue (one's own, or a colleague's: audited either way)."""
    try:
        with transaction(session_maker(request)) as session:
            before = get_notice(session, notice_id).claimed_by
            claims.release(session, user.principal.actor(request_id(request)), notice_id)
    except CasesError as exc:
        return _refused(request, user, notice_id, exc)
    return _acted(
        request, user, notice_id, N_("Claim of {holder} released: notice {notice} is back in the queue."), holder=before
    )


@router.post("/notices/{notice_id}/take-over")
def take_over(notice_id: int, request: Request, user: UiUser = Depends(operator_action)) -> Response:
    """Claim a notice another operator holds (audited with the previous holder)."""
    try:
        with transaction(session_maker(request)) as session:
            before = get_notice(session, notice_id).claimed_by
            claims.take_over(session, user.principal.actor(request_id(request)), notice_id)
    except CasesError as exc:
        return _refused(request, user, notice_id, exc)
    text = (
        N_("Notice {notice} taken over from {holder}: it is yours for {minutes} minutes.")
        if before
        else N_("Notice {notice} taken over: it is yours for {minutes} minutes.")
    )
    return _acted(request, user, notice_id, text, holder=before, minutes=_CLAIM_MINUTES)


@router.post("/notices/{notice_id}/reject")
def reject(
    notice_id: int,
    request: Request,
    reason: str = Form(default="", max_length=5000),
    user: UiUser = Depends(operator_action),
) -> Response:
    """Reject a notice in review; the reason is required and kept."""
    try:
        with transaction(session_maker(request)) as session:
            review.reject(session, user.principal.actor(request_id(request)), notice_id, reason)
    except CasesError as exc:
        return _refused(request, user, notice_id, exc)
    return _acted(request, user, notice_id, N_("Notice {notice} rejected."))


@router.post("/notices/{notice_id}/withdraw")
def withdraw(notice_id: int, request: Request, user: UiUser = Depends(operator_action)) -> Response:
    """Withdraw a notice in review whose every URL is gone (rejected with that reason, audited)."""
    try:
        with transaction(session_maker(request)) as session:
            withdraw_dead_notice(session, user.principal.actor(request_id(request)), notice_id)
    except CasesError as exc:
        return _refused(request, user, notice_id, exc)
    return _acted(request, user, notice_id, N_("Notice {notice} withdrawn: every URL is gone."))


@router.post("/notices/{notice_id}/send")
async def send(
    notice_id: int,
    request: Request,
    channel: str = Form(default="smtp", max_length=16),
    user: UiUser = Depends(operator_action),
) -> Response:
    """Send an approved notice through the outbox (its URLs re-checked first); says what became of it."""
    delivery = ui_state(request).delivery
    chosen = delivery.channels.get(channel)
    if chosen is None:
        exc = InvalidInputError([f"channel: must be one of {', '.join(sorted(delivery.channels))}"])
        return _refused(request, user, notice_id, exc)
    factory = session_maker(request)
    actor = user.principal.actor(request_id(request))
    try:
        # Only approved notices are re-checked and sent; the outbox's conditional update then makes
        # sure that of two clicks (or two operators) only one sends.
        with transaction(factory) as session:
            state = get_notice(session, notice_id).state
        if state != NoticeState.APPROVED:
            raise ConflictError(said("notice {notice} is {state}, not approved", notice=notice_id, state=state))
        notice = await send_notice(factory, actor, chosen, notice_id, delivery.recheck)
    except CasesError as exc:
        return _refused(request, user, notice_id, exc)
    if notice.state == NoticeState.SENT:
        return _acted(request, user, notice_id, N_("Notice {notice} sent by {channel}."), channel=channel)
    if notice.state == NoticeState.IN_REVIEW:
        return _acted(
            request, user, notice_id, N_("No URL passed the re-check: the notice is back in review."), ok=False
        )
    with transaction(factory) as session:
        last = session.get(DeliveryAttempt, max(a.id or 0 for a in delivery_attempts(session, notice_id)))
        error = last.error if last is not None else None
    return _acted(
        request, user, notice_id, N_("Not sent ({why}); still approved."), ok=False, why=error or notice.state
    )


@router.post("/notices/{notice_id}/settle")
async def settle(notice_id: int, request: Request, user: UiUser = Depends(operator_action)) -> Response:
    """Settle sends interrupted by a crash (the outbox's ``reconcile``: asks each channel what it received)."""
    delivery = ui_state(request).delivery
    decisions = await reconcile(session_maker(request), user.principal.actor(request_id(request)), delivery.channels)
    decision = decisions.get(notice_id)
    text = (
        N_("Interrupted send of notice {notice}: {decision}.")
        if decision
        else N_("Nothing to settle for this notice yet (a send younger than five minutes may still be under way).")
    )
    return _acted(request, user, notice_id, text, ok=decision == "sent", decision=decision)


@router.post("/notices/{notice_id}/confirm")
def confirm(
    notice_id: int,
    request: Request,
    was_sent: str = Form(default="", pattern="^(yes|no)$"),
    user: UiUser = Depends(operator_action),
) -> Response:
    """An operator's answer for an interrupted e-mail: it left (``sent``) or it did not (back to ``approved``)."""
    try:
        with transaction(session_maker(request)) as session:
            notice = confirm_unconfirmed(
                session, user.principal.actor(request_id(request)), notice_id, was_sent=was_sent == "yes"
            )
    except CasesError as exc:
        return _refused(request, user, notice_id, exc)
    return _acted(request, user, notice_id, N_("Notice {notice} is now {state}."), state=notice.state)
