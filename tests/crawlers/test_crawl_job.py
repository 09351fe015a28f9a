"""The crawl job on a real store: crawls, counters, works found per association, hops, and the runner."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.schedule.models import JobKind
from cases.schedule.services import claim_due, finish_job, schedule_sites
from crawlers.config import TrafficSettings
from crawlers.traffic import CounterEstimator
from lab.sites.content import Title
from piratewatch.jobs.crawl import crawl_and_record
from piratewatch.jobs.estimate import estimate_sites
from piratewatch.jobs.runner import Runner


def submit(client: Any, key: str, domain: str, works: list[dict[str, Any]] | None = None) -> int:
    body = {"sites": [{"domains": [domain], "works": works or []}]}
    response = client.post("/api/v1/submissions", json=body, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    return int(response.json()["results"][0]["site_id"])


def get(client: Any, key: str, path: str, **params: Any) -> Any:
    return client.get(path, params=params, headers={"X-API-Key": key})


def this_month() -> str:
    """The month the crawls' counter readings fall in (the counters estimate only that month)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m")


def test_crawl_stores_profile_counters_and_works_found_per_association(
    client: Any, tenants: Any, factory: Any, engine: Engine, sites_lab: Any
) -> None:
    one_piece = {"ref": "JPA-1", "titles": {"ja": "ワンピース", "en": "One Piece"}, "content_type": "manga"}
    titan = {"ref": "KDN-7", "titles": {"ja": "進撃の巨人", "en": "Attack on Titan"}, "content_type": "manga"}
    site = submit(client, tenants.a, "rawkuma.test", [one_piece])
    assert submit(client, tenants.b, "rawkuma.test", [titan]) == site
    config = sites_lab.config()

    first = crawl_and_record(factory, config, site, Actor("system:test"))
    # the title page and every chapter page carry the title: each URL is evidence (13 + 9 pages)
    assert first.ok and first.works_found == 22 and first.hop_to is None
    sites_lab.sites.views["rawkuma.test/one-piece"] += 1500
    sites_lab.sites.views["rawkuma.test/jujutsu-kaisen"] += 500
    second = crawl_and_record(factory, config, site, Actor("system:test"))
    assert second.works_found == 0  # the same work on the same URL is kept once

    crawls = get(client, tenants.a, f"/api/v1/sites/{site}/crawls").json()
    assert [c["catalogue_titles"] for c in crawls] == [4, 4] and crawls[0]["catalogue_growth"] == 0
    assert crawls[0]["views_total"] - crawls[1]["views_total"] == 2000
    assert crawls[0]["analytics_ids"] == ["G-RAWKUMA01", "GTM-RAWK01"]

    mine = get(client, tenants.a, f"/api/v1/sites/{site}/works-found").json()
    assert {(w["work_ref"], w["title_matched"]) for w in mine} == {("JPA-1", "ワンピース")}
    assert len(mine) == 13 and all(len(w["content_sha256"]) == 64 and w["score"] == 100 for w in mine)
    assert any(w["url"].endswith("/manga/one-piece/") for w in mine)
    assert any(w["url"].endswith("/manga/one-piece/chapter-12/") for w in mine)
    theirs = get(client, tenants.b, f"/api/v1/sites/{site}/works-found").json()
    assert {w["work_ref"] for w in theirs} == {"KDN-7"} and len(theirs) == 9
    assert len(get(client, tenants.operator, f"/api/v1/sites/{site}/works-found").json()) == 22

    # counters of the two crawls give page views: 2,000 views over the seconds between the crawls
    results = asyncio.run(
        estimate_sites(
            factory,
            [CounterEstimator(TrafficSettings(counter_min_interval_seconds=0))],
            [site],
            this_month(),
            Actor("t"),
        )
    )
    estimate = results[site]
    assert estimate is not None and estimate.sources == ["counters"]
    assert estimate.method["by_source"]["counters"]["page_views"] == 2000
    with engine.connect() as conn:
        audited = conn.execute(
            sa.text("SELECT count(*) FROM audit_event WHERE entity_type = 'work_found'")
        ).scalar_one()
    assert audited == 22

    # both crawls and the estimate were counted for /metrics, whichever process ran them
    from cases.counters.queries import all_counts

    with factory() as session:
        counts = {(name, labels): value for name, labels, value in all_counts(session)}
    assert counts[("crawls", "outcome=ok")] == 2 and counts[("crawl_duration_seconds_count", "")] == 2
    assert counts[("crawl_pages", "")] >= 2 * 13 and counts[("crawl_read_bytes", "")] > 0
    assert counts[("estimates", "outcome=stored")] == 1 and counts[("traffic_source_estimates", "source=counters")] == 1


def test_a_hop_joins_the_site_and_shows_on_the_timeline(
    client: Any, tenants: Any, factory: Any, sites_lab: Any
) -> None:
    site = submit(client, tenants.a, "old-manga.test")
    summary = crawl_and_record(factory, sites_lab.config(), site, Actor("system:test"))
    assert summary.hop_to == "new-manga.test"
    detail = get(client, tenants.a, f"/api/v1/sites/{site}").json()
    assert detail["domains"] == ["old-manga.test", "new-manga.test"]
    old = detail["domain_details"][0]
    assert old["status"] == "redirecting" and old["redirects_to"] == "new-manga.test"
    assert [(e["kind"], e["old"], e["new"]) for e in detail["timeline"]] == [
        ("redirects_to_domain", "old-manga.test", "new-manga.test")
    ]
    # the next crawl starts from where the site lives now, and finds no new hop
    again = crawl_and_record(factory, sites_lab.config(), site, Actor("system:test"))
    assert again.start_url == sites_lab.url("new-manga.test") and again.hop_to is None


def test_runner_does_due_jobs_once_and_a_killed_job_comes_back(
    client: Any, tenants: Any, factory: Any, sites_lab: Any
) -> None:
    site = submit(client, tenants.a, "truyenvn.test")
    runner = Runner(factory, sites_lab.config(), TrafficSettings(counter_min_interval_seconds=0))
    report = asyncio.run(runner.run_once([JobKind.CRAWL, JobKind.ESTIMATE]))
    assert report.done == {"crawl": 1, "estimate": 1} and report.failed == []
    assert asyncio.run(runner.run_once([JobKind.CRAWL, JobKind.ESTIMATE])).done == {}  # nothing due any more
    crawls = get(client, tenants.a, f"/api/v1/sites/{site}/crawls").json()
    assert len(crawls) == 1 and crawls[0]["language"] == "vi"

    # a runner that claims a job and dies: the job is invisible until its lease ends, then due again
    now = utcnow() + dt.timedelta(days=30)
    lease = dt.timedelta(minutes=30)
    with transaction(factory) as session:
        schedule_sites(session, [JobKind.CRAWL])
        claimed = claim_due(session, [JobKind.CRAWL], 10, lease, now=now)
    assert [(c.site_id, c.job) for c in claimed] == [(site, JobKind.CRAWL)]
    with transaction(factory) as session:
        assert claim_due(session, [JobKind.CRAWL], 10, lease, now=now + dt.timedelta(minutes=5)) == []
        again = claim_due(session, [JobKind.CRAWL], 10, lease, now=now + dt.timedelta(minutes=31))
        assert [c.site_id for c in again] == [site]
        row = finish_job(session, site, JobKind.CRAWL, now + dt.timedelta(days=1))
        assert row.leased_until is None and row.failures == 0


def test_a_javascript_hop_joins_the_site_and_the_next_crawl_counts_catalogue_growth(
    client: Any, tenants: Any, factory: Any, engine: Engine, sites_lab: Any
) -> None:
    site = submit(client, tenants.a, "js-hop.test")
    summary = crawl_and_record(factory, sites_lab.config(), site, Actor("system:test"))
    assert (summary.hop_to, summary.hop_via) == ("rawmangajp.test", "js")
    detail = get(client, tenants.a, f"/api/v1/sites/{site}").json()
    assert detail["domains"] == ["js-hop.test", "rawmangajp.test"]
    assert [(e["kind"], e["old"], e["new"]) for e in detail["timeline"]] == [
        ("redirects_to_domain", "js-hop.test", "rawmangajp.test")
    ]
    with engine.connect() as conn:
        via = conn.execute(
            sa.text("SELECT new_value FROM audit_event WHERE entity_type = 'domain' AND field = 'redirects_via'")
        ).scalar_one()
    assert via == "js"

    # the site adds a series with two chapters; the next crawl starts from the new domain
    site_now = sites_lab.sites.sites["rawmangajp.test"]
    site_now.titles.append(Title("kingdom", "キングダム", 2, 50_000))
    try:
        again = crawl_and_record(factory, sites_lab.config(), site, Actor("system:test"))
    finally:
        site_now.titles.pop()
    assert again.start_url == sites_lab.url("rawmangajp.test") and again.hop_to is None
    crawls = get(client, tenants.a, f"/api/v1/sites/{site}/crawls").json()
    assert [(c["catalogue_titles"], c["catalogue_chapters"]) for c in crawls] == [(5, 20), (4, 18)]
    assert crawls[0]["catalogue_growth"] == 1


def test_a_moved_notice_joins_the_site_and_korean_titles_are_found_per_association(
    client: Any, tenants: Any, factory: Any, sites_lab: Any
) -> None:
    solo = {"ref": "SL-1", "titles": {"ko": "나 혼자만 레벨업", "en": "Solo Leveling"}, "content_type": "manga"}
    empress = {"ref": "RE-2", "titles": {"ko": "재혼 황후", "en": "The Remarried Empress"}, "content_type": "manga"}
    unrelated = {"ref": "RAW-3", "titles": {"en": "Raw"}, "content_type": "manga"}  # a generic word as a title
    site = submit(client, tenants.a, "moved-notice.test", [solo, unrelated])
    assert submit(client, tenants.b, "moved-notice.test", [empress]) == site
    summary = crawl_and_record(factory, sites_lab.config(), site, Actor("system:test"))
    assert (summary.hop_to, summary.hop_via) == ("manhwaraw.test", "notice")
    detail = get(client, tenants.a, f"/api/v1/sites/{site}").json()
    assert detail["domain_details"][0]["redirects_to"] == "manhwaraw.test"
    assert [e["kind"] for e in detail["timeline"]] == ["redirects_to_domain"]
    mine = get(client, tenants.a, f"/api/v1/sites/{site}/works-found").json()
    # the title page and its five chapter pages; "Raw" in every page title matches nothing
    assert {w["work_ref"] for w in mine} == {"SL-1"} and len(mine) == 6
    assert all("/manhwa-raw/solo-leveling/" in w["url"] for w in mine)
    theirs = get(client, tenants.b, f"/api/v1/sites/{site}/works-found").json()
    assert [(w["work_ref"], w["title_matched"]) for w in theirs] == [("RE-2", "재혼 황후")]
    crawl = get(client, tenants.a, f"/api/v1/sites/{site}/crawls").json()[0]
    assert (crawl["catalogue_titles"], crawl["catalogue_chapters"]) == (4, 12)
    assert crawl["views_total"] == 12_300 + 45_600 + 7_800 + 1_200
