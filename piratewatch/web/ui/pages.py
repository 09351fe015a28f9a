"""Rendering the UI's pages, answering errors with pages, and the headers every UI answer carries.

Every UI route uses :class:`UiRoute`: the domain's errors (not found, conflict, invalid input, a
refused CSRF token) become an HTML page with the right status, and a request without a session is
sent to the sign-in page. For htmx requests the error is swapped into the page's message area
instead of replacing the page (``HX-Retarget``/``HX-Reselect``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from cases.errors import CasesError, ConflictError, ForbiddenError, InvalidInputError, NotFoundError, message_of
from cases.messages import Said
from common.text import scrub_block
from piratewatch.errors import SignInRequiredError
from piratewatch.web.ui import i18n
from piratewatch.web.ui.i18n import N_
from piratewatch.web.ui.session import CSRF_HEADER, SESSION_COOKIE
from piratewatch.web.ui.state import signed_in_user

#: The UI's own path; its cookies are scoped to it.
UI_PATH = "/ui"

# Pages load nothing from elsewhere and run no inline script, so the policy can be strict: an
# injected <script> or a framed page does nothing even if escaping ever failed somewhere.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def package_dir(name: str) -> Path:
    """A folder shipped inside this package (``templates``, ``static``)."""
    return Path(str(resources.files("piratewatch.web.ui").joinpath(name)))


@pass_context
def _when(context: Context, value: dt.datetime | None) -> str:
    return i18n.when(value, context.get("lang", "en"))


@pass_context
def _number(context: Context, value: float | None) -> str:
    return i18n.number(value, context.get("lang", "en"))


#: how much of one audited text a page shows (the rest is in the store and the API)
_AUDITED_TEXT = 300


def _audited(value: str | None) -> object:
    """An audit trail's stored value as what it was: a JSON object or list as itself (shown as a table
    by the ``answer`` macro), a time stamp as a time, other text as text (cut, never mid-structure)."""
    if value is None:
        return None
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            pass  # text that only looks like JSON: shown as text
    if len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    return value if len(value) <= _AUDITED_TEXT else value[:_AUDITED_TEXT] + "…"


def _shown(value: object) -> object:
    """Every value a page prints, without what would change how the page reads.

    Autoescaping stops markup; this stops the rest a registry, a page or a reply may carry: NUL and
    control characters, lone surrogates and bidirectional overrides (text that displays in another
    order than it reads). Markup the templates built themselves is left as it is.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return scrub_block(value, max_length=len(value) + 1) or ""
    return value


@cache
def templates() -> Jinja2Templates:
    """The UI's Jinja2 templates (autoescaped), built on first use."""
    built = Jinja2Templates(directory=package_dir("templates"))
    built.env.finalize = _shown  # before any template is compiled: Jinja applies it at compile time
    built.env.filters["when"] = _when
    built.env.filters["number"] = _number
    built.env.filters["audited"] = _audited
    built.env.globals["csrf_header"] = CSRF_HEADER
    return built


@dataclass(frozen=True)
class Flash:
    """A message shown above the page: what an action did, or why it was refused.

    `text` is a message of the catalogue (marked ``N_``) with ``{name}`` places filled from `args`
    after translation, so the page can say it in the reader's language.
    """

    text: str
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    #: part of the work was done and part refused (a bulk action): neither a success nor a failure
    partial: bool = False
    args: dict[str, object] = field(default_factory=dict)

    def said(self, gettext: Callable[[str], str]) -> str:
        """The message in the language of `gettext`, its places filled (a store's message: :func:`i18n.say`)."""
        if isinstance(self.text, Said):
            return i18n.say(self.text, gettext)
        return gettext(self.text).format(**self.args) if self.args else gettext(self.text)


def flash_for(exc: CasesError) -> Flash:
    """The message for a refused action."""
    if isinstance(exc, InvalidInputError):
        return Flash(N_("Not done: the input needs changes."), ok=False, problems=list(exc.problems))
    return Flash(message_of(exc), ok=False)


def status_for(exc: CasesError) -> int:
    """The HTTP status of a domain error (the same as the API's)."""
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ForbiddenError):
        return 403
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, InvalidInputError):
        return 422
    return 400


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it then swaps part of the page instead of loading a new one)."""
    return request.headers.get("HX-Request") == "true"


def page(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200, flash: Flash | None = None
) -> HTMLResponse:
    """Render template `name` with the signed-in user, their CSRF token and an optional message."""
    user = signed_in_user(request)
    lang = i18n.language_of(request)
    words = i18n.translations(lang)
    full = {
        "user": user,
        "csrf_token": user.csrf_token if user else "",
        "flash": flash,
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "_": words.gettext,
        "say": lambda text: i18n.say(text, words.gettext),
        "term": lambda value: i18n.term(value, words.gettext),
        **context,
    }
    response: HTMLResponse = templates().TemplateResponse(request, name, full, status_code=status_code)
    return response


def after_action(request: Request, url: str, render: Callable[[], Response]) -> Response:
    """The answer to a successful form post: htmx gets the updated page to swap; a plain form a redirect to `url`."""
    return render() if is_htmx(request) else RedirectResponse(url, status_code=303)


def error_page(request: Request, status_code: int, flash: Flash) -> Response:
    """A page that only says what went wrong; htmx swaps just the message into the current page."""
    response = page(request, "error.html", {"status_code": status_code}, status_code=status_code, flash=flash)
    if is_htmx(request):
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reselect"] = "#flash"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def sign_in_redirect(request: Request, *, expired: bool) -> Response:
    """Send the browser to the sign-in page, coming back here afterwards (for pages, not for form posts)."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET" or is_htmx(request):
        back = UI_PATH
    target = f"{UI_PATH}/sign-in?next={quote(back, safe='/')}" + ("&expired=1" if expired else "")
    response: Response
    if is_htmx(request):
        response = Response(status_code=200, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    if request.cookies.get(SESSION_COOKIE):
        response.delete_cookie(SESSION_COOKIE, path=UI_PATH)
    return response


def _validation_problems(exc: RequestValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return problems


class UiRoute(APIRoute):
    """A route whose errors are pages, and whose answers all carry the UI's security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            response: Response
            try:
                response = await handle(request)
            except SignInRequiredError as exc:
                response = sign_in_redirect(request, expired=exc.expired)
            except CasesError as exc:
                response = error_page(request, status_for(exc), flash_for(exc))
            except RequestValidationError as exc:
                flash = Flash(
                    N_("Not done: the request was not understood."), ok=False, problems=_validation_problems(exc)
                )
                response = error_page(request, 422, flash)
            except HTTPException as exc:
                response = error_page(request, exc.status_code, Flash(str(exc.detail), ok=False))
            for name, value in _SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            # Pages show one association's data to one person: never kept by a shared cache or the back button.
            response.headers.setdefault("Cache-Control", "no-store")
            return response

        return handler
