"""The queue page (filters, claim next, bulk approve) and the list of notices by state.

Everything here calls ``cases.takedown.review``: the same claim (row locks on PostgreSQL, one
conditional update under SQLite's single writer), approve and bulk approve as the API and the CLI.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from cases.db import transaction
from cases.errors import CasesError, InvalidInputError, message_of
from cases.messages import said
from cases.providers.models import ProviderKind
from cases.takedown import review
from cases.takedown.delivery.sending import send_notice
from cases.takedown.item_counts import item_counts
from cases.takedown.list_pages import notices_page as notices_by_page
from cases.takedown.list_pages import queue_page as queue_by_page
from cases.takedown.models import LegalBasis, NoticeState
from cases.takedown.queries import names_for, state_counts
from cases.takedown.withdrawal import withdraw_dead_notice
from cases.tenants.queries import association_choices
from piratewatch.web.api.deps import request_id
from piratewatch.web.ui.auth import current_user, operator_action, operator_user
from piratewatch.web.ui.i18n import N_
from piratewatch.web.ui.pages import UI_PATH, Flash, UiRoute, flash_for, is_htmx, page, status_for
from piratewatch.web.ui.state import UiUser, session_maker, ui_state

router = APIRouter(prefix=UI_PATH, route_class=UiRoute, include_in_schema=False)

#: How many notices the queue page lists.
QUEUE_PAGE = 100
#: The states the queue page counts (what waits for someone).
QUEUE_COUNTS = (NoticeState.IN_REVIEW.value, NoticeState.APPROVED.value, NoticeState.SENDING.value)
#: "Due within" choices offered by the filter, in hours.
DUE_CHOICES = (4, 24, 48, 24 * 7)


def _optional_int(name: str, value: str | None, low: int, high: int) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidInputError([said("{field}: not a number", field=name)]) from None
    if not low <= number <= high:
        raise InvalidInputError([said("{field}: must be between {low} and {high}", field=name, low=low, high=high)])
    return number


def _choice(name: str, value: str | None, allowed: set[str]) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise InvalidInputError(
            [said("{field}: must be one of {allowed}", field=name, allowed=", ".join(sorted(allowed)))]
        )
    return value


def _filters(
    association_id: str | None, recipient_kind: str | None, legal_basis: str | None, due_within_hours: str | None
) -> tuple[review.QueueFilters, dict[str, str]]:
    """The queue's filters from a form or query string (empty fields mean "any"), and their values to show again."""
    association = _optional_int(said("association"), association_id, 1, 2**31)
    kind = _choice(said("recipient kind"), recipient_kind, {k.value for k in ProviderKind})
    basis = _choice(said("legal basis"), legal_basis, {b.value for b in LegalBasis})
    hours = _optional_int(said("due within hours"), due_within_hours, 0, 24 * 365)
    filters = review.QueueFilters(association, kind, basis, dt.timedelta(hours=hours) if hours is not None else None)
    shown = {
        "association_id": str(association or ""),
        "recipient_kind": kind or "",
        "legal_basis": basis or "",
        "due_within_hours": "" if hours is None else str(hours),
    }
    return filters, shown


class QueueForm:
    """The queue's four filters as its forms post them back, so an action's page keeps the operator's filters.

    One dependency for every form of the queue page (claim next, bulk approve, withdraw); empty fields
    mean "any", and :meth:`filters` checks them as the page's query string is checked.
    """

    def __init__(
        self,
        association_id: str = Form(default="", max_length=20),
        recipient_kind: str = Form(default="", max_length=40),
        legal_basis: str = Form(default="", max_length=40),
        due_within_hours: str = Form(default="", max_length=20),
    ) -> None:
        self.fields = (association_id, recipient_kind, legal_basis, due_within_hours)

    def filters(self) -> tuple[review.QueueFilters, dict[str, str]]:
        """The filters the form names, and their values to show again (:class:`InvalidInputError` if wrong)."""
        return _filters(*self.fields)


def _queue_page(
    request: Request,
    user: UiUser,
    filters: review.QueueFilters,
    shown: dict[str, str],
    flash: Flash | None = None,
    status_code: int = 200,
    cursor: str | None = None,
    approved_cursor: str | None = None,
) -> Response:
    with transaction(session_maker(request)) as session:
        waiting = queue_by_page(session, filters, QUEUE_PAGE, cursor)
        sendable = notices_by_page(session, user.principal, NoticeState.APPROVED.value, QUEUE_PAGE, approved_cursor)
        notices, approved = waiting.notices, sendable.notices
        context = {
            "notices": notices,
            "next_cursor": waiting.next_cursor,
            "approved": approved,
            "approved_next_cursor": sendable.next_cursor,
            "paged": bool(cursor or approved_cursor),
            "item_counts": item_counts(session, [n.id for n in [*notices, *approved] if n.id is not None]),
            "channels": sorted(ui_state(request).delivery.channels),
            "names": names_for(session, [*notices, *approved]),
            "associations": association_choices(session),
            "counts": state_counts(session, user.principal, QUEUE_COUNTS),
            "filters": shown,
            "kinds": [k.value for k in ProviderKind],
            "bases": [b.value for b in LegalBasis],
            "due_choices": DUE_CHOICES,
            "limit": QUEUE_PAGE,
        }
    return page(request, "queue.html", context, flash=flash, status_code=status_code)


@router.get("/queue")
def queue_page(
    request: Request,
    association_id: str | None = None,
    recipient_kind: str | None = None,
    legal_basis: str | None = None,
    due_within_hours: str | None = None,
    cursor: str | None = Query(default=None, max_length=200),
    approved_cursor: str | None = Query(default=None, max_length=200),
    user: UiUser = Depends(operator_user),
) -> Response:
    """Notices waiting for review, due first, with the filters of the queue; then the approved ones.
    Each list comes a page at a time (``cursor``, ``approved_cursor``)."""
    filters, shown = _filters(association_id, recipient_kind, legal_basis, due_within_hours)
    return _queue_page(request, user, filters, shown, cursor=cursor, approved_cursor=approved_cursor)


@router.post("/queue/claim")
def claim(
    request: Request,
    posted: QueueForm = Depends(),
    user: UiUser = Depends(operator_action),
) -> Response:
    """Claim the next notice matching the filters and open it; no other operator gets the same one."""
    filters, shown = posted.filters()
    with transaction(session_maker(request)) as session:
        notice = review.claim_next(session, user.principal.actor(request_id(request)), filters)
    if notice is None:
        return _queue_page(
            request, user, filters, shown, Flash(N_("Nothing is waiting for review with these filters."))
        )
    target = f"{UI_PATH}/notices/{notice.id}"
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post("/queue/approve")
def bulk_approve(
    request: Request,
    notice_ids: list[int] = Form(default=[]),
    posted: QueueForm = Depends(),
    user: UiUser = Depends(operator_action),
) -> Response:
    """Approve the ticked notices; the page says which were approved and why the others were not."""
    filters, shown = posted.filters()
    if not notice_ids:
        return _queue_page(
            request, user, filters, shown, Flash(N_("Tick the notices to approve first."), ok=False), 422
        )
    if len(notice_ids) > 1000:
        return _queue_page(
            request,
            user,
            filters,
            shown,
            Flash(N_("At most {limit} notices at once."), ok=False, args={"limit": "1,000"}),
            422,
        )
    try:
        with transaction(session_maker(request)) as session:
            approved, refused = review.bulk_approve(session, user.principal.actor(request_id(request)), notice_ids)
    except CasesError as exc:
        return _queue_page(request, user, filters, shown, flash_for(exc), status_for(exc))
    text = N_("Approved {count} notice(s): {ids}.") if approved else N_("Approved no notice.")
    problems: list[str] = [said("notice {notice}: {why}", notice=i, why=why) for i, why in refused.items()]
    args = {"count": len(approved), "ids": ", ".join(map(str, approved))}
    flash = Flash(text, ok=not refused, problems=problems, partial=bool(approved and refused), args=args)
    return _queue_page(request, user, filters, shown, flash)


@router.post("/queue/{notice_id}/withdraw")
def withdraw(
    notice_id: int,
    request: Request,
    posted: QueueForm = Depends(),
    user: UiUser = Depends(operator_action),
) -> Response:
    """Withdraw, from the queue, a notice whose every URL is gone (rejected with that reason, audited)."""
    filters, shown = posted.filters()
    try:
        with transaction(session_maker(request)) as session:
            withdraw_dead_notice(session, user.principal.actor(request_id(request)), notice_id)
    except CasesError as exc:
        return _queue_page(request, user, filters, shown, flash_for(exc), status_for(exc))
    flash = Flash(N_("Notice {notice} withdrawn: every URL is gone."), args={"notice": notice_id})
    return _queue_page(request, user, filters, shown, flash)


#: notices one click sends at most (each is re-checked and sent in turn)
BULK_SEND_LIMIT = 200


@router.post("/queue/send")
async def bulk_send(
    request: Request,
    notice_ids: list[int] = Form(default=[]),
    channel: str = Form(default="smtp", max_length=16),
    user: UiUser = Depends(operator_action),
) -> Response:
    """Send the ticked approved notices through the outbox, each re-checked first, as one send does;
    the page says what became of each."""
    filters, shown = _filters(None, None, None, None)
    delivery = ui_state(request).delivery
    chosen = delivery.channels.get(channel)
    if chosen is None:
        problem = Flash(N_("Unknown channel {channel!r}."), ok=False, args={"channel": channel})
        return _queue_page(request, user, filters, shown, problem, 422)
    if not notice_ids:
        return _queue_page(request, user, filters, shown, Flash(N_("Tick the notices to send first."), ok=False), 422)
    if len(notice_ids) > BULK_SEND_LIMIT:
        too_many = Flash(N_("At most {limit} notices at once."), ok=False, args={"limit": BULK_SEND_LIMIT})
        return _queue_page(request, user, filters, shown, too_many, 422)
    factory = session_maker(request)
    actor = user.principal.actor(request_id(request))
    sent: list[int] = []
    problems: list[str] = []
    for notice_id in dict.fromkeys(notice_ids):
        try:
            with transaction(factory) as session:
                state = notices_state(session, notice_id)
            if state != NoticeState.APPROVED:
                problems.append(said("notice {notice}: it is {state}, not approved", notice=notice_id, state=state))
                continue
            notice = await send_notice(factory, actor, chosen, notice_id, delivery.recheck)
        except CasesError as exc:  # one refusal must not stop the others
            problems.append(said("notice {notice}: {why}", notice=notice_id, why=message_of(exc)))
            continue
        if notice.state == NoticeState.SENT:
            sent.append(notice_id)
        elif notice.state == NoticeState.IN_REVIEW:
            problems.append(said("notice {notice}: no URL passed the re-check, back in review", notice=notice_id))
        else:
            problems.append(said("notice {notice}: not sent ({state})", notice=notice_id, state=notice.state))
    text = N_("Sent {count} notice(s) by {channel}: {ids}.") if sent else N_("Sent no notice by {channel}.")
    args = {"count": len(sent), "channel": channel, "ids": ", ".join(map(str, sent))}
    flash = Flash(text, ok=not problems, problems=problems, partial=bool(sent and problems), args=args)
    return _queue_page(request, user, filters, shown, flash)


def notices_state(session: Session, notice_id: int) -> str:
    """A notice's state now (the send only goes ahead for an approved one)."""
    from cases.takedown.services import get_notice

    return str(get_notice(session, notice_id).state)


@router.get("/notices")
def notices_page(
    request: Request,
    state: str | None = None,
    cursor: str | None = Query(default=None, max_length=200),
    user: UiUser = Depends(current_user),
) -> Response:
    """Notices by state, newest first, a page at a time (submitters: their association's only)."""
    chosen = _choice(said("state"), state, {s.value for s in NoticeState})
    with transaction(session_maker(request)) as session:
        result = notices_by_page(session, user.principal, chosen, QUEUE_PAGE, cursor)
        notices = result.notices
        context = {
            "notices": notices,
            "next_cursor": result.next_cursor,
            "cursor": cursor or "",
            "names": names_for(session, notices),
            "state": chosen or "",
            "states": [s.value for s in NoticeState],
            "counts": state_counts(session, user.principal),
        }
    return page(request, "notices.html", context)
