"""``/api/v1/sites/{id}/traffic``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session

from cases.db import DbId
from cases.sites.queries import get_visible_site
from cases.tenants.models import Role
from cases.tenants.services import Principal
from cases.traffic.queries import site_traffic
from cases.traffic.schemas import SiteTraffic
from cases.web import get_session, require_role

router = APIRouter(prefix="/api/v1/sites", tags=["traffic"])


@router.get("/{site_id}/traffic", response_model=SiteTraffic)
def get_site_traffic(
    site_id: DbId,
    history: bool = Query(default=False, description="also list every past computation"),
    principal: Principal = Depends(require_role(Role.SUBMITTER)),
    session: Session = Depends(get_session),
) -> SiteTraffic:
    """Monthly visits (low / central / high) with their sources. Visits are sessions, not people."""
    get_visible_site(session, principal, site_id)
    return site_traffic(session, site_id, with_history=history)
