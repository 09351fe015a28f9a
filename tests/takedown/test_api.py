"""The takedown API: operators act on the queue; associations see their case status, never another's evidence."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def draft(client: Any, tenants: Any, world: Any, sender: dict[str, Any], association_id: int, **kw: Any) -> Any:
    """The association sets `sender` as its own profile (statements included); an operator drafts with it."""
    own_key = tenants.a if association_id == world.a_id else tenants.b
    profile = client.put(f"/api/v1/associations/{association_id}/sender-profile", json=sender, headers=h(own_key))
    assert profile.status_code == 200, profile.text
    body = {
        "site_id": world.site_id,
        "provider_id": world.host_id,
        "association_id": association_id,
        "legal_basis": "dmca_512c3",
        **kw,
    }
    return client.post("/api/v1/notices", json=body, headers=h(tenants.operator))


def test_operators_cannot_make_the_senders_statements(client: Any, tenants: Any, world: Any, sender: Any) -> None:
    without = {k: v for k, v in sender.items() if k not in ("good_faith", "accuracy_under_perjury", "signature")}
    own = client.put(f"/api/v1/associations/{world.a_id}/sender-profile", json=without, headers=h(tenants.a))
    assert own.status_code == 200  # the association's own profile makes none of these statements
    body = {
        "site_id": world.site_id,
        "provider_id": world.host_id,
        "association_id": world.a_id,
        "legal_basis": "dmca_512c3",
    }
    forged = {"good_faith": True, "accuracy_under_perjury": True, "signature": "/operator/", "name": "Someone"}
    refused = client.post("/api/v1/notices", json={**body, "sender": forged}, headers=h(tenants.operator))
    assert refused.status_code == 422
    assert sorted(d["loc"][0] for d in refused.json()["detail"]) == [
        "sender.accuracy_under_perjury",
        "sender.good_faith",
        "sender.signature",
    ]
    too_long = client.post("/api/v1/notices", json={**body, "sender": {"phone": "1" * 65}}, headers=h(tenants.operator))
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"][0] == "sender.phone"
    # other details may be given for one notice; the statements stay the profile's (here: none)
    notice = client.post(
        "/api/v1/notices", json={**body, "sender": {"name": "Taro Suzuki"}}, headers=h(tenants.operator)
    ).json()
    submitted = client.post(f"/api/v1/notices/{notice['id']}/submit", headers=h(tenants.operator))
    assert submitted.status_code == 422
    assert sorted(d["loc"][0] for d in submitted.json()["detail"]) == [
        "sender.accuracy_under_perjury",
        "sender.good_faith",
        "sender.signature",
    ]


def test_operator_flow_draft_submit_claim_approve(
    client: Any, tenants: Any, world: Any, sender: Any, engine: Engine
) -> None:
    created = draft(client, tenants, world, sender, world.a_id)
    assert created.status_code == 201, created.text
    notice = created.json()
    assert notice["state"] == "draft" and len(notice["items"]) == 3
    submitted = client.post(f"/api/v1/notices/{notice['id']}/submit", headers=h(tenants.operator))
    assert submitted.status_code == 200 and submitted.json()["rendered_sha256"]
    queue = client.get("/api/v1/queue", params={"legal_basis": "dmca_512c3"}, headers=h(tenants.operator)).json()
    assert [n["id"] for n in queue] == [notice["id"]]
    claimed = client.post("/api/v1/queue/claim", headers=h(tenants.operator))
    assert claimed.status_code == 200 and claimed.json()["claimed_by"].startswith("key:")
    assert client.post("/api/v1/queue/claim", headers=h(tenants.operator)).status_code == 204
    approved = client.post(f"/api/v1/notices/{notice['id']}/approve", headers=h(tenants.operator))
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    again = client.post(f"/api/v1/notices/{notice['id']}/approve", headers=h(tenants.operator))
    assert again.status_code == 409
    with engine.connect() as conn:
        fields = set(conn.execute(sa.text("SELECT field FROM audit_event WHERE entity_type = 'notice'")).scalars())
    assert {"*", "state", "claimed_by", "rendered_sha256"} <= fields


def test_incomplete_notice_is_refused_naming_the_elements(client: Any, tenants: Any, world: Any, sender: Any) -> None:
    notice = draft(client, tenants, world, {**sender, "signature": "", "good_faith": False}, world.a_id).json()
    assert notice["state"] == "draft", notice
    refused = client.post(f"/api/v1/notices/{notice['id']}/submit", headers=h(tenants.operator))
    assert refused.status_code == 422
    assert sorted(d["loc"][0] for d in refused.json()["detail"]) == ["sender.good_faith", "sender.signature"]


def test_reject_bulk_approve_and_replies(client: Any, tenants: Any, world: Any, sender: Any) -> None:
    ids = []
    for basis in ("dmca_512c3", "dsa_art16", "jp_provider_liability"):
        notice = draft(client, tenants, world, sender, world.a_id, legal_basis=basis).json()
        client.post(f"/api/v1/notices/{notice['id']}/submit", headers=h(tenants.operator))
        ids.append(notice["id"])
    rejected = client.post(
        f"/api/v1/notices/{ids[0]}/reject", json={"reason": "wrong site"}, headers=h(tenants.operator)
    )
    assert rejected.json()["state"] == "rejected" and rejected.json()["rejection_reason"] == "wrong site"
    bulk = client.post("/api/v1/queue/approve", json={"notice_ids": ids}, headers=h(tenants.operator)).json()
    assert bulk["approved"] == ids[1:] and list(bulk["refused"]) == [str(ids[0])]
    unsent = client.post(
        "/api/v1/inbound/replies", json={"notice_id": ids[1], "kind": "bounce"}, headers=h(tenants.operator)
    )
    assert unsent.status_code == 422  # never sent: a bounce cannot belong to it


def test_submitters_see_case_status_but_never_anothers_evidence(
    client: Any, tenants: Any, world: Any, sender: Any
) -> None:
    a_notice = draft(client, tenants, world, sender, world.a_id).json()
    b_notice = draft(client, tenants, world, {**sender, "name": "B"}, world.b_id).json()
    a_cases = client.get(f"/api/v1/sites/{world.site_id}/cases", headers=h(tenants.a)).json()
    assert [n["id"] for c in a_cases for n in c["notices"]] == [a_notice["id"]]
    assert a_cases[0]["provider"] == "Bulletproof Hosting Ltd"
    assert client.get(f"/api/v1/notices/{a_notice['id']}", headers=h(tenants.a)).status_code == 200
    hidden = client.get(f"/api/v1/notices/{b_notice['id']}", headers=h(tenants.a))
    assert hidden.status_code == 404 and "secret-b" not in hidden.text
    b_view = client.get(f"/api/v1/notices/{b_notice['id']}", headers=h(tenants.b)).json()
    assert [i["url"] for i in b_view["items"]] == ["https://manga-raw.io/secret-b"]
    operator_view = client.get(f"/api/v1/sites/{world.site_id}/cases", headers=h(tenants.operator)).json()
    assert sorted(n["id"] for c in operator_view for n in c["notices"]) == sorted([a_notice["id"], b_notice["id"]])


def test_submitters_cannot_act(client: Any, tenants: Any, world: Any, sender: Any) -> None:
    notice = draft(client, tenants, world, sender, world.a_id).json()
    for method, path, body in [
        ("POST", "/api/v1/notices", {}),
        ("POST", f"/api/v1/notices/{notice['id']}/submit", None),
        ("POST", f"/api/v1/notices/{notice['id']}/approve", None),
        ("POST", f"/api/v1/notices/{notice['id']}/reject", {"reason": "x"}),
        ("POST", "/api/v1/queue/claim", None),
        ("POST", "/api/v1/queue/approve", {"notice_ids": [notice["id"]]}),
        ("GET", "/api/v1/queue", None),
        ("POST", "/api/v1/inbound/replies", {"notice_id": notice["id"], "kind": "reply"}),
        ("POST", "/api/v1/notices/escalate-overdue", None),
        ("GET", "/api/v1/transparency/lumen", None),
        ("GET", "/api/v1/transparency/counts?year=2026", None),
        ("GET", "/api/v1/providers", None),
        ("POST", "/api/v1/providers", {"name": "X", "kind": "host"}),
        ("PATCH", f"/api/v1/providers/{world.host_id}", {"country": "NL"}),
        ("GET", "/api/v1/providers/scorecards", None),
    ]:
        assert client.request(method, path, json=body, headers=h(tenants.a)).status_code == 403, path
    # a site association B never submitted: its cases are "not found", not "forbidden"
    other = client.get("/api/v1/sites/999999/cases", headers=h(tenants.b))
    assert other.status_code == 404


def test_provider_directory(client: Any, tenants: Any, world: Any, engine: Engine) -> None:
    created = client.post(
        "/api/v1/providers",
        json={"name": "Stripe", "kind": "payment", "country": "US", "abuse_form_url": "https://stripe.example/report"},
        headers=h(tenants.operator),
    )
    assert created.status_code == 201 and created.json()["kind"] == "payment"
    dup = client.post("/api/v1/providers", json={"name": "Stripe", "kind": "payment"}, headers=h(tenants.operator))
    assert dup.status_code == 409
    bad = client.patch(f"/api/v1/providers/{world.host_id}", json={"country": "1x"}, headers=h(tenants.operator))
    assert bad.status_code == 422 and "country" in bad.text
    edited = client.patch(
        f"/api/v1/providers/{world.host_id}",
        json={"expected_response_days": 2, "country": "nl"},
        headers=h(tenants.operator),
    )
    assert edited.status_code == 200
    assert (edited.json()["expected_response_days"], edited.json()["country"]) == (2, "NL")
    kinds = {p["name"]: p["kind"] for p in client.get("/api/v1/providers", headers=h(tenants.operator)).json()}
    assert kinds["Stripe"] == "payment" and kinds["Google LLC"] == "search_engine"
    with engine.connect() as conn:
        changed = set(
            conn.execute(
                sa.text("SELECT field FROM audit_event WHERE entity_type = 'provider' AND action = 'update'")
            ).scalars()
        )
    assert changed == {"expected_response_days", "country"}
