"""Signing in and out of the UI: the session cookie's flags, expiry, revocation, redirects, headers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from cases.db import utcnow
from piratewatch.web.ui.session import SESSION_COOKIE, SessionCodec

HOURS_8 = 8 * 3600


def _set_cookie(response: Any, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return str(header)
    raise AssertionError(f"no {name} cookie set: {response.headers.get_list('set-cookie')}")


def _sign_in_response(client: Any, key: str) -> Any:
    token = client.token_on(client.get("/ui/sign-in").text)
    return client.http.post("/ui/sign-in", data={"api_key": key, "csrf_token": token}, follow_redirects=False)


def test_session_cookie_is_signed_httponly_lax_and_scoped(new_client: Any, ui_app: FastAPI, tenants: Any) -> None:
    answer = _sign_in_response(new_client(), tenants.operator)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui"
    cookie = _set_cookie(answer, SESSION_COOKIE).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/ui" in cookie
    assert f"max-age={HOURS_8}" in cookie
    assert "secure" not in cookie  # plain HTTP on loopback, no setting: a Secure cookie would never come back
    value = cookie.split(";")[0].split("=", 1)[1]
    assert tenants.operator.lower() not in value  # the key itself never travels in the cookie


def test_https_requests_get_secure_cookies(new_client: Any, ui_app: FastAPI, tenants: Any) -> None:
    client = new_client(base_url="https://testserver")
    sign_in_form = client.get("/ui/sign-in")
    assert "secure" in _set_cookie(sign_in_form, "pw_sign_in").lower()
    answer = _sign_in_response(client, tenants.operator)
    assert "; secure" in _set_cookie(answer, SESSION_COOKIE).lower()


def test_a_setting_makes_cookies_secure_behind_a_tls_proxy(new_client: Any, engine: Engine, tmp_path: Any) -> None:
    from piratewatch.config import get_settings
    from piratewatch.services import Services
    from piratewatch.web.app import create_app

    app = create_app(
        Services.from_settings(
            get_settings(data_dir=tmp_path, database_url="", ui={"secure_cookies": True}), engine=engine
        )
    )
    # The request arrives as plain HTTP (the proxy terminated TLS), yet the cookie is marked Secure.
    assert "; secure" in _set_cookie(new_client(app).get("/ui/sign-in"), "pw_sign_in").lower()


@pytest.mark.parametrize("key", ["", "pw_unknown", "not-a-key", "x" * 150])
def test_a_wrong_key_gets_the_form_again_and_no_session(new_client: Any, ui_app: FastAPI, key: str) -> None:
    client = new_client()
    answer = _sign_in_response(client, key)
    assert answer.status_code == 401
    assert "Unknown or revoked API key" in answer.text
    assert not any(h.startswith(f"{SESSION_COOKIE}=") for h in answer.headers.get_list("set-cookie"))
    assert client.get("/ui/queue", follow_redirects=False).status_code == 303


def test_sign_in_needs_its_own_csrf_token(new_client: Any, ui_app: FastAPI, tenants: Any) -> None:
    client = new_client()
    client.get("/ui/sign-in")
    forged = client.http.post(
        "/ui/sign-in", data={"api_key": tenants.operator, "csrf_token": "guessed"}, follow_redirects=False
    )
    assert forged.status_code == 403
    # A browser that never loaded the form (another site posting into it) has no sign-in cookie at all.
    other = new_client()
    token = other.token_on(new_client().get("/ui/sign-in").text)
    assert other.http.post("/ui/sign-in", data={"api_key": tenants.operator, "csrf_token": token}).status_code == 403
    assert other.get("/ui/queue", follow_redirects=False).status_code == 303


def test_pages_send_a_stranger_to_sign_in_and_back(new_client: Any, ui_app: FastAPI, tenants: Any) -> None:
    client = new_client()
    answer = client.get("/ui/queue?legal_basis=dmca_512c3", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/sign-in?next=/ui/queue%3Flegal_basis%3Ddmca_512c3"
    form = client.get(answer.headers["location"])
    assert 'name="next" value="/ui/queue?legal_basis=dmca_512c3"' in form.text
    token = client.token_on(form.text)
    done = client.http.post(
        "/ui/sign-in",
        data={"api_key": tenants.operator, "csrf_token": token, "next": "/ui/queue?legal_basis=dmca_512c3"},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/ui/queue?legal_basis=dmca_512c3"
    # htmx requests are told where to go instead of getting the sign-in page swapped into theirs
    htmx = new_client().get("/ui/queue", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.status_code == 200 and htmx.headers["HX-Redirect"].startswith("/ui/sign-in")


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/api/v1/keys", "/ui//evil", "/ui\\x"])
def test_sign_in_never_redirects_off_the_ui(new_client: Any, ui_app: FastAPI, tenants: Any, target: str) -> None:
    client = new_client()
    token = client.token_on(client.get("/ui/sign-in").text)
    answer = client.http.post(
        "/ui/sign-in", data={"api_key": tenants.operator, "csrf_token": token, "next": target}, follow_redirects=False
    )
    assert answer.headers["location"] == "/ui"


def test_an_expired_or_forged_session_ends(new_client: Any, ui_app: FastAPI, tenants: Any) -> None:
    client = new_client().sign_in(tenants.operator)
    codec: SessionCodec = ui_app.state.ui.codec
    real = codec.loads(client.http.cookies.get(SESSION_COOKIE), utcnow())
    assert real is not None
    # The same session signed with the right key, but begun longer ago than the lifetime allows.
    old = codec.new_session(real.key_id, utcnow() - dt.timedelta(hours=8, seconds=1))
    client.http.cookies.set(SESSION_COOKIE, codec.dumps(old), domain="testserver.local", path="/ui")
    expired = client.get("/ui/queue", follow_redirects=False)
    assert expired.status_code == 303 and "expired=1" in expired.headers["location"]
    assert "Max-Age=0" in _set_cookie(expired, SESSION_COOKIE)  # the stale cookie is removed
    assert "Your session has ended" in client.get(expired.headers["location"]).text
    # A session for another key id, signed with some other secret: refused too.
    forged = SessionCodec("not-the-server-secret", dt.timedelta(hours=8)).new_session(real.key_id, utcnow())
    stranger = new_client()
    stranger.http.cookies.set(
        SESSION_COOKIE, SessionCodec("not-the-server-secret", dt.timedelta(hours=8)).dumps(forged), path="/ui"
    )
    assert stranger.get("/ui/queue", follow_redirects=False).status_code == 303


def test_revoking_the_key_ends_its_sessions(new_client: Any, ui_app: FastAPI, tenants: Any, signed_in: Any) -> None:
    admin = {"X-API-Key": tenants.admin}
    api = new_client().http
    created = api.post("/api/v1/keys", json={"association": "Operations", "role": "operator"}, headers=admin).json()
    client = signed_in(created["key"])
    assert client.get("/ui/queue").status_code == 200
    assert api.delete(f"/api/v1/keys/{created['id']}", headers=admin).status_code == 200
    after = client.get("/ui/queue", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/ui/sign-in")


def test_sign_out_ends_the_session_in_the_browser(signed_in: Any, tenants: Any) -> None:
    client = signed_in(tenants.operator)
    answer = client.post("/ui/sign-out")
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/sign-in"
    assert "Max-Age=0" in _set_cookie(answer, SESSION_COOKIE)
    assert client.get("/ui/queue", follow_redirects=False).status_code == 303


def test_every_answer_carries_the_security_headers(signed_in: Any, tenants: Any) -> None:
    client = signed_in(tenants.operator)
    for path in ("/ui/queue", "/ui/sign-in", "/ui/notices/999999", "/ui/static/htmx.min.js"):
        answer = client.get(path, follow_redirects=False)
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert answer.headers["x-frame-options"] == "DENY" and answer.headers["x-content-type-options"] == "nosniff"
    assert client.get("/ui/queue").headers["cache-control"] == "no-store"
    htmx = client.get("/ui/static/htmx.min.js")
    assert htmx.headers["content-type"].startswith("text/javascript") and "htmx" in htmx.text[:200]
    assert client.get("/ui/static/../templates/base.html").status_code == 404


def test_pages_carry_the_session_token_for_htmx_and_forms(signed_in: Any, tenants: Any) -> None:
    client = signed_in(tenants.operator)
    html = client.get("/ui/queue").text
    assert f'hx-headers=\'{{"X-CSRF-Token": "{client.csrf}"}}\'' in html
    assert html.count(f'value="{client.csrf}"') >= 3  # sign-out, claim, bulk approve
    assert '<script src="/ui/static/htmx.min.js"' in html and "http" not in html.split("<body", 1)[0].replace(
        "http-equiv", ""
    )
