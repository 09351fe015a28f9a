"""Authentication, roles, and tenant isolation on every endpoint of the API."""

from __future__ import annotations

from typing import Any

import pytest


def submit(client: Any, key: str, domain: str) -> dict[str, Any]:
    body = {"sites": [{"domains": [domain], "evidence": [{"url": f"https://{domain}/secret"}]}]}
    response = client.post("/api/v1/submissions", json=body, headers={"X-API-Key": key})
    assert response.status_code == 200
    return dict(response.json()["results"][0])


@pytest.mark.parametrize("key", [None, "", "pw_unknown", "x" * 500, "pw_" + "a" * 43])
def test_401_without_a_valid_key(client: Any, key: str | None) -> None:
    headers = {} if key is None else {"X-API-Key": key}
    for path in ("/api/v1/sites", "/api/v1/submissions", "/api/v1/me"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert "API key" in response.json()["detail"]


def test_revoked_key_stops_working_at_once(client: Any, tenants: Any) -> None:
    created = client.post(
        "/api/v1/keys", json={"association": "Association A", "role": "submitter"}, headers={"X-API-Key": tenants.admin}
    ).json()
    assert client.get("/api/v1/me", headers={"X-API-Key": created["key"]}).status_code == 200
    revoked = client.delete(f"/api/v1/keys/{created['id']}", headers={"X-API-Key": tenants.admin})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/v1/me", headers={"X-API-Key": created["key"]}).status_code == 401
    listed = client.get("/api/v1/keys", headers={"X-API-Key": tenants.admin}).json()
    assert all("key" not in k and "key_hash" not in k for k in listed)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/keys", None),
        ("POST", "/api/v1/keys", {"association": "Association A", "role": "admin"}),
        ("DELETE", "/api/v1/keys/1", None),
        ("PATCH", "/api/v1/sites/1", {"status": "closed"}),
    ],
)
def test_403_for_a_role_that_may_not_act(client: Any, tenants: Any, method: str, path: str, body: Any) -> None:
    submit(client, tenants.a, "a-site.com")
    response = client.request(method, path, json=body, headers={"X-API-Key": tenants.a})
    assert response.status_code == 403
    if path.startswith("/api/v1/keys"):
        staff = client.request(method, path, json=body, headers={"X-API-Key": tenants.operator})
        assert staff.status_code == 403  # key management is for admins only


# Every route of the API, and what association B gets when it reaches for association A's data.
# A route added without an entry here fails test_every_route_is_covered.
ISOLATION_CASES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/sites"): "list",
    ("GET", "/api/v1/sites/{site_id}"): "404",
    ("PATCH", "/api/v1/sites/{site_id}"): "403",
    ("GET", "/api/v1/submissions"): "list",
    ("POST", "/api/v1/submissions"): "own",
    ("GET", "/api/v1/me"): "own",
    ("GET", "/api/v1/keys"): "403",
    ("POST", "/api/v1/keys"): "403",
    ("DELETE", "/api/v1/keys/{key_id}"): "403",
}


def test_every_route_is_covered(client: Any) -> None:
    paths = client.app.openapi()["paths"]
    routes = {(method.upper(), path) for path, ops in paths.items() if path.startswith("/api/") for method in ops}
    assert routes == set(ISOLATION_CASES)


def test_association_b_cannot_read_or_change_association_a(client: Any, tenants: Any) -> None:
    a_site = submit(client, tenants.a, "a-only.com")
    b_headers = {"X-API-Key": tenants.b}
    site_id = a_site["site_id"]
    # reading
    assert client.get(f"/api/v1/sites/{site_id}", headers=b_headers).status_code == 404
    assert client.get("/api/v1/sites", headers=b_headers).json()["items"] == []
    assert client.get("/api/v1/submissions", headers=b_headers).json()["items"] == []
    assert client.get("/api/v1/submissions", params={"site_id": site_id}, headers=b_headers).json()["items"] == []
    assert client.get("/api/v1/me", headers=b_headers).json()["association"] == "Association B"
    # changing
    assert client.patch(f"/api/v1/sites/{site_id}", json={"status": "closed"}, headers=b_headers).status_code == 403
    assert client.get("/api/v1/keys", headers=b_headers).status_code == 403
    assert (
        client.post(
            "/api/v1/keys", json={"association": "Association A", "role": "submitter"}, headers=b_headers
        ).status_code
        == 403
    )
    assert client.delete("/api/v1/keys/1", headers=b_headers).status_code == 403
    # B submitting the same source_ref as A creates B's own submission; A's is untouched
    body = {"sites": [{"domains": ["a-only.com"], "source_ref": a_site["source_ref"], "note": "B's"}]}
    b_result = client.post("/api/v1/submissions", json=body, headers=b_headers).json()["results"][0]
    assert b_result["status"] == "created" and b_result["submission_id"] != a_site["submission_id"]
    a_view = client.get(f"/api/v1/sites/{site_id}", headers={"X-API-Key": tenants.a}).json()
    assert [s["association"] for s in a_view["submissions"]] == ["Association A"]
    # after B's own submission, B sees the site, but only B's evidence
    b_view = client.get(f"/api/v1/sites/{site_id}", headers=b_headers).json()
    assert [s["association"] for s in b_view["submissions"]] == ["Association B"]
    assert all(e["url"] != "https://a-only.com/secret" for s in b_view["submissions"] for e in s["evidence"])
