"""The UI's routes on the app: :func:`install_ui` is the one call the app factory makes.

Pages live under ``/ui`` and are left out of the OpenAPI schema (they are not an API). Static files
(htmx, vendored, and the style sheet) are served from the package, so the UI works offline.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from cases.errors import InvalidInputError, NotFoundError
from piratewatch.config import UiSettings
from piratewatch.web.ui import auth, evidence_views, i18n, notice_views, provider_views, queue_views, site_views
from piratewatch.web.ui.auth import current_user
from piratewatch.web.ui.pages import UI_PATH, UiRoute, package_dir
from piratewatch.web.ui.sending import Delivery
from piratewatch.web.ui.session import SessionCodec
from piratewatch.web.ui.state import UiState, UiUser, cookies_secure

#: The files under ``static/`` that are served, and their media types (nothing else is).
STATIC_FILES = {
    "htmx.min.js": "text/javascript",
    "ui.js": "text/javascript",
    "ui.css": "text/css",
}

router = APIRouter(prefix=UI_PATH, route_class=UiRoute, include_in_schema=False)


@router.get("")
def index(user: UiUser = Depends(current_user)) -> Response:
    """Operators start at the queue, associations at their sites."""
    return RedirectResponse(f"{UI_PATH}/queue" if user.is_operator else f"{UI_PATH}/sites", status_code=303)


@router.get("/static/{name}")
def static(name: str, request: Request) -> Response:
    """A static file of the UI (public, cacheable: it holds no data)."""
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        raise NotFoundError(f"no static file {name!r}")
    response = FileResponse(package_dir("static") / name, media_type=media_type)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@router.get("/language")
def language(
    request: Request, to: str | None = Query(None, max_length=8), next: str | None = Query(None, max_length=2000)
) -> Response:
    """Switch the UI's language and come back: the choice is remembered (a cookie), over Accept-Language.

    Without ``to`` nothing changes (the browser just comes back)."""
    response = RedirectResponse(auth.safe_next(next), status_code=303)
    if to is None:
        return response
    if to not in i18n.LANGUAGES:
        raise InvalidInputError([f"to: must be one of {', '.join(i18n.LANGUAGES)}"])
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        to,
        max_age=365 * 24 * 3600,
        path=UI_PATH,
        httponly=True,
        samesite="lax",
        secure=cookies_secure(request),
    )
    return response


#: Every router of the UI (all under ``/ui``), in the order they are installed.
ROUTERS = (
    router,
    auth.router,
    queue_views.router,
    notice_views.router,
    site_views.router,
    provider_views.router,
    evidence_views.router,
)


def install_ui(app: FastAPI, *, secret_key: str, settings: UiSettings, delivery: Delivery) -> None:
    """Put the UI on `app`: its configuration on ``app.state.ui`` and its routes under ``/ui``."""
    app.state.ui = UiState(
        codec=SessionCodec(secret_key, dt.timedelta(hours=settings.session_hours)),
        secure_cookies=settings.secure_cookies,
        delivery=delivery,
    )
    for routes in ROUTERS:
        app.include_router(routes)
