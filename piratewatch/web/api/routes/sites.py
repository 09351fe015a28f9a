"""``/api/v1/sites``."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from cases.db import DbId
from cases.pagination import Page
from cases.portfolio.queries import get_visible_site, list_sites, site_detail
from cases.portfolio.schemas import SiteDetail, SiteFilters, SiteSummary
from cases.sites.models import SiteStatus
from cases.sites.services import update_site_status
from cases.works.kinds import ContentType
from piratewatch.web.api.deps import Operator, SessionDep, Submitter, request_id

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])


@router.get("", response_model=Page[SiteSummary])
def get_sites(
    principal: Submitter,
    session: SessionDep,
    cursor: str | None = Query(default=None, description="next_cursor of the previous page"),
    limit: int = Query(default=50, ge=1, le=500),
    status: SiteStatus | None = None,
    language: str | None = Query(default=None, max_length=35),
    content_type: ContentType | None = None,
    association: str | None = Query(default=None, max_length=200),
    q: str | None = Query(default=None, max_length=253, description="text in a domain name"),
) -> Page[SiteSummary]:
    """Sites, newest first. Submitters see the sites their association submitted; operators all."""
    filters = SiteFilters(
        status=status.value if status else None,
        language=language,
        content_type=content_type.value if content_type else None,
        association=association,
        q=q,
    )
    return list_sites(session, principal, filters, cursor, limit)


@router.get("/{site_id}", response_model=SiteDetail)
def get_site(
    site_id: DbId,
    principal: Submitter,
    session: SessionDep,
) -> SiteDetail:
    """One site with its domains, and the submissions and evidence you may see."""
    return site_detail(session, principal, site_id)


class SiteStatusIn(BaseModel):
    status: SiteStatus


@router.patch("/{site_id}", response_model=SiteDetail)
def patch_site(
    site_id: DbId,
    change: SiteStatusIn,
    request: Request,
    principal: Operator,
    session: SessionDep,
) -> SiteDetail:
    """Change a site's status (operators)."""
    get_visible_site(session, principal, site_id)
    update_site_status(session, site_id, change.status.value, principal.actor(request_id(request)))
    session.flush()
    return site_detail(session, principal, site_id)
