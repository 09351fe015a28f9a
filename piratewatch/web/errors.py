"""The API's error answers: the store's exceptions as HTTP statuses, documented once for the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from cases.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError


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
    429: _error("too many wrong API keys from this client or with this key prefix (see Retry-After)"),
}


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
