"""What every HTTP view of the store shares: the session, the caller, role checks, error answers.

The app factory (in the composition root) puts a session factory on ``app.state``; views get a
session per request from :func:`get_session`, which commits when the view returns and rolls back
if it raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from cases.tenants.models import Role
from cases.tenants.services import Principal, authenticate


class ErrorMessage(BaseModel):
    """The body of every error answer but 422: what went wrong, in words."""

    detail: str


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorMessage, "description": description}


#: The error answers every API route may give, documented once for the OpenAPI schema.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _error("missing, unknown or revoked API key"),
    403: _error("the caller's role may not do this"),
    404: _error("no such object, or another association's"),
    409: _error("the object's state does not allow this (e.g. a notice another operator holds)"),
    413: _error("request body, or number of sites, over the limit"),
}

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key (pw_...).")


def get_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session, session.begin():
        yield session


def request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


def get_principal(
    request: Request,
    key: str | None = Depends(api_key_header),
    session: Session = Depends(get_session),
) -> Principal:
    """The caller, from the ``X-API-Key`` header; 401 without a valid key."""
    principal = authenticate(session, key)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing, unknown or revoked API key (send it in the X-API-Key header)",
            headers={"WWW-Authenticate": "APIKey"},
        )
    request.state.principal = principal
    return principal


def require_role(role: Role) -> Callable[[Principal], Principal]:
    """A dependency that answers 403 unless the caller's role is at least `role`."""

    def check(principal: Principal = Depends(get_principal)) -> Principal:
        if not principal.role.at_least(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"this needs the {role.value} role")
        return principal

    return check


def install_error_handlers(app: FastAPI) -> None:
    """Turn the store's exceptions into HTTP answers."""

    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    async def forbidden(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=403)

    async def conflict(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    async def invalid(_: Request, exc: Exception) -> JSONResponse:
        # The same shape as FastAPI's own validation errors (loc as a list, msg, type), so one schema
        # describes every 422 and clients read both the same way.
        assert isinstance(exc, InvalidInputError)
        detail = [{"loc": [p.split(":", 1)[0]], "msg": p, "type": "invalid_input"} for p in exc.problems]
        return JSONResponse({"detail": detail}, status_code=422)

    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(ForbiddenError, forbidden)
    app.add_exception_handler(ConflictError, conflict)
    app.add_exception_handler(InvalidInputError, invalid)
