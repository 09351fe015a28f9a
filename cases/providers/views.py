"""``/api/v1/providers``: the directory (operators read and edit it) and the scorecards."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status
from sqlmodel import Session

from cases.db import DbId
from cases.providers.models import ProviderKind
from cases.providers.schemas import ProviderCreate, ProviderPublic, ProviderUpdate
from cases.providers.services import add_provider, edit_provider, list_providers
from cases.takedown.reports import Scorecard, scorecards
from cases.tenants.models import Role
from cases.tenants.services import Principal
from cases.web import get_session, request_id, require_role

router = APIRouter(prefix="/api/v1/providers", tags=["providers"])


@router.get("", response_model=list[ProviderPublic])
def get_providers(
    kind: ProviderKind | None = None,
    principal: Principal = Depends(require_role(Role.OPERATOR)),
    session: Session = Depends(get_session),
) -> list[ProviderPublic]:
    """Providers by name (operators)."""
    return [ProviderPublic.model_validate(p) for p in list_providers(session, kind.value if kind else None)]


@router.post("", response_model=ProviderPublic, status_code=status.HTTP_201_CREATED)
def post_provider(
    body: ProviderCreate,
    request: Request,
    principal: Principal = Depends(require_role(Role.OPERATOR)),
    session: Session = Depends(get_session),
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
    principal: Principal = Depends(require_role(Role.OPERATOR)),
    session: Session = Depends(get_session),
) -> ProviderPublic:
    """Change a provider's fields (operators); each change is audited."""
    values = body.model_dump(exclude_unset=True)
    if "kind" in values and values["kind"] is not None:
        values["kind"] = values["kind"].value
    provider = edit_provider(session, principal.actor(request_id(request)), provider_id, **values)
    return ProviderPublic.model_validate(provider)


@router.get("/scorecards", response_model=list[Scorecard])
def get_scorecards(
    principal: Principal = Depends(require_role(Role.OPERATOR)), session: Session = Depends(get_session)
) -> list[Scorecard]:
    """How each provider answers: sent, actioned share, median time to action, non-responsive flag."""
    return scorecards(session)
