"""``/api/v1/evidence/captures/{id}``: a capture and its objects, for the association it was made for."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from cases.db import DbId
from cases.errors import ConflictError, NotFoundError
from cases.evidence.models import EvidenceCapture
from cases.evidence.objects import ObjectAlteredError, ObjectMissingError, ObjectStoreError, ObjectTooLargeError
from cases.evidence.schemas import MEDIA_TYPES, CapturePublic, ObjectKind
from cases.evidence.services import get_capture, object_of
from cases.tenants.services import Principal
from piratewatch.web.api.deps import SessionDep, Submitter

router = APIRouter(prefix="/api/v1/evidence", tags=["evidence"])


def _visible(session: SessionDep, principal: Principal, capture_id: int) -> EvidenceCapture:
    # submitters see the captures made for their association; operators and admins see every capture
    return get_capture(session, capture_id, None if principal.sees_everything else principal.association_id)


@router.get("/captures/{capture_id}", response_model=CapturePublic)
def get_capture_route(capture_id: DbId, principal: Submitter, session: SessionDep) -> CapturePublic:
    """A capture: status and limit, times, HTTP status, every object's SHA-256 and size, its RFC 3161 timestamp."""
    return CapturePublic.model_validate(_visible(session, principal, capture_id), from_attributes=True)


@router.get(
    "/captures/{capture_id}/{kind}",
    response_class=Response,
    responses={
        200: {"content": {t.split(";")[0]: {} for t in MEDIA_TYPES.values()}, "description": "the object's bytes"}
    },
)
def get_capture_object(
    capture_id: DbId, kind: ObjectKind, principal: Submitter, session: SessionDep, request: Request
) -> Response:
    """One object of a capture (its WARC file, text, screenshot, manifest or timestamp token), checked against its hash."""
    row = _visible(session, principal, capture_id)
    sha = object_of(row, kind)
    try:
        data = request.app.state.services.evidence_store.get(sha)
    except ObjectMissingError as exc:
        raise NotFoundError(str(exc)) from exc
    except (ObjectAlteredError, ObjectTooLargeError) as exc:  # altered in the store: said, never served
        raise ConflictError(str(exc)) from exc
    except ObjectStoreError as exc:  # the store is down or refuses: not the object's fault
        raise HTTPException(503, str(exc)) from exc
    headers = {"ETag": f'"{sha}"', "Content-Disposition": f'attachment; filename="capture-{capture_id}-{kind}"'}
    return Response(data, media_type=MEDIA_TYPES[kind], headers=headers)
