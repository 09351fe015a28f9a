"""Signing in and out of the UI, and the dependencies that say who may see or do what.

People sign in with their API key: the key already carries the association and the role (submitter,
operator, admin), is stored hashed, and is revocable, so the UI needs no second account system. The
key is checked once, at sign-in; the session cookie then holds only the key's id (see
``piratewatch.web.ui.session``).

Every state-changing request needs the session's CSRF token, in the ``X-CSRF-Token`` header (htmx)
or the ``csrf_token`` form field (plain forms); without it the answer is 403 and nothing changes.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from cases.audit.services import created, record
from cases.db import transaction, utcnow
from cases.errors import ForbiddenError
from cases.tenants.models import ApiKey, Association
from cases.tenants.roles import Role
from cases.tenants.services import Principal, authenticate
from piratewatch.errors import SignInRequiredError
from piratewatch.web.api.deps import request_id
from piratewatch.web.throttle import AuthThrottle
from piratewatch.web.ui.i18n import N_
from piratewatch.web.ui.pages import UI_PATH, Flash, UiRoute, page
from piratewatch.web.ui.session import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, SIGN_IN_COOKIE, new_token, tokens_match
from piratewatch.web.ui.state import UiUser, cookies_secure, session_maker, ui_state


def current_user(request: Request) -> UiUser:
    """The signed-in person; :class:`SignInRequiredError` without a valid, unexpired session of a live key."""
    state = ui_state(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    session = state.codec.loads(cookie, utcnow())
    if session is None:
        raise SignInRequiredError(expired=bool(cookie))
    with transaction(session_maker(request)) as db:
        key = db.get(ApiKey, session.key_id)
        if key is None or key.revoked_at is not None:
            raise SignInRequiredError(expired=True)  # the key was revoked: its sessions end with it
        association = db.get(Association, key.association_id)
        user = UiUser(
            principal=Principal(session.key_id, key.association_id, Role(key.role)),
            association=association.name if association else "?",
            key_label=key.label,
            key_prefix=key.prefix,
            csrf_token=session.csrf_token,
            expires_at=state.codec.expires_at(session),
        )
    request.state.ui_user = user
    return user


def operator_user(user: UiUser = Depends(current_user)) -> UiUser:
    """The signed-in person, if an operator or admin; 403 otherwise."""
    if not user.is_operator:
        raise ForbiddenError("this page is for operators")
    return user


async def csrf_checked(request: Request, user: UiUser = Depends(current_user)) -> UiUser:
    """The signed-in person, if the request carries their session's CSRF token; 403 otherwise."""
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not tokens_match(user.csrf_token, given):
        raise ForbiddenError("the form's security token is missing or wrong: reload the page and try again")
    return user


def operator_action(user: UiUser = Depends(csrf_checked)) -> UiUser:
    """A state-changing request by an operator (CSRF token checked first)."""
    if not user.is_operator:
        raise ForbiddenError("this action is for operators")
    return user


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a path of the UI only, never another site (``//evil.example``)."""
    if not target or not target.startswith(UI_PATH) or "//" in target or "\\" in target:
        return UI_PATH
    return target


router = APIRouter(prefix=UI_PATH, route_class=UiRoute, include_in_schema=False)


def _sign_in_page(request: Request, next_path: str, *, status_code: int = 200, flash: Flash | None = None) -> Response:
    token = new_token()
    response = page(
        request, "sign_in.html", {"sign_in_token": token, "next": next_path}, status_code=status_code, flash=flash
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        ui_state(request).codec.sign_in_cookie(token, utcnow()),
        max_age=3600,
        path=UI_PATH,
        httponly=True,
        samesite="lax",
        secure=cookies_secure(request),
    )
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None, expired: bool = False) -> Response:
    """The sign-in form (already signed in: straight on)."""
    if ui_state(request).codec.loads(request.cookies.get(SESSION_COOKIE), utcnow()) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    flash = Flash(N_("Your session has ended: sign in again."), ok=False) if expired else None
    return _sign_in_page(request, safe_next(next), flash=flash)


@router.post("/sign-in")
def sign_in(
    request: Request,
    api_key: str = Form(default="", max_length=200),
    csrf_token: str = Form(default="", max_length=200),
    next: str = Form(default=UI_PATH, max_length=2000),
) -> Response:
    """Check the key and begin a session; a wrong key gets the form again with 401."""
    state = ui_state(request)
    now = utcnow()
    if not state.codec.sign_in_token_ok(request.cookies.get(SIGN_IN_COOKIE), csrf_token, now):
        raise ForbiddenError("the sign-in form's security token is missing or stale: reload the page and try again")
    throttle: AuthThrottle = request.app.state.auth_throttle
    client = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(client, api_key)
    if wait is not None:
        flash = Flash(N_("Too many wrong API keys: try again in {wait} seconds."), ok=False, args={"wait": wait})
        response = _sign_in_page(request, safe_next(next), status_code=429, flash=flash)
        response.headers["Retry-After"] = str(wait)
        return response
    with transaction(session_maker(request)) as db:
        principal = authenticate(db, api_key.strip())
        if principal is not None:
            actor = principal.actor(request_id(request))
            record(db, actor, [created("ui_session", principal.key_id, {"role": principal.role.value})])
    if principal is None:
        if api_key.strip():
            throttle.failed(client, api_key)
        return _sign_in_page(
            request, safe_next(next), status_code=401, flash=Flash(N_("Unknown or revoked API key."), ok=False)
        )
    session = state.codec.new_session(principal.key_id, now)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        state.codec.dumps(session),
        max_age=int(state.codec.lifetime.total_seconds()),
        path=UI_PATH,
        httponly=True,
        samesite="lax",
        secure=cookies_secure(request),
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=UI_PATH)
    return response


@router.post("/sign-out")
def sign_out(request: Request, user: UiUser = Depends(csrf_checked)) -> Response:
    """End the session in this browser."""
    response = RedirectResponse(f"{UI_PATH}/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=UI_PATH, httponly=True, samesite="lax", secure=cookies_secure(request))
    return response
