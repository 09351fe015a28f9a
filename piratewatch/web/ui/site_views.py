"""The sites list and a site's page: domains, current infrastructure, the timeline of changes, hops and
notices, cases, traffic estimates, works found, and the submissions with their evidence.

Every read goes through the domain's queries, which apply the tenant rule: a submitter sees only the
sites its association submitted, and on them only its own evidence, works found and notices.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response

from cases.crawls.queries import site_crawls, works_found
from cases.db import transaction
from cases.portfolio.queries import evidence_work_titles, list_sites, site_detail
from cases.portfolio.schemas import SiteFilters
from cases.takedown.queries import site_cases, site_timeline
from cases.traffic.queries import site_traffic
from piratewatch.web.ui.auth import current_user
from piratewatch.web.ui.pages import UI_PATH, UiRoute, page
from piratewatch.web.ui.state import UiUser, session_maker

router = APIRouter(prefix=UI_PATH, route_class=UiRoute, include_in_schema=False)

#: Sites per page of the list.
SITES_PAGE = 50


@router.get("/sites")
def sites_page(
    request: Request,
    q: str | None = Query(default=None, max_length=253),
    cursor: str | None = Query(default=None, max_length=200),
    user: UiUser = Depends(current_user),
) -> Response:
    """Sites, newest first, searchable by domain (submitters: the sites their association submitted)."""
    with transaction(session_maker(request)) as session:
        result = list_sites(session, user.principal, SiteFilters(q=q or None), cursor, SITES_PAGE)
    return page(request, "sites.html", {"sites": result.items, "next_cursor": result.next_cursor, "q": q or ""})


@router.get("/sites/{site_id}")
def site_page(site_id: int, request: Request, user: UiUser = Depends(current_user)) -> Response:
    """One site (another association's site is "not found" for a submitter)."""
    with transaction(session_maker(request)) as session:
        detail = site_detail(session, user.principal, site_id)
        cases = site_cases(session, user.principal, site_id)
        context = {
            "site": detail,
            "cases": cases,
            "timeline": site_timeline(detail.timeline, cases),
            "traffic": site_traffic(session, site_id).months,
            "works": works_found(session, user.principal, site_id),
            "crawls": site_crawls(session, site_id, limit=5),
            # evidence names its work by the association's ref: the page shows the work's title
            "evidence_titles": evidence_work_titles(session, [e.id for s in detail.submissions for e in s.evidence]),
        }
    return page(request, "site.html", context)
