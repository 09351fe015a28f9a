"""The damage model's inputs from the store (SQLite and PostgreSQL): content share, measured visit duration.

Every expected figure below is worked out by hand from the sites' description, with the shipped
coefficients (manga: 15 minutes a visit, 30 a volume, 500 yen, displacement 0.28 / 0.29 / 0.30;
anime: 24 minutes a visit and an episode, 220 yen; fallback share 0.5 / 1.0 / 1.0).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.crawls.models import SiteCrawl, WorkFound
from cases.db import transaction
from cases.sites.models import Site, SiteContentType, SiteLanguage
from cases.tenants.models import Association
from cases.traffic.schemas import CountryShare, EstimateIn
from cases.traffic.services import record_estimate
from cases.works.kinds import ContentType
from cases.works.models import Work
from exporters.figures.calendar import Month, zone
from exporters.figures.estimates import measured_minutes
from exporters.figures.markets import WITHIN_MARKET
from exporters.figures.model import SHARE_KNOWN, SHARE_UNKNOWN, Band, MonthFigures, WorkVisits
from exporters.figures.series import figures_from_samples, month_samples
from exporters.figures.site_facts import load_site_facts
from exporters.figures.store import FigureRules, month_figures
from exporters.reports import ReportOptions, StoreSource, build_report, load_coefficients, write_report
from exporters.reports.damage import damage_tables

MONTH = Month(2026, 3, zone("UTC"))
RULES = FigureRules(top_sites=8, top_per_group=3, market="JP")
T0 = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)


def _site(session: Session, name: str, content_type: str) -> int:
    site = Site(name=name)
    session.add(site)
    session.flush()
    assert site.id is not None
    session.add(SiteLanguage(site_id=site.id, language="ja"))
    session.add(SiteContentType(site_id=site.id, content_type=content_type))
    return site.id


def _crawl(session: Session, site_id: int, titles: int | None, when: dt.datetime) -> None:
    session.add(
        SiteCrawl(site_id=site_id, start_url=f"https://{site_id}.test/", catalogue_titles=titles, started_at=when)
    )


def _found(session: Session, association_id: int, site_id: int, work_id: int, url: str) -> None:
    session.add(
        WorkFound(
            association_id=association_id,
            work_id=work_id,
            site_id=site_id,
            url=url,
            url_sha256=url.encode().hex()[:64],
            title_found="t",
            title_matched="t",
            score=1.0,
            content_sha256="0" * 64,
        )
    )


def _estimate(
    session: Session,
    site_id: int,
    bands: tuple[float, float, float],
    countries: dict[str, float],
    minutes: float | None,
) -> None:
    record_estimate(
        session,
        Actor("test:damage"),
        site_id,
        EstimateIn(
            month=MONTH.label,
            visits_low=bands[0],
            visits_central=bands[1],
            visits_high=bands[2],
            minutes_per_visit=minutes,
            countries=[CountryShare(country=c, share=s) for c, s in countries.items()],
            sources=["traffic-api:test"],
        ),
    )


@pytest.fixture
def store(factory: sessionmaker[Session]) -> dict[str, int]:
    """Four sites: A (share 2 of 8 titles, 20 minutes measured), B (no crawl), C (catalogue of 0, a duration
    of a week, no countries), D (3 works found on a catalogue of 1: share capped at 1, 30 minutes measured)."""
    with transaction(factory) as session:
        association = Association(name="test association")
        session.add(association)
        session.flush()
        assert association.id is not None
        works = [Work(association_id=association.id, ref=f"w{i}", content_type=ContentType.MANGA) for i in range(3)]
        session.add_all(works)
        session.flush()
        ids = [w.id for w in works if w.id is not None]
        a, b, c, d = (
            _site(session, n, ct)
            for n, ct in (("a.test", "manga"), ("b.test", "manga"), ("c.test", "anime"), ("d.test", "manga"))
        )
        _crawl(session, a, 50, T0 - dt.timedelta(days=30))  # older: not the one counted
        _crawl(session, a, 8, T0)
        _crawl(session, a, None, T0 + dt.timedelta(days=1))  # newer, but counted no titles
        _found(session, association.id, a, ids[0], "https://a.test/1")
        _found(session, association.id, a, ids[0], "https://a.test/1b")  # the same work twice: one work
        _found(session, association.id, a, ids[1], "https://a.test/2")
        _crawl(session, c, 0, T0)
        _crawl(session, d, 1, T0)
        for i, work_id in enumerate(ids):
            _found(session, association.id, d, work_id, f"https://d.test/{i}")
        _estimate(session, a, (1000, 2000, 3000), {"JP": 0.8}, 20.0)
        _estimate(session, b, (400, 400, 400), {"JP": 1.0}, None)
        _estimate(session, c, (100, 100, 100), {}, 7 * 24 * 60.0)
        _estimate(session, d, (10, 10, 10), {"JP": 1.0}, 30.0)
    return {"a": a, "b": b, "c": c, "d": d}


def _figures(factory: sessionmaker[Session]) -> MonthFigures:
    with factory() as session:
        return month_figures(session, MONTH, RULES)


def test_content_shares_come_from_works_found_and_the_newest_catalogue_count(
    factory: sessionmaker[Session], store: dict[str, int]
) -> None:
    with factory() as session:
        shares = load_site_facts(session).content_shares
    assert shares == {store["a"]: 0.25, store["d"]: 1.0}  # b: no crawl, c: a catalogue of 0


def test_work_visits_carry_the_share_and_the_measured_duration(factory: sessionmaker[Session], store: Any) -> None:
    figures = _figures(factory)
    work = figures.work_visits
    # every site is Japanese: within the market (C by its language, its audience being unknown)
    jp = WITHIN_MARKET
    assert set(work) == {
        ("manga", "JP", SHARE_KNOWN, jp),
        ("manga", "other", SHARE_KNOWN, jp),
        ("manga", "JP", SHARE_UNKNOWN, jp),
        ("anime", "unknown", SHARE_UNKNOWN, jp),
    }
    # A: 2000 x 0.8 x 0.25 = 400 (low 200, high 600); D: 10 x 1.0 = 10
    assert work[("manga", "JP", SHARE_KNOWN, jp)].visits == Band(210, 410, 610)
    assert work[("manga", "JP", SHARE_KNOWN, jp)].timed == Band(210, 410, 610)
    # A: 400 visits x 20 min x 60 s + D: 10 x 30 x 60
    assert work[("manga", "JP", SHARE_KNOWN, jp)].timed_seconds.central == pytest.approx(480_000 + 18_000)
    assert work[("manga", "other", SHARE_KNOWN, jp)].visits.central == pytest.approx(2000 * 0.2 * 0.25)
    assert work[("manga", "JP", SHARE_UNKNOWN, jp)] == WorkVisits(Band(400, 400, 400), Band(), Band())
    # C's week-long "visit" is no measurement: untimed
    assert work[("anime", "unknown", SHARE_UNKNOWN, jp)] == WorkVisits(Band(100, 100, 100), Band(), Band())
    assert figures_from_samples(month_samples(figures)).work_visits == work


def test_damage_from_hand_computed_figures(factory: sessionmaker[Session], store: Any) -> None:
    d = damage_tables(load_coefficients(), _figures(factory).work_visits, "JP")
    manga = d.by_content_type["manga"]
    # central: known JP 498,000 s = 8,300 min; known other 100 visits x 20 min = 2,000 min;
    # unknown JP 400 visits x 1.0 x 15 min = 6,000 min; all at 30 min and 500 yen a volume
    central = (8_300 + 2_000 + 6_000) / 30 * 500
    # low: known JP (200 x 20 + 10 x 30) = 4,300 min; other 50 x 20 = 1,000; unknown 400 x 0.5 x 15 = 3,000
    low = (4_300 + 1_000 + 3_000) / 30 * 500
    assert manga.value.central == pytest.approx(central)
    assert manga.value.low == pytest.approx(low)
    assert manga.lost_sales.central == pytest.approx(central * 0.29)
    assert manga.lost_sales.low == pytest.approx(low * 0.28)
    assert manga.visits.central == pytest.approx(410 + 100 + 400)
    # anime: 100 visits x 1.0 x 24 min / 24 min an episode x 220 yen
    assert d.by_content_type["anime"].value.central == pytest.approx(100 * 220)
    assert d.by_audience["unknown"].value.central == pytest.approx(100 * 220)


def test_figures_without_work_visits_count_every_visit_at_the_fallback() -> None:
    figures = MonthFigures(
        month="2026-03", timezone="UTC", market="JP", top_sites=1, top_per_group=1, max_languages=1,
        max_countries=1, sites_estimated=1, sites_by_source={}, total=Band(10, 10, 10), by_language={},
        by_language_home={}, by_language_located={}, audience={("manga", "JP"): Band(10, 10, 10)}, sites=[], events={},
    )  # fmt: skip
    d = damage_tables(load_coefficients(), figures.damage_inputs(), "JP")
    assert d.total.value.low == pytest.approx(10 * 0.5 * 15 / 30 * 500)
    assert d.total.value.central == pytest.approx(10 * 15 / 30 * 500)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, None), (12.5, 12.5), (0, None), (-3, None), (float("nan"), None), (float("inf"), None), ("7", 7.0),
     ("x", None), (True, None), (24 * 60 + 1, None)],
)  # fmt: skip
def test_measured_minutes_refuse_what_no_visit_lasts(raw: Any, expected: float | None) -> None:
    assert measured_minutes(raw) == expected


def test_the_report_prints_the_fallback_and_the_measured_share(
    factory: sessionmaker[Session], store: Any, tmp_path: Path
) -> None:
    report = build_report(
        StoreSource(factory, RULES), ReportOptions(MONTH, top_sites=5, top_per_language=3), load_coefficients()
    )
    write_report(report, tmp_path, "the store", "JPY", dt.datetime(2026, 4, 2, tzinfo=dt.UTC))
    meta = json.loads((tmp_path / "report.json").read_text("utf-8"))
    notes = meta["notes"]["damage_by_content_type"]
    text = " ".join(notes)
    # b and c (500 of the 2,510 visits) have no content share
    assert "for sites with 500 of the month's 2.5 k visits: counted at the fallback share 1 (low 0.5, high 1" in text
    # measured: 410 + 100 of the 1,010 counted
    assert "measured by the traffic source for 510 of the 1 k visits counted" in text
    # the envelope and the simulated interval beside it, in report.json and the damage table
    total = meta["damage"]["total"]["lost_sales"]
    assert meta["damage"]["interval"]["draws"] == 10_000 and meta["damage"]["interval"]["level"] == 0.9
    assert total["envelope"][0] < total["interval"][0] < total["central"] < total["interval"][1] < total["envelope"][1]
    rows = list(csv.DictReader((tmp_path / "damage_by_content_type.csv").open(encoding="utf-8")))
    manga = next(r for r in rows if r["content_type"] == "manga")
    assert float(manga["lost_sales_low"]) <= float(manga["lost_sales_p05"]) <= float(manga["lost_sales_p95"])
    assert float(manga["lost_sales_p95"]) <= float(manga["lost_sales_high"])
    assert "90 % interval: the 5th to the 95th percentile of 10,000 draws" in " ".join(notes)
    split = list(csv.DictReader((tmp_path / "damage_by_distribution.csv").open(encoding="utf-8")))
    assert [r["distribution"] for r in split] == ["within_market"]  # all four sites are Japanese
    assert float(split[0]["value_central"]) == pytest.approx(float(rows[-1]["value_central"]))
