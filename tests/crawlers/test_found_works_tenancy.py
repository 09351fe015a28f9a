"""Works found on a site an association never submitted: it gets a submission of its own (via crawl),
so the one tenant rule holds: its notices are on a site it can open, and it never sees another's evidence."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cases.audit.services import Actor
from piratewatch.jobs.crawl import crawl_and_record


def submit(client: Any, key: str, domain: str, works: list[dict[str, Any]], evidence: list[str]) -> int:
    body = {"sites": [{"domains": [domain], "works": works, "evidence": [{"url": u} for u in evidence]}]}
    response = client.post("/api/v1/submissions", json=body, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    return int(response.json()["results"][0]["site_id"])


def test_an_association_whose_works_are_found_sees_the_site_and_only_its_own_evidence(
    client: Any, tenants: Any, factory: Any, engine: Engine, sites_lab: Any
) -> None:
    titan = {"ref": "KDN-7", "titles": {"ja": "進撃の巨人", "en": "Attack on Titan"}, "content_type": "manga"}
    # A submits the site; B only ever submitted another site, with the work in its catalogue.
    site = submit(client, tenants.a, "rawkuma.test", [], ["https://rawkuma.test/a-secret-url"])
    submit(client, tenants.b, "elsewhere.example", [titan], [])
    assert client.get(f"/api/v1/sites/{site}", headers={"X-API-Key": tenants.b}).status_code == 404

    summary = crawl_and_record(factory, sites_lab.config(), site, Actor("system:test"))
    assert summary.ok and summary.works_found > 0

    seen = client.get(f"/api/v1/sites/{site}", headers={"X-API-Key": tenants.b})
    assert seen.status_code == 200
    [own] = seen.json()["submissions"]
    assert own["via"] == "crawl" and own["source_ref"] == f"crawl:{site}"
    assert own["evidence"] and all("attack-on-titan" in e["url"] or "shingeki" in e["url"] for e in own["evidence"])
    assert "a-secret-url" not in seen.text  # A's evidence stays A's
    # A's view of the site is unchanged: it sees only its own submission
    mine = client.get(f"/api/v1/sites/{site}", headers={"X-API-Key": tenants.a}).json()
    assert [s["via"] for s in mine["submissions"]] == ["api"]

    # a second crawl adds nothing twice
    crawl_and_record(factory, sites_lab.config(), site, Actor("system:test"))
    with engine.connect() as conn:
        crawl_subs = conn.execute(sa.text("SELECT count(*) FROM submission WHERE via = 'crawl'")).scalar_one()
    assert crawl_subs == 1


def test_a_notice_is_visible_exactly_where_its_site_is(client: Any, tenants: Any, factory: Any) -> None:
    from cases.db import transaction
    from cases.providers.services import add_provider
    from cases.takedown.models import LegalBasis
    from cases.takedown.services import draft_notice, open_case

    from ..conftest import SENDER

    site = submit(client, tenants.a, "only-a.example", [], ["https://only-a.example/1"])
    with transaction(factory) as session:
        provider = add_provider(session, Actor("test"), "Only Host", "host")
        case = open_case(session, Actor("test"), site, provider.id or 0)
        # a notice for B on a site B cannot see: made by hand, as no drafting rule makes one any more
        notice = draft_notice(
            session,
            Actor("test"),
            case.id or 0,
            tenants.b_id,
            LegalBasis.DMCA,
            dict(SENDER),
            items=[("https://only-a.example/1", None)],
        )
    answer = client.get(f"/api/v1/notices/{notice.id}", headers={"X-API-Key": tenants.b})
    assert answer.status_code == 404
    assert client.get(f"/api/v1/notices/{notice.id}", headers={"X-API-Key": tenants.operator}).status_code == 200
