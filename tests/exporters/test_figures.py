"""A month's figures from the store (SQLite and PostgreSQL): the rules of docs/reports.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cases.audit.services import Actor
from cases.db import transaction
from cases.sites.models import Site, SiteContentType, SiteLanguage
from cases.traffic.schemas import CountryShare, EstimateIn
from cases.traffic.services import record_estimate
from exporters.figures.calendar import Month, zone
from exporters.figures.estimates import audience_shares
from exporters.figures.model import MONTH_EVENTS, MonthFigures
from exporters.figures.series import figures_from_samples, month_samples
from exporters.figures.store import FigureRules, month_figures

RULES = FigureRules(top_sites=8, top_per_group=3, market="JP")


def figures_of(world: Any, month: Month, rules: FigureRules = RULES) -> MonthFigures:
    with world.factory() as session:
        return month_figures(session, month, rules)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def test_totals_by_language_country_and_content_type_match_the_known_totals(world: Any) -> None:
    for month in (world.month, world.month.shift(-12)):
        figures = figures_of(world, month)
        expected = world.expected(month)
        assert [figures.total.low, figures.total.central, figures.total.high] == pytest.approx(expected["total"])
        for name, got in (
            ("lang", figures.by_language),
            ("ct", figures.by_content_type()),
            ("country", figures.by_country()),
        ):
            assert set(got) == set(expected[name]), name
            for key, band in got.items():
                assert [band.low, band.central, band.high] == pytest.approx(expected[name][key]), (name, key)
        # the merged site is left out, the superseded computation too
        assert figures.sites_estimated == len(world.counted())
        assert "merged0.test" not in {s.name for s in figures.sites}
        raw0 = next(s for s in figures.sites if s.name == "raw0.test")
        assert raw0.visits.central == next(s for s in world.sites if s.name == "raw0.test").central(world.index(month))


def test_tables_add_up_to_the_total_and_bare_sites_are_und_other_unknown(world: Any) -> None:
    figures = figures_of(world, world.month)
    total = figures.total.central
    assert close(sum(b.central for b in figures.by_language.values()), total)
    assert close(sum(b.central for b in figures.by_country().values()), total)
    assert close(sum(b.central for b in figures.by_content_type().values()), total)
    bare = next(s for s in world.sites if s.name == "bare0.test").central(world.index(world.month))
    assert figures.by_language["und"].central == bare
    assert figures.by_country()["unknown"].central == bare
    # the bilingual site counts half in Japanese: Japanese home share = (raw sites * 0.85 + both0 / 2 * 0.5) / ja
    ja = figures.by_language["ja"].central
    expected_home = sum(
        s.central(world.index(world.month)) * s.countries.get("JP", 0) / len(s.languages)
        for s in world.counted()
        if "ja" in s.languages
    )
    assert close(figures.by_language_home["ja"].central, expected_home)
    assert 0.7 < expected_home / ja < 0.9
    assert figures.by_language_home["vi"].central / figures.by_language["vi"].central == pytest.approx(0.97)


def test_exported_sites_are_the_top_sites_overall_for_the_market_and_per_group(world: Any) -> None:
    figures = figures_of(world, world.month)
    names = [s.name for s in figures.sites]
    k = world.index(world.month)
    counted = world.counted()
    by_visits = sorted(counted, key=lambda s: -s.central(k))
    by_market = sorted(counted, key=lambda s: -s.central(k) * s.countries.get("JP", 0))
    assert {s.name for s in by_visits[:8]} <= set(names)
    assert {s.name for s in by_market[:8]} <= set(names)
    for language in ("ja", "en", "vi", "ko"):
        members = sorted((s for s in counted if language in s.languages), key=lambda s: -s.central(k))
        assert {s.name for s in members[:3]} <= set(names)
    # bounded: 8 + 8 + 3 per language (5) + 3 per content type (5), whatever the number of sites
    assert len(names) <= 8 + 8 + 3 * 5 + 3 * 5 and len(names) < len(counted)
    assert names == [s.name for s in sorted(figures.sites, key=lambda s: (-s.visits.central, s.site_id))]


def test_events_are_counted_in_the_calendar_month_of_the_time_zone(world: Any) -> None:
    for months_back in (0, 1, 2):
        month = world.month.shift(-months_back)
        got = figures_of(world, month).events
        assert set(got) == set(MONTH_EVENTS)
        wanted = world.events.get(month.label, {})
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in wanted.items() if v}, month.label
    # in UTC the boundary notice (half an hour into the month in Tokyo) belongs to the month before
    utc = Month(world.month.year, world.month.month, zone("UTC"))
    assert figures_of(world, utc).events["notices_sent"] == world.events[world.month.label]["notices_sent"] - 1
    raw0 = next(s for s in figures_of(world, world.month).sites if s.name == "raw0.test")
    assert raw0.events == {"notices_actioned": 2, "notices_sent": 3}


def test_samples_round_trip_to_the_same_figures(world: Any) -> None:
    figures = figures_of(world, world.month)
    assert figures_from_samples(month_samples(figures)) == figures


def test_languages_and_countries_beyond_the_caps_are_other(db_url: str, world: Any) -> None:
    with transaction(world.factory) as session:
        for i in range(6):
            site = Site(name=f"rare{i}.test")
            session.add(site)
            session.flush()
            session.add(SiteLanguage(site_id=site.id or 0, language=f"x{i}"))
            session.add(SiteContentType(site_id=site.id or 0, content_type="manga"))
            record_estimate(
                session,
                Actor("t"),
                site.id or 0,
                EstimateIn(
                    month=world.month.label,
                    visits_low=1,
                    visits_central=2,
                    visits_high=3,
                    countries=[CountryShare(country=f"Q{i}", share=1.0)],
                    sources=["rank:tranco"],
                ),
            )
    rules = FigureRules(top_sites=8, top_per_group=3, max_languages=5, max_countries=4, market="JP")
    figures = figures_of(world, world.month, rules)
    assert len([k for k in figures.by_language if k != "other"]) == 5
    countries = {c for _, c in figures.audience}
    assert "JP" in countries and "unknown" in countries and "other" in countries
    assert len(countries - {"other", "unknown", "JP"}) <= 4
    assert not any(s.name.startswith("rare") for s in figures.sites)  # no per-site series for capped languages
    unchanged = figures_of(world, world.month)
    assert figures.total == unchanged.total  # capping moves visits to `other`, it loses none


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], {"unknown": 1.0}),
        ([{"country": "jp", "share": 0.5}, {"country": "US", "share": 0.25}], {"JP": 0.5, "US": 0.25, "other": 0.25}),
        ([{"country": "JP", "share": 0.6}, {"country": "other", "share": 0.4}], {"JP": 0.6, "other": 0.4}),
        ([{"country": "JP", "share": 1.5}, {"country": "US", "share": 0.5}], {"JP": 0.75, "US": 0.25}),
        ([{"country": "Japan", "share": 0.5}, {"country": "JP", "share": "bad"}], {"other": 1.0}),
    ],
)
def test_country_shares_are_cleaned(raw: list[dict[str, Any]], expected: dict[str, float]) -> None:
    assert audience_shares(raw) == pytest.approx(expected)


def test_months_in_a_time_zone() -> None:
    tokyo = zone("Asia/Tokyo")
    month = Month.parse("2026-01", tokyo)
    assert month.start.astimezone(dt.UTC) == dt.datetime(2025, 12, 31, 15, tzinfo=dt.UTC)
    assert month.shift(-1).label == "2025-12" and month.shift(11).label == "2026-12"
    assert [m.label for m in month.span(3)] == ["2025-11", "2025-12", "2026-01"]
    assert Month.containing(dt.datetime(2026, 1, 31, 16, tzinfo=dt.UTC), tokyo).label == "2026-02"
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse("2026-13", tokyo)
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Mars/Olympus")
