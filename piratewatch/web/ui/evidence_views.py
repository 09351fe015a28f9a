"""A capture in the UI: its page (facts, screenshot, the response headers of its WARC file) and its
objects (the screenshot beside a notice's item, its WARC file and text).

Operators see every capture; a submitter only the captures made for its association (another's is
"not found", as everywhere). Every object is checked against its hash before it is served.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from cases.errors import ConflictError, NotFoundError
from cases.evidence.objects import ObjectAlteredError, ObjectMissingError, ObjectStoreError, ObjectTooLargeError
from cases.evidence.schemas import MEDIA_TYPES
from cases.evidence.services import get_capture, object_of
from piratewatch.web.ui.auth import current_user
from piratewatch.web.ui.i18n import N_
from piratewatch.web.ui.pages import UI_PATH, UiRoute, page
from piratewatch.web.ui.state import UiUser, session_maker

#: a capture's statuses, as the page shows them ("failed" is a delivery outcome's word too)
CAPTURE_STATUSES = (N_("complete"), N_("limited"), N_("failed"))

router = APIRouter(prefix=UI_PATH, route_class=UiRoute, include_in_schema=False)


@router.get("/evidence/captures/{capture_id}")
def capture_page(capture_id: int, request: Request, user: UiUser = Depends(current_user)) -> Response:
    """A capture's facts and the response headers its WARC file records (shown made safe: ``cases.evidence.headers``)."""
    from cases.evidence.headers import ResponseHeaders, response_headers

    with session_maker(request)() as session:
        row = get_capture(session, capture_id, None if user.is_operator else user.principal.association_id)
    try:
        headers = response_headers(request.app.state.services.evidence_store.get(row.warc_sha256))
    except ObjectStoreError as exc:  # missing, altered or unreadable: the page says so, the facts still show
        headers = ResponseHeaders(problem=str(exc))
    return page(request, "capture.html", {"c": row, "headers": headers})


@router.get("/evidence/captures/{capture_id}/{kind}")
def capture_object(
    capture_id: int,
    kind: Literal["screenshot", "warc", "text"],
    request: Request,
    user: UiUser = Depends(current_user),
) -> Response:
    """One object of a capture, for the person signed in."""
    with session_maker(request)() as session:
        row = get_capture(session, capture_id, None if user.is_operator else user.principal.association_id)
        sha = object_of(row, kind)
    try:
        data = request.app.state.services.evidence_store.get(sha)
    except ObjectMissingError as exc:
        raise NotFoundError(str(exc)) from exc
    except (ObjectAlteredError, ObjectTooLargeError) as exc:  # altered in the store: never served
        raise ConflictError(str(exc)) from exc
    except ObjectStoreError as exc:  # the store is down or refuses: not the object's fault
        raise HTTPException(503, str(exc)) from exc
    return Response(data, media_type=MEDIA_TYPES[kind], headers={"ETag": f'"{sha}"', "Cache-Control": "private"})
