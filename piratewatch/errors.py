"""The errors of the composition root (the CLI, the web app, the workers, the use cases).

The packages below keep trees of their own (``cases.errors``, ``resolver.errors``,
``crawlers.errors``, ``exporters.errors``, ``common.errors``); these are the ones only the
application raises::

    PiratewatchError
    ├── SchemaBehindError       the store's schema is older than this version: run `piratewatch db upgrade`
    ├── QueueUnavailableError   workers and the scheduler need PostgreSQL
    ├── InvalidRequestError     a use case was asked something it cannot do (a bad month, an unknown channel)
    └── SignInRequiredError     the web UI: nobody (or an expired session) is signed in
"""

from __future__ import annotations


class PiratewatchError(Exception):
    """The root of the application's own errors."""


class SchemaBehindError(PiratewatchError):
    """Raised by a use case run against a store whose schema is not this version's (the message says how to fix it)."""


class QueueUnavailableError(PiratewatchError):
    """Raised when the configured store cannot carry the task queue (it needs PostgreSQL)."""


class InvalidRequestError(PiratewatchError):
    """Raised by a use case for arguments it cannot act on; the message names the argument and why."""


class SignInRequiredError(PiratewatchError):
    """Raised by the UI's dependencies when nobody (or an expired session) is signed in; answered with the sign-in page."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("sign in first")
        self.expired = expired
