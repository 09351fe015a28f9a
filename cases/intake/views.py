"""``/api/v1/submissions``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from sqlmodel import Session

from cases.db import DbId
from cases.intake.schemas import SubmissionBatchIn, SubmissionBatchOut
from cases.intake.services import submit_sites
from cases.pagination import Page
from cases.sites.queries import list_submissions
from cases.sites.schemas import SubmissionPublic
from cases.tenants.models import Role
from cases.tenants.services import Principal
from cases.web import get_session, request_id, require_role

router = APIRouter(prefix="/api/v1/submissions", tags=["submissions"])


@router.post(
    "",
    response_model=SubmissionBatchOut,
    status_code=status.HTTP_200_OK,
    responses={413: {"description": "too many sites in one request, or the body is too large"}},
)
def post_submissions(
    batch: SubmissionBatchIn,
    request: Request,
    principal: Principal = Depends(require_role(Role.SUBMITTER)),
    session: Session = Depends(get_session),
) -> SubmissionBatchOut:
    """Submit one or many sites. Each result says whether it was created or matched an earlier one.

    Sending the same ``source_ref`` again is safe: nothing is created twice, and evidence that was
    missing is added.
    """
    limit: int = request.app.state.max_sites_per_request
    if len(batch.sites) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            detail=f"{len(batch.sites)} sites in one request; the limit is {limit}. "
            "Split the batch, or import a CSV file with `piratewatch sites import`.",
        )
    results, _ = submit_sites(
        session,
        principal.actor(request_id(request)),
        principal.association_id,
        batch.sites,
        via="api",
        key_id=principal.key_id,
        strict=True,
    )
    return SubmissionBatchOut(results=[r for r in results if r is not None])


@router.get("", response_model=Page[SubmissionPublic])
def get_submissions(
    request: Request,
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    site_id: DbId | None = None,
    principal: Principal = Depends(require_role(Role.SUBMITTER)),
    session: Session = Depends(get_session),
) -> Page[SubmissionPublic]:
    """Your association's submissions, newest first."""
    return list_submissions(session, principal, cursor, limit, site_id)
