"""Resolutions are stored as snapshots with the changes between them, and shown on the site."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cases.audit.services import Actor
from cases.db import transaction
from piratewatch.jobs.resolve import find_domain, resolve_and_record, store_profile
from resolver import CdnMatch, Resolver


async def test_snapshots_changes_and_site_detail(
    lab: Any, factory: Any, engine: Engine, client: Any, tenants: Any
) -> None:
    body = {"sites": [{"domains": ["google.com"]}]}
    site_id = client.post("/api/v1/submissions", json=body, headers={"X-API-Key": tenants.a}).json()["results"][0][
        "site_id"
    ]

    async with Resolver(lab.settings()) as r:
        first = await resolve_and_record(factory, r, ["google.com", "unknown-site.lab.test"], Actor("test"))
    assert [o.stored for o in first] == [True, False]  # only known sites are recorded
    kinds = [c.kind for c in first[0].changes]
    assert kinds.count("new_ip") == 2 and "new_registrar" in kinds and "new_host" in kinds
    from cases.counters.queries import all_counts

    with factory() as session:
        counts = {(name, labels): value for name, labels, value in all_counts(session)}
    assert counts[("resolution_duration_seconds_count", "")] == 2  # each domain resolved, stored or not
    assert counts[("resolver_requests", "protocol=dns")] >= 7 and counts[("resolver_requests", "protocol=rdap")] >= 1

    # The site moves behind a CDN: the next snapshot records exactly that.
    moved = first[0].profile.model_copy(
        update={"cdn": CdnMatch(provider="DDoS-Guard", kind="waf/ddos", signals=["header:server"], confidence=0.6)}
    )
    with transaction(factory) as session:
        domain = find_domain(session, "google.com")
        assert domain is not None
        changes = store_profile(session, Actor("test"), domain, moved)
    assert [(c.kind, c.old, c.new) for c in changes] == [("new_cdn", None, "DDoS-Guard")]

    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM resolution_snapshot")).scalar_one() == 2

    detail = client.get(f"/api/v1/sites/{site_id}", headers={"X-API-Key": tenants.a}).json()
    infra = detail["infrastructure"]
    assert len(infra) == 1 and infra[0]["cdn"] == "DDoS-Guard" and infra[0]["registrar"] == "MarkMonitor Inc."
    assert "74.125.225.229" in infra[0]["addresses"]
    assert any(c["value"] == "abusecomplaints@markmonitor.com" for c in infra[0]["abuse_contacts"])
    assert detail["timeline"][0]["kind"] == "new_cdn"
    assert {e["kind"] for e in detail["timeline"]} >= {"new_ip", "new_registrar", "new_cdn"}
