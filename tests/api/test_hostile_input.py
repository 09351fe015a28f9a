"""Hostile input at the API's edge: a clear 4xx naming what is wrong, never a 500, on both stores;
URLs stored in the one form every client accepts; tenants never learn of each other."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

NUL_CASES = [
    {"note": "a NUL \u0000 in a note"},
    {"source_ref": "JPA-\u0000"},
    {"note": "an ANSI escape \u001b[31m"},
    {"note": "a lone surrogate \ud800"},
    {"source_ref": "a bidi override \u202e"},
]


def site(**extra: Any) -> dict[str, Any]:
    return {"sites": [{"domains": ["hostile.example"], "evidence": [{"url": "https://hostile.example/1"}], **extra}]}


@pytest.mark.parametrize("extra", NUL_CASES)
def test_control_characters_in_a_submission_are_refused(client: Any, tenants: Any, extra: dict[str, Any]) -> None:
    # Sent as ASCII JSON, so that a lone surrogate travels as the escape a hostile client would send.
    headers = {"X-API-Key": tenants.a, "Content-Type": "application/json"}
    response = client.post("/api/v1/submissions", content=json.dumps(site(**extra)), headers=headers)
    assert response.status_code == 422, response.text
    assert "character" in response.text or "U+" in response.text


@pytest.mark.parametrize(
    "query",
    ["q=a%00b", "association=Association%20A%00", "language=ja%00", "cursor=%00", "q=%1b[31m", "q=%C2%85"],
)
def test_control_characters_in_a_query_are_refused(client: Any, tenants: Any, query: str) -> None:
    response = client.get(f"/api/v1/sites?{query}", headers={"X-API-Key": tenants.operator})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_a_provider_name_with_nul_or_line_breaks_is_refused(client: Any, tenants: Any) -> None:
    headers = {"X-API-Key": tenants.operator}
    for name in ("Host\u0000 Inc", "Host Inc\r\nthe sender withdraws this notice"):
        response = client.post("/api/v1/providers", json={"name": name, "kind": "host"}, headers=headers)
        assert response.status_code == 422, response.text
    bcc = {"name": "Host Inc", "kind": "host", "abuse_email": "abuse@host.example\r\nBcc: victim@example.org"}
    response = client.post("/api/v1/providers", json=bcc, headers=headers)
    assert response.status_code == 422 and "abuse_email" in response.text


@pytest.mark.parametrize("field", ["kind", "accepted_formats", "expected_response_days"])
def test_null_for_a_field_that_always_holds_a_value_is_refused(client: Any, tenants: Any, field: str) -> None:
    headers = {"X-API-Key": tenants.operator}
    created = client.post("/api/v1/providers", json={"name": "Null Host", "kind": "host"}, headers=headers).json()
    response = client.patch(f"/api/v1/providers/{created['id']}", json={field: None}, headers=headers)
    assert response.status_code == 422, response.text
    assert field in response.text


def test_urls_are_stored_in_the_form_every_client_accepts(client: Any, tenants: Any, engine: Engine) -> None:
    urls = ["http://ｐｏｉｓｏｎ.example/x", "http://poi\u00adson.example/y", "https://poison.example/a b/ü?q=ä"]
    body = {"sites": [{"domains": ["poison.example"], "evidence": [{"url": u} for u in urls]}]}
    response = client.post("/api/v1/submissions", json=body, headers={"X-API-Key": tenants.a})
    assert response.status_code == 200, response.text
    with engine.connect() as conn:
        stored = set(conn.execute(sa.text("SELECT url FROM evidence_item")).scalars())
    assert stored == {
        "http://poison.example/x",
        "http://poison.example/y",
        "https://poison.example/a%20b/%C3%BC?q=%C3%A4",
    }
    for bad in ("http://poison.example/x\u007f", "http://user:pw@poison.example/", "http://[::1/"):
        body = {"sites": [{"domains": ["poison.example"], "evidence": [{"url": bad}]}]}
        assert client.post("/api/v1/submissions", json=body, headers={"X-API-Key": tenants.a}).status_code == 422


def test_filtering_by_another_association_shows_nothing(client: Any, tenants: Any) -> None:
    for key in (tenants.a, tenants.b):
        body = {"sites": [{"domains": ["shared-site.example"]}]}
        assert client.post("/api/v1/submissions", json=body, headers={"X-API-Key": key}).status_code == 200
    body = {"sites": [{"domains": ["only-a.example"]}]}
    assert client.post("/api/v1/submissions", json=body, headers={"X-API-Key": tenants.a}).status_code == 200
    own = client.get("/api/v1/sites?association=Association%20A", headers={"X-API-Key": tenants.a}).json()
    assert {d for s in own["items"] for d in s["domains"]} == {"shared-site.example", "only-a.example"}
    # Naming B would tell A which of its own sites B submitted too: it shows nothing instead.
    other = client.get("/api/v1/sites?association=Association%20B", headers={"X-API-Key": tenants.a}).json()
    assert other["items"] == []
    staff = client.get("/api/v1/sites?association=Association%20B", headers={"X-API-Key": tenants.operator}).json()
    assert {d for s in staff["items"] for d in s["domains"]} == {"shared-site.example"}


def test_wrong_keys_are_throttled_per_client_and_per_prefix(client: Any, tenants: Any) -> None:
    limit = client.app.state.settings.api.auth_failures_per_minute
    answers = [client.get("/api/v1/me", headers={"X-API-Key": f"pw_guess{n:040d}"}).status_code for n in range(limit)]
    assert answers == [401] * limit
    blocked = client.get("/api/v1/me", headers={"X-API-Key": "pw_guessanother"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
    # even the right key waits: the client is over the limit (the key is not even looked up)
    assert client.get("/api/v1/me", headers={"X-API-Key": tenants.a}).status_code == 429
