"""POST/GET /api/v1/submissions: creation, dedupe, idempotency, validation and limits."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

SITE = {
    "source_ref": "REF-1",
    "domains": ["https://www.Manga-Raw.io/title/1", "mirror.manga-raw.io"],
    "languages": ["ja"],
    "content_types": ["manga"],
    "works": [{"ref": "W1", "titles": {"ja": "ワンピース", "en": "One Piece"}, "content_type": "manga"}],
    "evidence": [{"url": "https://manga-raw.io/one-piece/1", "work_ref": "W1", "note": "chapter 1"}],
}


def post(client: Any, key: str, body: Any, **kw: Any) -> Any:
    return client.post("/api/v1/submissions", json=body, headers={"X-API-Key": key}, **kw)


def test_create_then_resubmit_is_idempotent(client: Any, tenants: Any, engine: Engine) -> None:
    first = post(client, tenants.a, {"sites": [SITE]})
    assert first.status_code == 200, first.text
    result = first.json()["results"][0]
    assert result["status"] == "created" and result["site_created"] is True
    assert [d["fqdn"] for d in result["domains"]] == ["manga-raw.io", "mirror.manga-raw.io"]
    assert result["evidence_added"] == 1

    again = post(client, tenants.a, {"sites": [SITE]}).json()["results"][0]
    assert again["status"] == "matched"
    assert again["submission_id"] == result["submission_id"]
    assert again["evidence_added"] == 0
    with engine.connect() as conn:
        counts = [
            conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("submission", "site", "domain", "evidence_item", "work")
        ]
    assert counts == [1, 1, 2, 1, 1]


def test_resubmission_adds_only_missing_evidence(client: Any, tenants: Any) -> None:
    post(client, tenants.a, {"sites": [SITE]})
    more = {**SITE, "evidence": [*SITE["evidence"], {"url": "https://manga-raw.io/one-piece/2", "work_ref": "W1"}]}
    result = post(client, tenants.a, {"sites": [more]}).json()["results"][0]
    assert (result["status"], result["evidence_added"]) == ("matched", 1)


def test_same_registrable_domain_from_two_associations_is_one_site(client: Any, tenants: Any) -> None:
    a = post(client, tenants.a, {"sites": [SITE]}).json()["results"][0]
    b = post(client, tenants.b, {"sites": [{"domains": ["http://manga-raw.io/other-page"]}]}).json()["results"][0]
    assert b["site_id"] == a["site_id"]
    assert b["site_created"] is False and b["status"] == "created"
    assert b["submission_id"] != a["submission_id"]


def test_many_sites_in_one_request(client: Any, tenants: Any) -> None:
    sites = [{"domains": [f"site{i}.example.com"], "source_ref": f"R{i}"} for i in range(50)]
    sites.append({"domains": ["site3.example.com"], "source_ref": "R-dup-site"})
    results = post(client, tenants.a, {"sites": sites}).json()["results"]
    assert len(results) == 51
    assert len({r["site_id"] for r in results}) == 1  # example.com is one registrable domain
    sites = [{"domains": [f"site{i}.com"]} for i in range(50)]
    results = post(client, tenants.a, {"sites": sites}).json()["results"]
    assert len({r["site_id"] for r in results}) == 50


def test_422_lists_every_bad_field(client: Any, tenants: Any) -> None:
    body = {
        "sites": [
            {"domains": ["good.com", "bad..com"], "languages": ["not a tag"]},
            {"domains": []},
            {"domains": ["ok.org"], "evidence": [{"url": "ftp://ok.org/x"}], "content_types": ["comics"]},
        ]
    }
    response = post(client, tenants.a, body)
    assert response.status_code == 422
    locations = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert ("body", "sites", 0, "domains", 1) in locations
    assert ("body", "sites", 0, "languages", 0) in locations
    assert ("body", "sites", 1) in locations
    assert ("body", "sites", 2, "evidence", 0, "url") in locations
    assert ("body", "sites", 2, "content_types", 0) in locations


def test_unknown_work_ref_is_refused_with_its_location(client: Any, tenants: Any, engine: Engine) -> None:
    body = {"sites": [{"domains": ["x.com"], "evidence": [{"url": "https://x.com/1", "work_ref": "NOPE"}]}]}
    response = post(client, tenants.a, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["sites[0].evidence[0].work_ref"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM site")).scalar_one() == 0  # all or nothing


def test_malformed_json(client: Any, tenants: Any) -> None:
    response = client.post(
        "/api/v1/submissions",
        content=b'{"sites": [',
        headers={"X-API-Key": tenants.a, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "json" in json.dumps(response.json()).lower()


def test_oversized_body_gets_413(client: Any, tenants: Any) -> None:
    huge = {"sites": [{"domains": ["a.com"], "note": "x" * (6 * 1024 * 1024)}]}
    response = post(client, tenants.a, huge)
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_oversized_streamed_body_gets_413(client: Any, tenants: Any) -> None:
    def chunks() -> Any:
        yield b'{"sites": [{"domains": ["a.com"], "note": "'
        for _ in range(7):
            yield b"x" * (1024 * 1024)
        yield b'"}]}'

    response = client.post(
        "/api/v1/submissions", content=chunks(), headers={"X-API-Key": tenants.a, "Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_ten_thousand_sites_refused_with_a_clear_limit(client: Any, tenants: Any, engine: Engine) -> None:
    sites = [{"domains": [f"s{i}.com"]} for i in range(10_000)]
    response = post(client, tenants.a, {"sites": sites})
    assert response.status_code == 413
    assert "limit is 1000" in response.json()["detail"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM site")).scalar_one() == 0


def test_thousand_sites_accepted(client: Any, tenants: Any) -> None:
    sites = [{"domains": [f"s{i}.com"], "evidence": [{"url": f"https://s{i}.com/x"}]} for i in range(1000)]
    response = post(client, tenants.a, {"sites": sites})
    assert response.status_code == 200
    assert sum(r["site_created"] for r in response.json()["results"]) == 1000


def test_list_own_submissions_only(client: Any, tenants: Any) -> None:
    post(client, tenants.a, {"sites": [SITE]})
    post(client, tenants.b, {"sites": [{"domains": ["b-only.com"]}]})
    mine = client.get("/api/v1/submissions", headers={"X-API-Key": tenants.a}).json()["items"]
    assert [s["source_ref"] for s in mine] == ["REF-1"]
    assert mine[0]["evidence_count"] == 1
    theirs = client.get("/api/v1/submissions", headers={"X-API-Key": tenants.b}).json()["items"]
    assert len(theirs) == 1 and theirs[0]["association"] == "Association B"


def test_changes_are_audited_with_the_request_id(client: Any, tenants: Any, engine: Engine) -> None:
    response = client.post(
        "/api/v1/submissions", json={"sites": [SITE]}, headers={"X-API-Key": tenants.a, "X-Request-ID": "req-42"}
    )
    assert response.headers["x-request-id"] == "req-42"
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT entity_type, actor, request_id FROM audit_event WHERE request_id = 'req-42'")
        ).all()
    kinds = sorted({r[0] for r in rows})
    assert kinds == ["domain", "evidence", "site", "submission", "work"]
    assert all(r[1].startswith("key:") for r in rows)
