"""What the UI keeps on the app (its configuration) and on each request (who is signed in)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.tenants.roles import Role
from cases.tenants.services import Principal
from piratewatch.web.ui.sending import Delivery
from piratewatch.web.ui.session import SessionCodec


@dataclass(frozen=True)
class UiState:
    """The UI's configuration, put on ``app.state.ui`` by :func:`piratewatch.web.ui.views.install_ui`."""

    codec: SessionCodec
    #: cookies are ``Secure`` on HTTPS requests, and on every request when this is set
    secure_cookies: bool
    delivery: Delivery


@dataclass(frozen=True)
class UiUser:
    """The person signed in: their key's principal, for display their association and key, and the CSRF token."""

    principal: Principal
    association: str
    key_label: str
    key_prefix: str
    csrf_token: str
    expires_at: dt.datetime

    @property
    def is_operator(self) -> bool:
        """Operators and admins work the queue and see everything."""
        return self.principal.role.at_least(Role.OPERATOR)


def ui_state(request: Request) -> UiState:
    """The UI's configuration on the app."""
    state: UiState = request.app.state.ui
    return state


def session_maker(request: Request) -> sessionmaker[Session]:
    """The store's session factory on the app (the app factory puts it there)."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def signed_in_user(request: Request) -> UiUser | None:
    """Who is signed in on this request, once the sign-in dependency has run."""
    user = getattr(request.state, "ui_user", None)
    return user if isinstance(user, UiUser) else None


def cookies_secure(request: Request) -> bool:
    """Whether this request's cookies get the ``Secure`` flag."""
    return request.url.scheme == "https" or ui_state(request).secure_cookies
