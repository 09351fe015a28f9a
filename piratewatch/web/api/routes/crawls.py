"""``/api/v1/sites/{id}/crawls``, ``/api/v1/sites/{id}/works-found`` and ``/api/v1/families``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request

from cases.crawls.families import decide, list_proposals
from cases.crawls.models import FamilyStatus
from cases.crawls.queries import site_crawls, works_found
from cases.crawls.schemas import CrawlPublic, FamilyProposalPublic, WorkFoundPublic
from cases.db import DbId
from cases.portfolio.queries import get_visible_site
from piratewatch.web.api.deps import Operator, SessionDep, Submitter, request_id

router = APIRouter(prefix="/api/v1/sites", tags=["crawls"])


@router.get("/{site_id}/crawls", response_model=list[CrawlPublic])
def get_site_crawls(
    site_id: DbId,
    principal: Submitter,
    session: SessionDep,
    limit: int = Query(default=20, ge=1, le=200),
) -> list[CrawlPublic]:
    """The site's newest crawls: catalogue size, counters, fingerprints, limits hit."""
    get_visible_site(session, principal, site_id)
    return site_crawls(session, site_id, limit)


@router.get("/{site_id}/works-found", response_model=list[WorkFoundPublic])
def get_works_found(
    site_id: DbId,
    principal: Submitter,
    session: SessionDep,
) -> list[WorkFoundPublic]:
    """Your association's works matched on the site, with URL, score, capture time and content hash."""
    get_visible_site(session, principal, site_id)
    return works_found(session, principal, site_id)


families_router = APIRouter(prefix="/api/v1/families", tags=["families"])


@families_router.get("", response_model=list[FamilyProposalPublic])
def get_families(
    principal: Operator,
    session: SessionDep,
    status: FamilyStatus | None = FamilyStatus.PROPOSED,
) -> list[FamilyProposalPublic]:
    """Sites proposed as one (shared analytics IDs, icon, redirect target, certificate names)."""
    return [FamilyProposalPublic.model_validate(p, from_attributes=True) for p in list_proposals(session, status)]


@families_router.post("/{proposal_id}/{decision}", response_model=FamilyProposalPublic)
def post_family_decision(
    proposal_id: DbId,
    decision: Literal["merge", "reject"],
    request: Request,
    principal: Operator,
    session: SessionDep,
) -> FamilyProposalPublic:
    """Confirm a proposal (the newer site merges into the older one) or reject it."""
    proposal = decide(session, principal.actor(request_id(request)), proposal_id, accept=decision == "merge")
    return FamilyProposalPublic.model_validate(proposal, from_attributes=True)
