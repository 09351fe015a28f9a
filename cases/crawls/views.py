"""``/api/v1/sites/{id}/crawls``, ``/api/v1/sites/{id}/works-found`` and ``/api/v1/families``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session

from cases.crawls.families import decide, list_proposals
from cases.crawls.models import FamilyStatus
from cases.crawls.queries import site_crawls, works_found
from cases.crawls.schemas import CrawlPublic, FamilyProposalPublic, WorkFoundPublic
from cases.db import DbId
from cases.sites.queries import get_visible_site
from cases.tenants.models import Role
from cases.tenants.services import Principal
from cases.web import get_session, request_id, require_role

router = APIRouter(prefix="/api/v1/sites", tags=["crawls"])


@router.get("/{site_id}/crawls", response_model=list[CrawlPublic])
def get_site_crawls(
    site_id: DbId,
    limit: int = Query(default=20, ge=1, le=200),
    principal: Principal = Depends(require_role(Role.SUBMITTER)),
    session: Session = Depends(get_session),
) -> list[CrawlPublic]:
    """The site's newest crawls: catalogue size, counters, fingerprints, limits hit."""
    get_visible_site(session, principal, site_id)
    return site_crawls(session, site_id, limit)


@router.get("/{site_id}/works-found", response_model=list[WorkFoundPublic])
def get_works_found(
    site_id: DbId,
    principal: Principal = Depends(require_role(Role.SUBMITTER)),
    session: Session = Depends(get_session),
) -> list[WorkFoundPublic]:
    """Your association's works matched on the site, with URL, score, capture time and content hash."""
    get_visible_site(session, principal, site_id)
    return works_found(session, principal, site_id)


families_router = APIRouter(prefix="/api/v1/families", tags=["families"])


@families_router.get("", response_model=list[FamilyProposalPublic])
def get_families(
    status: FamilyStatus | None = FamilyStatus.PROPOSED,
    principal: Principal = Depends(require_role(Role.OPERATOR)),
    session: Session = Depends(get_session),
) -> list[FamilyProposalPublic]:
    """Sites proposed as one (shared analytics IDs, icon, redirect target, certificate names)."""
    return [FamilyProposalPublic.model_validate(p, from_attributes=True) for p in list_proposals(session, status)]


@families_router.post("/{proposal_id}/{decision}", response_model=FamilyProposalPublic)
def post_family_decision(
    proposal_id: DbId,
    decision: Literal["merge", "reject"],
    request: Request,
    principal: Principal = Depends(require_role(Role.OPERATOR)),
    session: Session = Depends(get_session),
) -> FamilyProposalPublic:
    """Confirm a proposal (the newer site merges into the older one) or reject it."""
    proposal = decide(session, principal.actor(request_id(request)), proposal_id, accept=decision == "merge")
    return FamilyProposalPublic.model_validate(proposal, from_attributes=True)
