"""What every route of the API (and the UI) depends on, named once: the session, the caller, role checks.

The app factory (in the composition root) puts a session factory on ``app.state``; views get a
session per request from :func:`get_session`, which commits when the view returns and rolls back
if it raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.tenants.roles import Role
from cases.tenants.services import Principal, authenticate
from piratewatch.services import Services
from piratewatch.web.throttle import AuthThrottle

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
    """The caller, from the ``X-API-Key`` header; 401 without a valid key, 429 after too many wrong ones."""
    return _authenticated(request, key, session)


def get_principal_briefly(request: Request, key: str | None = Depends(api_key_header)) -> Principal:
    """The caller as :func:`get_principal` finds it, in a transaction of its own that ends at once.

    For routes that wait on the network (a re-check fetching pages) and take their own short
    transactions: the request's session would hold the store (SQLite's write lock) all that time.
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session, session.begin():
        return _authenticated(request, key, session)


def _authenticated(request: Request, key: str | None, session: Session) -> Principal:
    throttle: AuthThrottle = request.app.state.auth_throttle
    client = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(client, key)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"too many wrong API keys from this client or with this key prefix; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    principal = authenticate(session, key)
    if principal is None:
        if key:
            throttle.failed(client, key)
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


def require_role_briefly(role: Role) -> Callable[[Principal], Principal]:
    """:func:`require_role` with the caller found by :func:`get_principal_briefly`."""

    def check(principal: Principal = Depends(get_principal_briefly)) -> Principal:
        if not principal.role.at_least(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"this needs the {role.value} role")
        return principal

    return check


def get_services(request: Request) -> Services:
    """The use cases the app was built on."""
    services: Services = request.app.state.services
    return services


#: The Annotated names routes declare their dependencies with: a route reads as its signature.
ServicesDep = Annotated[Services, Depends(get_services)]
SessionDep = Annotated[Session, Depends(get_session)]
RequestId = Annotated[str | None, Depends(request_id)]
Caller = Annotated[Principal, Depends(get_principal)]
Submitter = Annotated[Principal, Depends(require_role(Role.SUBMITTER))]
Operator = Annotated[Principal, Depends(require_role(Role.OPERATOR))]
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]
#: an operator, for a route that holds no session while it waits on the network
OperatorBriefly = Annotated[Principal, Depends(require_role_briefly(Role.OPERATOR))]
