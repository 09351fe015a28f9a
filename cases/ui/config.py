"""Settings of the web UI, declared once with their defaults.

The composition root nests them in its settings (``PIRATEWATCH_UI__SESSION_HOURS=4``) and passes
them in, so ``cases`` never reads the environment.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class UiSettings(BaseModel):
    """How long a UI session lasts and when its cookie is marked ``Secure``."""

    #: a session ends this long after sign-in, whatever happens in between
    session_hours: float = Field(default=8.0, gt=0, le=24 * 7)
    #: mark cookies ``Secure`` even when the request reached us over plain HTTP (a TLS-terminating
    #: proxy that does not forward the scheme); HTTPS requests always get ``Secure`` cookies
    secure_cookies: bool = False
