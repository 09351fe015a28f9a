"""``/api/v1/sites/{id}/traffic``."""

from __future__ import annotations

from fastapi import APIRouter, Query

from cases.db import DbId
from cases.portfolio.queries import get_visible_site
from cases.traffic.queries import site_traffic
from cases.traffic.schemas import SiteTraffic
from piratewatch.web.api.deps import SessionDep, Submitter

router = APIRouter(prefix="/api/v1/sites", tags=["traffic"])


@router.get("/{site_id}/traffic", response_model=SiteTraffic)
def get_site_traffic(
    site_id: DbId,
    principal: Submitter,
    session: SessionDep,
    history: bool = Query(default=False, description="also list every past computation"),
) -> SiteTraffic:
    """Monthly visits (low / central / high) with their sources. Visits are sessions, not people."""
    get_visible_site(session, principal, site_id)
    return site_traffic(session, site_id, with_history=history)
