"""The estimate job stores one combined monthly estimate per site, with history, shown in the API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cases.audit.services import Actor
from cases.crawls.schemas import CrawlIn
from cases.crawls.services import record_crawl
from cases.db import transaction
from crawlers.config import TrafficSettings
from crawlers.traffic import CounterEstimator, RankListEstimator
from piratewatch.jobs.estimate import estimate_sites


def submit(client: Any, key: str, domain: str) -> int:
    response = client.post("/api/v1/submissions", json={"sites": [{"domains": [domain]}]}, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    return int(response.json()["results"][0]["site_id"])


def crawl(at: dt.datetime, counters: dict[str, int], titles: int) -> CrawlIn:
    return CrawlIn(
        started_at=at,
        finished_at=at,
        start_url="https://rawkuma.example/",
        view_counters=counters,
        catalogue_titles=titles,
    )


async def test_estimate_job_stores_history_and_the_api_shows_it(
    client: Any, tenants: Any, factory: Any, engine: Engine, tmp_path: Path
) -> None:
    site = submit(client, tenants.a, "rawkuma.example")
    unknown = submit(client, tenants.a, "nowhere.example")
    t0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    with transaction(factory) as session:
        first = record_crawl(session, Actor("test"), site, crawl(t0, {"/m/1": 1000, "/m/2": 10}, 120))
        second = record_crawl(
            session, Actor("test"), site, crawl(t0 + dt.timedelta(days=1), {"/m/1": 4000, "/m/2": 1010}, 125)
        )
        assert first.catalogue_growth is None and second.catalogue_growth == 5
        assert second.views_total == 5010

    ranks = tmp_path / "tranco.csv"
    ranks.write_text("10,anchor.com\n500,rawkuma.example\n")
    settings = TrafficSettings(rank_list_path=ranks, anchors={"anchor.com": 1e8}, counter_min_interval_seconds=60)
    estimators = [CounterEstimator(settings), RankListEstimator(settings)]
    results = await estimate_sites(factory, estimators, [site, unknown], "2026-10", Actor("system:test"))
    assert results[unknown] is None  # no source knows it: nothing stored, nothing invented
    stored = results[site]
    assert stored is not None and stored.sources == ["counters", "rank:tranco"]
    assert stored.visits_low < stored.visits_central < stored.visits_high
    # the counters say 4,000 views a day ≈ 30,440 visits a month; the rank says 2,000,000
    assert 30_000 < stored.visits_central < 2_000_000
    await estimate_sites(factory, estimators, [site], "2026-10", Actor("system:test"))

    traffic = client.get(f"/api/v1/sites/{site}/traffic", headers={"X-API-Key": tenants.a}).json()
    assert [m["month"] for m in traffic["months"]] == ["2026-10"]
    month = traffic["months"][0]
    assert month["unit"] == "visits" and month["sources"] == ["counters", "rank:tranco"]
    assert month["visits_central"] == stored.visits_central
    assert set(month["method"]["by_source"]) == {"counters", "rank:tranco"}
    history = client.get(
        f"/api/v1/sites/{site}/traffic", params={"history": "true"}, headers={"X-API-Key": tenants.a}
    ).json()
    assert len(history["history"]) == 2  # every computation is kept
    assert client.get(f"/api/v1/sites/{site}/traffic", headers={"X-API-Key": tenants.b}).status_code == 404
    assert client.get(f"/api/v1/sites/{site}/traffic", headers={"X-API-Key": tenants.operator}).status_code == 200

    crawls = client.get(f"/api/v1/sites/{site}/crawls", headers={"X-API-Key": tenants.a}).json()
    assert [c["catalogue_titles"] for c in crawls] == [125, 120]
    assert client.get(f"/api/v1/sites/{site}/crawls", headers={"X-API-Key": tenants.b}).status_code == 404

    with engine.connect() as conn:
        audited = conn.execute(
            sa.text("SELECT count(*) FROM audit_event WHERE entity_type IN ('traffic_estimate', 'site_crawl')")
        ).scalar_one()
    assert audited == 4


async def test_a_failing_source_does_not_stop_the_others(
    client: Any, tenants: Any, factory: Any, tmp_path: Path
) -> None:
    from crawlers.traffic import TrafficApiEstimator
    from lab.traffic_api import DomainTraffic, TrafficApiServer

    site = submit(client, tenants.a, "rawkuma.example")
    ranks = tmp_path / "tranco.csv"
    ranks.write_text("10,anchor.com\n500,rawkuma.example\n")
    server = TrafficApiServer({"rawkuma.example": DomainTraffic(1e6, 5, 300, {"JP": 1.0})})
    with server.serve() as http:
        settings = TrafficSettings(
            rank_list_path=ranks, anchors={"anchor.com": 1e8}, api_url=http.url, api_key="not-the-key"
        )
        results = await estimate_sites(
            factory, [TrafficApiEstimator(settings), RankListEstimator(settings)], [site], "2026-10", Actor("t")
        )
    stored = results[site]
    assert stored is not None and stored.sources == ["rank:tranco"]
    assert "403" in stored.method["failed_sources"]["traffic-api"]
