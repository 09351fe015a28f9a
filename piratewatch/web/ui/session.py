"""The UI's session cookie and its CSRF tokens.

A session is a small signed cookie (itsdangerous, HMAC-SHA1 over the payload with a key derived from
``PIRATEWATCH_SECRET_KEY`` and a per-purpose salt): the API key's *id* (never the key itself), a
random CSRF token and the time of sign-in. Nothing is stored server-side, so no table is needed; the
key is looked up on every request, which makes revoking a key end its sessions at once, and the
sign-in time is checked on every request, which ends a session after its lifetime even if the
browser keeps the cookie.

Before sign-in there is no session to hold a CSRF token, so the sign-in form carries its own: a
random token set in a short-lived signed cookie and repeated in the form (double submit), so another
site cannot sign a browser in to an account of its choosing.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

#: The session cookie (scoped to the UI's path: the API never sees it).
SESSION_COOKIE = "pw_session"
#: The sign-in form's CSRF cookie.
SIGN_IN_COOKIE = "pw_sign_in"
#: Where htmx sends the CSRF token (set once on ``<body hx-headers>``), and the form field of plain forms.
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
#: A sign-in form must be sent back within this time.
SIGN_IN_LIFETIME = dt.timedelta(hours=1)
# A cookie signed this far in the future is refused: clocks of several app servers may differ a little, not more.
_CLOCK_SKEW = dt.timedelta(minutes=2)


def new_token() -> str:
    """A fresh random token (256 bits)."""
    return secrets.token_urlsafe(32)


def tokens_match(expected: str, given: str | None) -> bool:
    """Whether `given` is the expected token, compared in constant time."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


@dataclass(frozen=True)
class UiSession:
    """What the session cookie says: whose key, the CSRF token, when the session began."""

    key_id: int
    csrf_token: str
    issued_at: dt.datetime


class SessionCodec:
    """Signs and checks the UI's cookies."""

    def __init__(self, secret_key: str, lifetime: dt.timedelta) -> None:
        if not secret_key:
            raise ValueError("the UI needs a secret key to sign its sessions")
        self.lifetime = lifetime
        self._sessions = URLSafeSerializer(secret_key, salt="piratewatch.ui.session")
        self._sign_in = URLSafeSerializer(secret_key, salt="piratewatch.ui.sign-in")

    def new_session(self, key_id: int, now: dt.datetime) -> UiSession:
        """A session for `key_id` beginning at `now`, with a fresh CSRF token."""
        return UiSession(key_id, new_token(), now)

    def dumps(self, session: UiSession) -> str:
        """The cookie value of a session."""
        return self._sessions.dumps(
            {"k": session.key_id, "c": session.csrf_token, "t": int(session.issued_at.timestamp())}
        )

    def loads(self, value: str | None, now: dt.datetime) -> UiSession | None:
        """The session of a cookie; None when it is missing, forged, malformed or expired."""
        if not value or len(value) > 1000:
            return None
        try:
            payload: Any = self._sessions.loads(value)
        except BadSignature:
            return None
        if not isinstance(payload, dict):
            return None
        key_id, token, issued = payload.get("k"), payload.get("c"), payload.get("t")
        if not isinstance(key_id, int) or not isinstance(token, str) or not isinstance(issued, int):
            return None
        issued_at = dt.datetime.fromtimestamp(issued, dt.UTC)
        if issued_at > now + _CLOCK_SKEW or now - issued_at >= self.lifetime:
            return None
        return UiSession(key_id, token, issued_at)

    def expires_at(self, session: UiSession) -> dt.datetime:
        """When the session ends."""
        return session.issued_at + self.lifetime

    def sign_in_cookie(self, token: str, now: dt.datetime) -> str:
        """The cookie that goes with a sign-in form carrying `token`."""
        return self._sign_in.dumps({"c": token, "t": int(now.timestamp())})

    def sign_in_token_ok(self, cookie: str | None, given: str | None, now: dt.datetime) -> bool:
        """Whether a sign-in form's token matches its cookie, and the form is recent enough."""
        if not cookie or len(cookie) > 1000:
            return False
        try:
            payload: Any = self._sign_in.loads(cookie)
        except BadSignature:
            return False
        if (
            not isinstance(payload, dict)
            or not isinstance(payload.get("c"), str)
            or not isinstance(payload.get("t"), int)
        ):
            return False
        age = now - dt.datetime.fromtimestamp(payload["t"], dt.UTC)
        return -_CLOCK_SKEW <= age < SIGN_IN_LIFETIME and tokens_match(payload["c"], given)
