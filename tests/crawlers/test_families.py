"""Site families: a mirror sharing analytics ID and icon is proposed; an operator merges it."""

from __future__ import annotations

from typing import Any

from cases.audit.services import Actor
from piratewatch.jobs.crawl import crawl_and_record
from piratewatch.jobs.families import confidence


def submit(client: Any, key: str, domain: str) -> int:
    response = client.post("/api/v1/submissions", json={"sites": [{"domains": [domain]}]}, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    return int(response.json()["results"][0]["site_id"])


def test_confidence_combines_distinct_kinds() -> None:
    assert confidence(["redirect_target:x.test"]) == 0.95
    # two analytics IDs are one kind of evidence, not two
    assert confidence(["analytics_id:G-1", "analytics_id:GTM-2"]) == 0.7
    assert confidence(["analytics_id:G-1", "favicon", "mirror_link:m.test"]) == round(1 - 0.3 * 0.6 * 0.7, 4)


def test_mirror_is_proposed_then_merged_by_an_operator(client: Any, tenants: Any, factory: Any, sites_lab: Any) -> None:
    main = submit(client, tenants.a, "rawkuma.test")
    mirror = submit(client, tenants.b, "rawkuma-mirror.test")
    crawl_and_record(factory, sites_lab.config(), mirror, Actor("system:test"))
    summary = crawl_and_record(factory, sites_lab.config(), main, Actor("system:test"))
    assert len(summary.families) == 1

    staff = tenants.headers(tenants.operator)
    assert client.get("/api/v1/families", headers=tenants.headers(tenants.a)).status_code == 403
    proposals = client.get("/api/v1/families", headers=staff).json()
    assert len(proposals) == 1
    proposal = proposals[0]
    assert (proposal["site_id"], proposal["other_site_id"]) == (main, mirror)
    assert proposal["signals"] == ["analytics_id:G-RAWKUMA01", "favicon", "mirror_link:rawkuma-mirror.test"]
    assert proposal["confidence"] < 0.9 and proposal["status"] == "proposed"  # below the threshold: not merged yet

    decided = client.post(f"/api/v1/families/{proposal['id']}/merge", headers=staff)
    assert decided.status_code == 200 and decided.json()["status"] == "merged"
    assert client.post(f"/api/v1/families/{proposal['id']}/reject", headers=staff).status_code == 409

    # the mirror's domain and its association's submission now belong to the main site (staydown)
    detail = client.get(f"/api/v1/sites/{main}", headers=staff).json()
    assert detail["domains"] == ["rawkuma.test", "rawkuma-mirror.test"]
    assert sorted(s["association"] for s in detail["submissions"]) == ["Association A", "Association B"]
    assert any(e["kind"] == "merged_site" for e in detail["timeline"])
    merged = client.get(f"/api/v1/sites/{mirror}", headers=staff).json()
    assert merged["status"] == "merged" and merged["domains"] == []
    # association B submitted the mirror: it now sees the merged site, and only its own submission
    mine = client.get(f"/api/v1/sites/{main}", headers=tenants.headers(tenants.b)).json()
    assert [s["association"] for s in mine["submissions"]] == ["Association B"]


def test_threshold_merges_at_once(client: Any, tenants: Any, factory: Any, sites_lab: Any) -> None:
    main = submit(client, tenants.a, "rawkuma.test")
    mirror = submit(client, tenants.a, "rawkuma-mirror.test")
    config = sites_lab.config(family_merge_confidence=0.8)
    crawl_and_record(factory, config, main, Actor("system:test"))
    crawl_and_record(factory, config, mirror, Actor("system:test"))
    proposal = client.get(
        "/api/v1/families", params={"status": "merged"}, headers=tenants.headers(tenants.operator)
    ).json()
    assert [(p["site_id"], p["other_site_id"], p["decided_by"]) for p in proposal] == [(main, mirror, "system:test")]
