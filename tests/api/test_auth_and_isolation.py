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


# Every route of the API, and what association B's submitter key gets when it reaches for association A's
# data: "404" (A's object does not exist for B), "403" (the role may not act at all), "hidden" (200, but
# nothing of A's in the answer) or "own" (B acts on its own account). A route added without an entry here
# fails test_every_route_is_covered; test_every_route_keeps_a_tenant_out drives each one.
ISOLATION_CASES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/sites"): "hidden",
    ("GET", "/api/v1/sites/{site_id}"): "404",
    ("PATCH", "/api/v1/sites/{site_id}"): "403",
    ("GET", "/api/v1/sites/{site_id}/traffic"): "404",
    ("GET", "/api/v1/sites/{site_id}/crawls"): "404",
    ("GET", "/api/v1/sites/{site_id}/works-found"): "404",
    ("GET", "/api/v1/sites/{site_id}/cases"): "404",
    ("GET", "/api/v1/submissions"): "hidden",
    ("POST", "/api/v1/submissions"): "own",
    ("GET", "/api/v1/me"): "own",
    ("GET", "/api/v1/keys"): "403",
    ("POST", "/api/v1/keys"): "403",
    ("DELETE", "/api/v1/keys/{key_id}"): "403",
    ("GET", "/api/v1/families"): "403",
    ("POST", "/api/v1/families/{proposal_id}/{decision}"): "403",
    ("GET", "/api/v1/providers"): "403",
    ("POST", "/api/v1/providers"): "403",
    ("PATCH", "/api/v1/providers/{provider_id}"): "403",
    ("GET", "/api/v1/providers/scorecards"): "403",
    ("GET", "/api/v1/notices/{notice_id}"): "404",
    ("POST", "/api/v1/notices"): "403",
    ("POST", "/api/v1/notices/{notice_id}/submit"): "403",
    ("POST", "/api/v1/notices/{notice_id}/approve"): "403",
    ("POST", "/api/v1/notices/{notice_id}/reject"): "403",
    ("POST", "/api/v1/notices/escalate-overdue"): "403",
    ("GET", "/api/v1/notices/{notice_id}/clock"): "404",
    ("POST", "/api/v1/notices/{notice_id}/counter-notice"): "403",
    ("POST", "/api/v1/notices/{notice_id}/action-filed"): "403",
    ("POST", "/api/v1/notices/{notice_id}/poster-inquired"): "403",
    ("POST", "/api/v1/notices/{notice_id}/restored"): "403",
    ("POST", "/api/v1/notices/{notice_id}/decision"): "403",
    ("GET", "/api/v1/rejections"): "403",
    ("GET", "/api/v1/queue"): "403",
    ("POST", "/api/v1/queue/claim"): "403",
    ("POST", "/api/v1/queue/approve"): "403",
    ("POST", "/api/v1/inbound/replies"): "403",
    ("GET", "/api/v1/transparency/lumen"): "403",
    ("GET", "/api/v1/transparency/counts"): "403",
    ("GET", "/api/v1/associations/{association_id}/sender-profile"): "404",
    ("PUT", "/api/v1/associations/{association_id}/sender-profile"): "404",
    ("GET", "/api/v1/associations/{association_id}/art22-report"): "404",
    ("GET", "/api/v1/works/{work_id}/rights-statement"): "404",
    ("PUT", "/api/v1/works/{work_id}/rights-statement"): "404",
    ("GET", "/api/v1/evidence/captures/{capture_id}"): "404",
    ("GET", "/api/v1/evidence/captures/{capture_id}/{kind}"): "404",
}
#: routes whose owner side needs a real capture (the lab's sites and TSA): A reaching its own capture,
#: and B refused it, are driven in tests/evidence/test_api.py
OWNER_SIDE_ELSEWHERE = {
    ("GET", "/api/v1/evidence/captures/{capture_id}"),
    ("GET", "/api/v1/evidence/captures/{capture_id}/{kind}"),
}

# A request body for routes that take one; valid enough to reach the tenant check.
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/v1/sites/{site_id}"): {"status": "closed"},
    ("POST", "/api/v1/submissions"): {"sites": [{"domains": ["b-own.com"]}]},
    ("POST", "/api/v1/keys"): {"association": "Association A", "role": "admin"},
    ("POST", "/api/v1/providers"): {"name": "X", "kind": "host"},
    ("PATCH", "/api/v1/providers/{provider_id}"): {"country": "NL"},
    ("POST", "/api/v1/notices/{notice_id}/reject"): {"reason": "x"},
    ("POST", "/api/v1/queue/approve"): {"notice_ids": [1]},
    ("POST", "/api/v1/inbound/replies"): {"notice_id": 1, "kind": "reply"},
    ("POST", "/api/v1/notices/{notice_id}/counter-notice"): {"body": "A's notice countered by B"},
    ("POST", "/api/v1/notices/{notice_id}/action-filed"): {},
    ("POST", "/api/v1/notices/{notice_id}/poster-inquired"): {},
    ("POST", "/api/v1/notices/{notice_id}/restored"): {},
    ("POST", "/api/v1/notices/{notice_id}/decision"): {"action": "close", "reason": "other", "note": "B closing A's"},
    ("PUT", "/api/v1/associations/{association_id}/sender-profile"): {"name": "B pretending to be A"},
    ("PUT", "/api/v1/works/{work_id}/rights-statement"): {"right_infringed": "B pretending to be A"},
}
QUERIES: dict[tuple[str, str], dict[str, Any]] = {("GET", "/api/v1/transparency/counts"): {"year": 2026}}
SECRET = "a-only-secret-page"


def test_every_route_is_covered(client: Any) -> None:
    paths = client.app.openapi()["paths"]
    routes = {(method.upper(), path) for path, ops in paths.items() if path.startswith("/api/") for method in ops}
    assert routes == set(ISOLATION_CASES)


def _a_world(client: Any, tenants: Any) -> dict[str, Any]:
    """Association A's site with evidence, a provider and a drafted notice of A's; the ids to fill paths with."""
    site = submit(client, tenants.a, "a-world.com")
    work = {"ref": "AW", "titles": {"en": "A's work"}, "content_type": "manga"}
    evidence = [{"url": f"https://a-world.com/{SECRET}", "work_ref": "AW"}]
    body = {"sites": [{"domains": ["a-world.com"], "works": [work], "evidence": evidence}]}
    client.post("/api/v1/submissions", json=body, headers={"X-API-Key": tenants.a})
    ops = {"X-API-Key": tenants.operator}
    provider = client.post("/api/v1/providers", json={"name": "Host A", "kind": "host"}, headers=ops).json()
    sender = {"name": "A", "email": "a@a.example"}
    notice = client.post(
        "/api/v1/notices",
        json={
            "site_id": site["site_id"],
            "provider_id": provider["id"],
            "association_id": tenants.a_id,
            "legal_basis": "dmca_512c3",
            "sender": sender,
        },
        headers=ops,
    )
    assert notice.status_code == 201, notice.text
    return {
        "site_id": site["site_id"],
        "notice_id": notice.json()["id"],
        "provider_id": provider["id"],
        "key_id": 1,
        "proposal_id": 1,
        "decision": "merge",
        "association_id": tenants.a_id,
        "work_id": 1,  # A's only work, the first of a fresh store
        "capture_id": 1,
        "kind": "warc",
    }


def test_every_route_keeps_a_tenant_out(client: Any, tenants: Any) -> None:
    ids = _a_world(client, tenants)
    b_headers = {"X-API-Key": tenants.b}
    for (method, template), expected in ISOLATION_CASES.items():
        path = template.format(**ids)
        answer = client.request(
            method,
            path,
            json=BODIES.get((method, template)),
            params=QUERIES.get((method, template)),
            headers=b_headers,
        )
        where = f"{method} {path}"
        assert SECRET not in answer.text, where
        if expected in ("403", "404"):
            assert answer.status_code == int(expected), (where, answer.status_code, answer.text)
        elif expected == "hidden":
            assert answer.status_code == 200, where
            assert "a-world.com" not in answer.text, where
        else:
            assert answer.status_code in (200, 201), where
    # and A itself reaches its own objects on every tenant-scoped route
    a_headers = {"X-API-Key": tenants.a}
    for (method, template), expected in ISOLATION_CASES.items():
        if expected == "404" and (method, template) not in OWNER_SIDE_ELSEWHERE:
            body = BODIES.get((method, template))
            answer = client.request(method, template.format(**ids), json=body, headers=a_headers)
            assert answer.status_code == 200, (method, template, answer.text)


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


# Routes only some staff may call: the minimum role, where it is above operator.
ADMIN_ONLY = {
    ("GET", "/api/v1/keys"),
    ("POST", "/api/v1/keys"),
    ("DELETE", "/api/v1/keys/{key_id}"),
    # an association's statements are made by the association itself, or an admin
    ("PUT", "/api/v1/associations/{association_id}/sender-profile"),
    ("PUT", "/api/v1/works/{work_id}/rights-statement"),
}


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_every_route_answers_staff_by_their_role(client: Any, tenants: Any, role: str) -> None:
    ids = _a_world(client, tenants)
    headers = {"X-API-Key": getattr(tenants, role)}
    for method, template in ISOLATION_CASES:
        if (method, template) == ("DELETE", "/api/v1/keys/{key_id}"):
            continue  # revoking a key is covered by test_revoked_key_stops_working_at_once
        answer = client.request(
            method,
            template.format(**ids),
            json=BODIES.get((method, template)),
            params=QUERIES.get((method, template)),
            headers=headers,
        )
        where = (role, method, template, answer.status_code, answer.text[:200])
        assert answer.status_code != 401, where
        if (method, template) in ADMIN_ONLY and role == "operator":
            assert answer.status_code == 403, where
        else:
            assert answer.status_code != 403, where
        owner_side_here = (method, template) not in OWNER_SIDE_ELSEWHERE  # staff's access: tests/evidence too
        if ISOLATION_CASES[(method, template)] in ("404", "hidden") and method == "GET" and owner_side_here:
            assert answer.status_code == 200, where  # staff see every association's objects
    assert "a-world.com" in client.get("/api/v1/sites", headers=headers).text
