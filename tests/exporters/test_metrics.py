"""/metrics: a live scrape over a socket passes promtool, label sets stay bounded, the store is read at scrape time."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.counters import names as ops
from cases.counters.queries import all_counts
from cases.counters.services import add_counts
from cases.db import make_engine, session_factory, transaction
from cases.sites.models import Site, SiteContentType, SiteLanguage
from cases.takedown.statistics import scorecards
from cases.traffic.schemas import CountryShare, EstimateIn
from cases.traffic.services import record_estimate
from exporters.config import MetricsSettings
from exporters.figures.series import FAMILIES

pytestmark = pytest.mark.prometheus


def scrape(url: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{url}/metrics", headers=headers, timeout=30)


def families(text: str) -> dict[str, Any]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def promtool_check(text: str) -> subprocess.CompletedProcess[str]:
    assert shutil.which("promtool"), "promtool is needed (apt-get install prometheus)"
    return subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, check=False)


def test_a_live_scrape_passes_promtool_and_shows_the_world(world: Any, serve: Any) -> None:
    with serve(world.url) as app:
        response = scrape(app.url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    checked = promtool_check(response.text)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    found = families(response.text)
    for family in FAMILIES:
        assert family.name in found, family.name
    info = found["piratewatch_month_info"].samples[0].labels
    assert info["month"] == world.current.label and info["timezone"] == "Asia/Tokyo"
    central = {s.labels["band"]: s.value for s in found["piratewatch_monthly_visits"].samples}["central"]
    assert central == pytest.approx(world.expected(world.current)["total"][1])
    statuses = {s.labels["status"]: s.value for s in found["piratewatch_sites"].samples}
    assert statuses["merged"] == 1 and statuses["active"] == len(world.sites) + 2 - 1
    sent = {s.labels["recipient_kind"]: s.value for s in found["piratewatch_notices_sent"].samples}
    assert sent["host"] == 3 and sent["cdn"] == 1
    histogram = {
        (s.labels["recipient_kind"], s.labels.get("le")): s.value
        for s in found["piratewatch_notice_time_to_action_seconds"].samples
        if s.name.endswith("_bucket")
    }
    # host notices actioned after 50 hours and 5 days; the CDN one after 3 hours
    assert histogram[("host", str(2 * 86400.0))] == 0 and histogram[("host", str(3 * 86400.0))] == 1
    assert histogram[("host", str(7 * 86400.0))] == 2 and histogram[("cdn", str(6 * 3600.0))] == 1


def test_provider_scorecards_agree_with_the_takedown_scorecards(world: Any, serve: Any) -> None:
    with serve(world.url) as app:
        found = families(scrape(app.url).text)
    with world.factory() as session:
        cards = {c.provider: c for c in scorecards(session)}
    exported = {
        name: {s.labels["provider"]: s.value for s in found[name].samples if not s.name.endswith("_created")}
        for name in (
            "piratewatch_provider_notices_sent",
            "piratewatch_provider_notices_actioned",
            "piratewatch_provider_notices_unanswered",
            "piratewatch_provider_median_time_to_action_seconds",
            "piratewatch_provider_non_responsive",
        )
    }
    assert set(exported["piratewatch_provider_notices_sent"]) == set(cards)
    for provider, card in cards.items():
        assert exported["piratewatch_provider_notices_sent"][provider] == card.sent
        assert exported["piratewatch_provider_notices_actioned"][provider] == card.actioned
        assert exported["piratewatch_provider_notices_unanswered"][provider] == card.unanswered
        assert exported["piratewatch_provider_non_responsive"][provider] == float(card.non_responsive)
        assert exported["piratewatch_provider_median_time_to_action_seconds"][provider] == pytest.approx(
            (card.median_hours_to_action or 0) * 3600, abs=36
        )


def _many_sites(factory: sessionmaker[Session], count: int, month: str) -> None:
    with transaction(factory) as session:
        for i in range(count):
            site = Site(name=f"s{i}.test")
            session.add(site)
            session.flush()
            sid = site.id or 0
            session.add(SiteLanguage(site_id=sid, language=f"l{i % 40}"))
            session.add(SiteContentType(site_id=sid, content_type=["manga", "anime", "film"][i % 3]))
            record_estimate(
                session,
                Actor("t"),
                sid,
                EstimateIn(
                    month=month,
                    visits_low=i,
                    visits_central=i + 1,
                    visits_high=i + 2,
                    countries=[CountryShare(country=f"{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}", share=0.9)],
                    sources=["rank:tranco"],
                ),
            )


def test_label_sets_stay_bounded_whatever_the_number_of_sites(tmp_path: Path, sqlite_template: Path) -> None:
    from prometheus_client import generate_latest

    from cases.db import utcnow
    from exporters.figures.calendar import Month, zone
    from exporters.metrics import metrics_registry

    shutil.copy(sqlite_template, tmp_path / "store.db")
    factory = session_factory(make_engine(f"sqlite:///{tmp_path / 'store.db'}"))
    month = Month.containing(utcnow(), zone("UTC")).label
    settings = MetricsSettings(top_sites=10, top_per_group=2, max_languages=5, max_countries=7)

    def scrape_after(count: int) -> dict[str, Any]:
        _many_sites(factory, count, month)
        text = generate_latest(metrics_registry(factory, settings)).decode()
        assert promtool_check(text).returncode == 0
        return families(text)

    small = scrape_after(300)
    large = scrape_after(600)  # 900 sites in all
    for name, family in large.items():
        if name == "piratewatch_audience_monthly_visits":
            # three bands x three content types x (the 7 kept countries, the market, other, unknown)
            assert len(family.samples) <= 3 * 3 * (7 + 3)
        elif name == "piratewatch_audience_work_monthly_visits":
            # the same cells, each with its content share known or not, all visits and those with a duration
            # ... and each of the four distribution types
            assert len(family.samples) <= 3 * 3 * (7 + 3) * 2 * 2 * 4
        elif name == "piratewatch_audience_work_monthly_visit_seconds":
            assert len(family.samples) <= 3 * 3 * (7 + 3) * 2 * 4
        elif not name.startswith("piratewatch_site_") and "duration" not in name:
            assert len(family.samples) == len(small[name].samples), name  # three times the sites, not one series more
    for found in (small, large):
        sites = {s.labels["site_id"] for s in found["piratewatch_site_monthly_visits"].samples}
        # top 10 by visits, top 10 from the market, top 2 of each of 5 languages and 3 content types
        assert 10 <= len(sites) <= 10 + 10 + 2 * 5 + 2 * 3
        assert len(found["piratewatch_site_audience_ratio"].samples) <= 2 * len(sites)
    assert len(large["piratewatch_language_monthly_visits"].samples) == 3 * (5 + 1)  # five languages and other
    countries = {s.labels["country"] for s in large["piratewatch_audience_monthly_visits"].samples}
    assert len(countries - {"other", "unknown", "JP"}) <= 7


def test_operation_counters_accumulate_and_are_exported(engine: Any, factory: sessionmaker[Session]) -> None:
    from exporters.metrics.live import operation_families

    with transaction(factory) as session:
        add_counts(
            session, [ops.CRAWLS.inc(outcome="ok"), ops.CRAWLS.inc(outcome="ok"), *ops.CRAWL_DURATION.observe(7.0)]
        )
    with transaction(factory) as session:
        add_counts(session, [ops.CRAWLS.inc(outcome="ok"), ops.CRAWL_PROBLEMS.inc(kind="SomeTwistedError")])
        add_counts(session, ops.CRAWL_DURATION.observe(0.2))
    with factory() as session:
        stored = {(n, lb): v for n, lb, v in all_counts(session)}
        exported = {f.name: f for f in operation_families(session)}
    assert stored[("crawls", "outcome=ok")] == 3
    assert stored[("crawl_problems", "kind=other")] == 1  # outside the vocabulary: counted as other
    buckets = {
        s.labels["le"]: s.value
        for s in exported["piratewatch_crawl_duration_seconds"].samples
        if s.name.endswith("_bucket")
    }
    assert buckets["0.1"] == 0 and buckets["0.25"] == 1 and buckets["5.0"] == 1 and buckets["10.0"] == 2
    assert buckets["+Inf"] == 2
    crawls = {s.labels["outcome"]: s.value for s in exported["piratewatch_crawls"].samples}
    assert crawls == {"ok": 3, "failed": 0}
    with pytest.raises(ValueError, match="only goes up"):
        ops.CRAWLS.inc(-1, outcome="ok")
    with pytest.raises(ValueError, match="unknown labels"):
        ops.CRAWLS.inc(site="x")


def test_a_token_guards_metrics_when_set(world: Any, serve: Any) -> None:
    settings = MetricsSettings(bearer_token="s3cret-token-for-prometheus")  # type: ignore[arg-type]
    with serve(world.url, settings) as app:
        assert scrape(app.url).status_code == 401
        assert scrape(app.url, Authorization="Bearer wrong").status_code == 401
        assert scrape(app.url, Authorization="Bearer s3cret-token-for-prometheus").status_code == 200


def test_a_store_that_cannot_be_read_is_reported_not_failed(tmp_path: Path) -> None:
    from prometheus_client import generate_latest

    from exporters.metrics import metrics_registry

    factory = session_factory(make_engine(f"sqlite:///{tmp_path / 'missing' / 'no-tables.db'}"))
    text = generate_latest(metrics_registry(factory, MetricsSettings())).decode()
    assert "piratewatch_store_up 0.0" in text


def test_the_cached_figures_follow_every_change_of_the_store(world: Any) -> None:
    """The month's visit figures are recomputed when an estimate, a site, its status or its tags change."""
    from cases.sites.services import update_site_status
    from exporters.metrics.collector import StoreCollector

    collector = StoreCollector(world.factory, MetricsSettings(timezone="Asia/Tokyo", market="JP"))

    def scrape_now() -> dict[str, Any]:
        text = collector.render().decode()
        assert promtool_check(text).returncode == 0
        return families(text)

    def total(found: dict[str, Any]) -> float:
        return next(s.value for s in found["piratewatch_monthly_visits"].samples if s.labels["band"] == "central")

    first = scrape_now()
    assert scrape_now()["piratewatch_monthly_visits"].samples == first["piratewatch_monthly_visits"].samples
    raw0 = next(s for s in world.sites if s.name == "raw0.test")
    with transaction(world.factory) as session:
        record_estimate(
            session,
            Actor("t"),
            raw0.id,
            EstimateIn(
                month=world.current.label, visits_low=1, visits_central=2, visits_high=3, sources=["rank:tranco"]
            ),
        )
    second = scrape_now()
    assert total(second) == pytest.approx(total(first) - raw0.central(world.index(world.current)) + 2)
    with transaction(world.factory) as session:
        update_site_status(session, raw0.id, "seized", Actor("t"))
    statuses = {
        s.labels["status"] for s in scrape_now()["piratewatch_site_info"].samples if s.labels["site"] == "raw0.test"
    }
    assert statuses == {"seized"}
    with transaction(world.factory) as session:
        session.add(SiteLanguage(site_id=raw0.id, language="th"))
    languages = {s.labels["language"] for s in scrape_now()["piratewatch_language_monthly_visits"].samples}
    assert "th" in languages
