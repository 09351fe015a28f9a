"""The provider directory with scorecards, a provider's page with its edit form (operators only).

Adding and editing call ``cases.providers.services`` (which checks every field and audits each change);
scorecards come from ``cases.takedown.statistics.scorecards``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from cases.db import transaction
from cases.errors import CasesError, InvalidInputError
from cases.providers.models import Provider, ProviderKind
from cases.providers.services import add_provider, edit_provider, get_provider, list_providers
from cases.takedown.queries import names_for, notices_to_provider
from cases.takedown.statistics import scorecards
from piratewatch.web.api.deps import request_id
from piratewatch.web.ui.auth import operator_action, operator_user
from piratewatch.web.ui.i18n import N_
from piratewatch.web.ui.pages import UI_PATH, Flash, UiRoute, after_action, flash_for, is_htmx, page, status_for
from piratewatch.web.ui.state import UiUser, session_maker

router = APIRouter(prefix=UI_PATH, route_class=UiRoute, include_in_schema=False)

KINDS = [k.value for k in ProviderKind]


def _form_values(
    kind: str, country: str, abuse_email: str, abuse_form_url: str, abuse_api_url: str, formats: str, days: str
) -> dict[str, Any]:
    """The provider fields of the form; an empty field clears the value."""
    try:
        expected_days = int(days) if days.strip() else 7
    except ValueError:
        raise InvalidInputError(["expected_response_days: not a whole number of days"]) from None
    return {
        "kind": kind,
        "country": country.strip() or None,
        "abuse_email": abuse_email.strip() or None,
        "abuse_form_url": abuse_form_url.strip() or None,
        "abuse_api_url": abuse_api_url.strip() or None,
        "accepted_formats": [f.strip() for f in formats.split(",") if f.strip()],
        "expected_response_days": expected_days,
    }


def _directory(request: Request, kind: str | None, flash: Flash | None = None, status_code: int = 200) -> Response:
    with transaction(session_maker(request)) as session:
        providers = list_providers(session, kind if kind in KINDS else None)
        cards = {c.provider_id: c for c in scorecards(session)}
    context = {"providers": providers, "cards": cards, "kind": kind or "", "kinds": KINDS}
    return page(request, "providers.html", context, flash=flash, status_code=status_code)


def _provider_page(
    request: Request, provider_id: int, flash: Flash | None = None, status_code: int = 200, form: Any = None
) -> Response:
    with transaction(session_maker(request)) as session:
        provider = get_provider(session, provider_id)
        card = next(iter(scorecards(session, provider_id)), None)
        notices = notices_to_provider(session, provider_id)
        context = {
            "provider": provider,
            "card": card,
            "notices": notices,
            "names": names_for(session, notices),
            "kinds": KINDS,
            "form": form or _shown(provider),
        }
    return page(request, "provider.html", context, flash=flash, status_code=status_code)


def _shown(provider: Provider) -> dict[str, str]:
    return {
        "kind": str(provider.kind),
        "country": provider.country or "",
        "abuse_email": provider.abuse_email or "",
        "abuse_form_url": provider.abuse_form_url or "",
        "abuse_api_url": provider.abuse_api_url or "",
        "accepted_formats": ", ".join(provider.accepted_formats),
        "expected_response_days": str(provider.expected_response_days),
    }


@router.get("/providers")
def providers_page(request: Request, kind: str | None = None, user: UiUser = Depends(operator_user)) -> Response:
    """Every provider with its abuse channels, and the scorecards of those that were sent notices."""
    return _directory(request, kind)


@router.post("/providers")
def add(
    request: Request,
    name: str = Form(default="", max_length=300),
    kind: str = Form(default="host", max_length=16),
    country: str = Form(default="", max_length=64),
    abuse_email: str = Form(default="", max_length=320),
    abuse_form_url: str = Form(default="", max_length=2000),
    abuse_api_url: str = Form(default="", max_length=2000),
    accepted_formats: str = Form(default="", max_length=2000),
    expected_response_days: str = Form(default="7", max_length=4),
    user: UiUser = Depends(operator_action),
) -> Response:
    """Add a provider to the directory."""
    try:
        values = _form_values(
            kind, country, abuse_email, abuse_form_url, abuse_api_url, accepted_formats, expected_response_days
        )
        values = {k: v for k, v in values.items() if v not in (None, [])}
        with transaction(session_maker(request)) as session:
            provider = add_provider(
                session, user.principal.actor(request_id(request)), name, values.pop("kind"), **values
            )
    except CasesError as exc:
        return _directory(request, None, flash_for(exc), status_for(exc))
    target = f"{UI_PATH}/providers/{provider.id}"
    if is_htmx(request):
        return _provider_page(request, provider.id or 0, Flash(N_("{name} added."), args={"name": provider.name}))
    return RedirectResponse(target, status_code=303)


@router.get("/providers/{provider_id}")
def provider_page(provider_id: int, request: Request, user: UiUser = Depends(operator_user)) -> Response:
    """A provider: its abuse channels (editable), its scorecard and the notices sent to it."""
    return _provider_page(request, provider_id)


@router.post("/providers/{provider_id}")
def edit(
    provider_id: int,
    request: Request,
    kind: str = Form(default="host", max_length=16),
    country: str = Form(default="", max_length=64),
    abuse_email: str = Form(default="", max_length=320),
    abuse_form_url: str = Form(default="", max_length=2000),
    abuse_api_url: str = Form(default="", max_length=2000),
    accepted_formats: str = Form(default="", max_length=2000),
    expected_response_days: str = Form(default="7", max_length=4),
    user: UiUser = Depends(operator_action),
) -> Response:
    """Change a provider's fields; each change is audited, a refused form keeps what was typed."""
    typed = {
        "kind": kind,
        "country": country,
        "abuse_email": abuse_email,
        "abuse_form_url": abuse_form_url,
        "abuse_api_url": abuse_api_url,
        "accepted_formats": accepted_formats,
        "expected_response_days": expected_response_days,
    }
    try:
        values = _form_values(
            kind, country, abuse_email, abuse_form_url, abuse_api_url, accepted_formats, expected_response_days
        )
        with transaction(session_maker(request)) as session:
            edit_provider(session, user.principal.actor(request_id(request)), provider_id, **values)
    except CasesError as exc:
        return _provider_page(request, provider_id, flash_for(exc), status_for(exc), form=typed)
    return after_action(
        request,
        f"{UI_PATH}/providers/{provider_id}",
        lambda: _provider_page(request, provider_id, Flash(N_("Provider saved."))),
    )
