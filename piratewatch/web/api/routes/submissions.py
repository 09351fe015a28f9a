"""``/api/v1/submissions``."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request, status

from cases.db import DbId
from cases.intake.queries import list_submissions
from cases.intake.schemas import SubmissionBatchIn, SubmissionBatchOut, SubmissionPublic
from cases.intake.services import submit_sites
from cases.pagination import Page
from piratewatch.web.api.deps import SessionDep, Submitter, request_id

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
    principal: Submitter,
    session: SessionDep,
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
    principal: Submitter,
    session: SessionDep,
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    site_id: DbId | None = None,
) -> Page[SubmissionPublic]:
    """Your association's submissions, newest first."""
    return list_submissions(session, principal, cursor, limit, site_id)
