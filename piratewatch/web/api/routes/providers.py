"""``/api/v1/providers``: the directory (operators read and edit it) and the scorecards."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from cases.db import DbId
from cases.providers.models import ProviderKind
from cases.providers.schemas import ProviderCreate, ProviderPublic, ProviderUpdate
from cases.providers.services import add_provider, edit_provider, list_providers
from cases.takedown.statistics import Scorecard, scorecards
from piratewatch.web.api.deps import Operator, SessionDep, request_id

router = APIRouter(prefix="/api/v1/providers", tags=["providers"])


@router.get("", response_model=list[ProviderPublic])
def get_providers(
    principal: Operator,
    session: SessionDep,
    kind: ProviderKind | None = None,
) -> list[ProviderPublic]:
    """Providers by name (operators)."""
    return [ProviderPublic.model_validate(p) for p in list_providers(session, kind.value if kind else None)]


@router.post("", response_model=ProviderPublic, status_code=status.HTTP_201_CREATED)
def post_provider(
    body: ProviderCreate,
    request: Request,
    principal: Operator,
    session: SessionDep,
) -> ProviderPublic:
    """Add a provider (operators)."""
    values = body.model_dump(exclude_none=True, exclude={"name", "kind"})
    provider = add_provider(session, principal.actor(request_id(request)), body.name, body.kind.value, **values)
    return ProviderPublic.model_validate(provider)


@router.patch("/{provider_id}", response_model=ProviderPublic)
def patch_provider(
    provider_id: DbId,
    body: ProviderUpdate,
    request: Request,
    principal: Operator,
    session: SessionDep,
) -> ProviderPublic:
    """Change a provider's fields (operators); each change is audited."""
    values = body.model_dump(exclude_unset=True)
    if "kind" in values and values["kind"] is not None:
        values["kind"] = values["kind"].value
    provider = edit_provider(session, principal.actor(request_id(request)), provider_id, **values)
    return ProviderPublic.model_validate(provider)


@router.get("/scorecards", response_model=list[Scorecard])
def get_scorecards(principal: Operator, session: SessionDep) -> list[Scorecard]:
    """How each provider answers: sent, actioned share, median time to action, non-responsive flag."""
    return scorecards(session)
