"""Two sources, one answer: the report from a real Prometheus (history backfilled with promtool, the
current month scraped live) gives the same tables as the report from the store."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from exporters.config import MetricsSettings
from exporters.figures.calendar import Month, zone
from exporters.figures.store import FigureRules
from exporters.metrics.collector import rules_of
from exporters.reports import (
    MissingMonthError,
    PrometheusSource,
    ReportOptions,
    SourceError,
    StoreSource,
    build_report,
    load_coefficients,
    write_report,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]


def rules() -> FigureRules:
    """The rules of the world's exporter (the metrics settings in conftest)."""
    return rules_of(MetricsSettings(timezone="Asia/Tokyo", market="JP", top_sites=8, top_per_group=3))


def write(source: Any, month: Month, out: Path) -> list[str]:
    options = ReportOptions(month, top_sites=5, top_per_language=3, languages_shown=4, countries_shown=8)
    report = build_report(source, options, load_coefficients())
    written = write_report(report, out, source.name, "JPY", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return [p.name for p in written.csv_files]


def same_tables(a: Path, b: Path, names: list[str]) -> None:
    for name in names:
        assert (a / name).read_text() == (b / name).read_text(), name


def test_backfilled_months_give_the_same_tables_from_both_sources(loaded_prometheus: Any, tmp_path: Path) -> None:
    world = loaded_prometheus.world
    prometheus = PrometheusSource(loaded_prometheus.prometheus.url, rules())
    store = StoreSource(world.factory, rules())
    for month in world.months[1:-1]:
        assert prometheus.figures(month) == store.figures(month), month.label
    names = write(store, world.month, tmp_path / "db")
    assert write(prometheus, world.month, tmp_path / "prometheus") == names
    same_tables(tmp_path / "db", tmp_path / "prometheus", names)
    assert len(names) >= 12


def test_the_report_matches_the_known_totals(loaded_prometheus: Any, tmp_path: Path) -> None:
    """The held-out style check: every month's totals, by language, country and content type, from Prometheus."""
    world = loaded_prometheus.world
    source = PrometheusSource(loaded_prometheus.prometheus.url, rules())
    write(source, world.month, tmp_path)
    trend = {row["month"]: row for row in csv.DictReader((tmp_path / "trend.csv").open())}
    for month in world.month.span(13):
        expected = world.expected(month)["total"]
        got = [float(trend[month.label][f"visits_{b}"]) for b in ("low", "central", "high")]
        assert got == pytest.approx(expected, abs=0.01), month.label
    expected = world.expected(world.month)
    for table, key, group in (
        ("by_language", "language", "lang"),
        ("by_country", "country", "country"),
        ("by_content_type", "content_type", "ct"),
    ):
        rows = {r[key]: r for r in csv.DictReader((tmp_path / f"{table}.csv").open())}
        assert set(rows) == set(expected[group]), table
        for name, bands in expected[group].items():
            got = [float(rows[name][f"visits_{b}"]) for b in ("low", "central", "high")]
            assert got == pytest.approx(bands, abs=0.01), (table, name)
    events = trend[world.month.label]
    assert int(events["notices_sent"]) == 4 and int(events["notices_actioned"]) == 3 and int(events["sites_new"]) == 2


def test_the_current_month_scraped_live_gives_the_same_tables(loaded_prometheus: Any, tmp_path: Path) -> None:
    world = loaded_prometheus.world
    loaded_prometheus.prometheus.wait_for_scrapes()
    names = write(StoreSource(world.factory, rules()), world.current, tmp_path / "db")
    write(PrometheusSource(loaded_prometheus.prometheus.url, rules()), world.current, tmp_path / "prometheus")
    same_tables(tmp_path / "db", tmp_path / "prometheus", names)


def test_a_month_prometheus_never_saw_is_named(loaded_prometheus: Any, tmp_path: Path) -> None:
    world = loaded_prometheus.world
    source = PrometheusSource(loaded_prometheus.prometheus.url, rules())
    with pytest.raises(MissingMonthError, match="backfill"):
        source.figures(world.months[0].shift(-3))
    # a report whose history reaches before the backfill warns and leaves those months empty
    options = ReportOptions(world.months[11], top_sites=5, top_per_language=3)
    report = build_report(source, options, load_coefficients())
    assert len(report.warnings) == 1 and world.months[0].shift(-1).label in report.warnings[0]


def test_other_settings_or_an_unreachable_prometheus_are_refused(loaded_prometheus: Any) -> None:
    world = loaded_prometheus.world
    utc = Month(world.month.year, world.month.month, zone("UTC"))
    with pytest.raises(SourceError, match="timezone=Asia/Tokyo"):
        PrometheusSource(loaded_prometheus.prometheus.url, rules()).figures(utc)
    other_market = FigureRules(top_sites=8, top_per_group=3, market="VN")
    with pytest.raises(SourceError, match="market=JP"):
        PrometheusSource(loaded_prometheus.prometheus.url, other_market).figures(world.month)
    with pytest.raises(SourceError, match="cannot be reached"):
        PrometheusSource("http://127.0.0.1:9", rules(), timeout=2).figures(world.month)
