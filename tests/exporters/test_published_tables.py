"""The tables analysts quote, checked against values computed by hand from the data set in
``published_data.py``: the market's top sites with their total, each language's top sites with their
total and visit-weighted domestic share, year on year; unknown shares written ``unknown``, never 0 %;
the same files from the store (SQLite and PostgreSQL) and from a real Prometheus."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import itertools
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cases.db import make_engine, session_factory, utcnow
from cases.migrations import upgrade
from exporters.metrics.collector import rules_of
from exporters.reports import (
    PrometheusSource,
    ReportOptions,
    StoreSource,
    build_report,
    load_coefficients,
    write_report,
)
from exporters.reports.history import report_months
from exporters.reports.table import Column, Table
from exporters.reports.year_chart import years_chart
from tests.exporters.conftest import Prometheus
from tests.exporters.published_data import METRICS, M, build, report_month

RULES = rules_of(METRICS)


def options(month: Any, **changes: Any) -> ReportOptions:
    chosen: dict[str, Any] = {"top_sites": 5, "top_per_language": 4, "top_per_language_by": {"en": 2, "vi": 3}}
    return ReportOptions(month, **{**chosen, **changes})


def write(source: Any, out: Path, **changes: Any) -> list[str]:
    report = build_report(source, options(report_month(), **changes), load_coefficients())
    written = write_report(report, out, source.name, "JPY", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return [p.name for p in written.csv_files]


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def check_published(out: Path) -> None:
    """Every figure of the published tables, against the hand-computed value."""
    month = report_month()
    market = rows(out / "market_top_sites.csv")
    assert [r["site"] for r in market] == [
        "mangaraw.test",
        "rawkuma.test",
        "animejp.test",  # English, but its audience is mainly Japan
        "hidden-ja.test",  # audience unknown, Japanese only: for JP by language, and said so
        "smallraw.test",
        "total, top 5",
    ]
    assert [float(r[f"visits_{month.label}"]) for r in market] == [40 * M, 30 * M, 20 * M, 11 * M, 5 * M, 106 * M]
    total = market[-1]
    assert [float(total[f"visits_{b}"]) for b in ("low", "central", "high")] == [53 * M, 106 * M, 212 * M]
    # share from JP over the listed sites whose audience is known: (36 + 24 + 9 + 3.5) / (40 + 30 + 20 + 5)
    assert float(total["market_share"]) == pytest.approx(72.5 / 95, abs=1e-6)
    hidden = market[3]
    assert hidden["market_share"] == "unknown" and hidden["basis"] == "language (audience unknown)"
    assert float(market[2]["market_share"]) == pytest.approx(0.45)

    trend = {r["month"]: r for r in rows(out / "trend.csv")}
    # 527 M in the report month, half of it a year before
    assert float(trend[month.label]["visits_central"]) == 527 * M
    assert float(trend[month.shift(-12).label]["visits_central"]) == 263.5 * M
    assert float(trend[month.label]["yoy_change"]) == pytest.approx(1.0)

    languages = rows(out / "language_top_sites.csv")

    def group(language: str) -> list[dict[str, str]]:
        return [r for r in languages if r["language"] == language]

    ja, en, vi = group("ja"), group("en"), group("vi")
    assert [r["site"] for r in ja] == [
        "mangaraw.test",
        "rawkuma.test",
        "hidden-ja.test",
        "smallraw.test",
        "total, top 4",
        "all sites of the language",
    ]
    assert ja[2]["home_share"] == "unknown" and ja[2]["market_share"] == "unknown"
    assert float(ja[4]["visits_central"]) == 86 * M
    assert float(ja[4]["home_share"]) == pytest.approx((36 + 24 + 3.5) / 75, abs=1e-6)
    assert [r["site"] for r in en] == ["mangafire.test", "scans.test", "total, top 2", "all sites of the language"]
    assert float(en[2]["visits_central"]) == 180 * M and en[2]["home_share"] == ""  # English has no home country
    assert float(en[2]["market_share"]) == pytest.approx(6 / 180, abs=1e-6)
    assert float(en[3]["visits_central"]) == 208 * M
    # the 3 major Vietnamese-language sites: 213 M, and the visit-weighted share from Viet Nam
    assert [r["site"] for r in vi][:3] == ["truyenqq.test", "nettruyen.test", "blogtruyen.test"]
    assert float(vi[3]["visits_central"]) == 213 * M
    assert float(vi[3]["home_share"]) == pytest.approx((98 + 76.8 + 31.35) / 213, abs=1e-6)
    assert float(vi[4]["visits_central"]) == 233 * M  # the whole language, vi-unknown.test included
    assert float(vi[4]["home_share"]) == pytest.approx((98 + 76.8 + 31.35) / 213, abs=1e-6)
    by_language = {r["language"]: r for r in rows(out / "by_language.csv")}
    assert float(by_language["ja"]["home_share"]) == pytest.approx(63.5 / 75, abs=1e-6)
    years = {r["month"]: r for r in rows(out / "years.csv")}
    # the same month over four years: each year half the next (an eighth three years back)
    assert list(years) == [month.shift(-12 * k).label for k in (3, 2, 1, 0)]
    for k, factor in ((3, 1 / 8), (2, 1 / 4), (1, 1 / 2), (0, 1.0)):
        row = years[month.shift(-12 * k).label]
        assert float(row["all_visits"]) == pytest.approx(527 * M * factor)
        assert float(row["market_visits"]) == pytest.approx(106 * M * factor)
        assert float(row["vi_visits"]) == pytest.approx(213 * M * factor)
        assert float(row["en_visits"]) == pytest.approx(180 * M * factor)
        assert float(row["all_vs_base"]) == pytest.approx(factor * 8)
    now = years[month.label]
    assert float(now["all_vs_year_before"]) == 2.0 and float(now["market_vs_base"]) == 8.0
    assert years[month.shift(-36).label]["all_vs_year_before"] == ""  # no figures four years back
    for path in out.glob("*.csv"):  # no unknown share anywhere is written as zero
        for row in rows(path):
            if row.get("site") in ("hidden-ja.test", "vi-unknown.test", "en-unknown.test"):
                assert row.get("home_share") in (None, "", "unknown") and row.get("market_share") in (None, "unknown")


def test_the_published_tables_from_the_store(db_url: str, tmp_path: Path) -> None:
    build(db_url, report_month())
    source = StoreSource(session_factory(make_engine(db_url)), RULES)
    write(source, tmp_path)
    check_published(tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "Top 5 sites for JP" in html
    # the tables say what they leave out and why
    assert "en-unknown.test" in html and "vi-unknown.test" in html and "audience countries unknown" in html
    assert "mainly for other countries though visited from JP: mangafire.test, nettruyen.test" in html
    # audiences in countries without a price of their own are priced at the default, and the report says which
    assert "Priced at the default price" in html and "manga: CA, GB, JP" in html and "unknown" in html
    hidden_rows = re.findall(r"<tr>(?:(?!</tr>).)*hidden-ja\.test(?:(?!</tr>).)*</tr>", html)
    assert len(hidden_rows) == 2  # in the market's list and in the Japanese list
    for row in hidden_rows:
        assert '<td class="n">unknown</td>' in row and "0.0 %" not in row


def test_one_site_lists_and_partial_months_read_right(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "store.db")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    month = report_month()
    build(url, month)
    source = StoreSource(session_factory(make_engine(url)), RULES)
    report = build_report(source, options(month, top_sites=1), load_coefficients())
    market = next(t for t in report.tables if t.slug == "market_top_sites")
    assert market.title.startswith("Top site for JP") and not report.partial
    report = build_report(source, options(month, base_year=month.shift(-24).year), load_coefficients())
    years = next(t for t in report.tables if t.slug == "years")
    base = [c.name for c in years.columns].index("all_vs_base")
    assert [row[base] for row in years.rows] == [0.5, 1.0, 2.0, 4.0]
    during = month.start + dt.timedelta(days=10)
    report = build_report(source, options(month, now=during), load_coefficients())
    assert report.partial and "partial month" in report.warnings[0]
    assert any("partial month" in note for note in report.tables[0].notes)


@pytest.fixture(scope="module")
def published_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The data set on SQLite, the months a report reads backfilled into a real Prometheus."""
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        pytest.fail("prometheus and promtool are needed (apt-get install prometheus; ./run test installs them)")
    from exporters.metrics import write_history

    root = tmp_path_factory.mktemp("published")
    url = f"sqlite:///{root / 'store.db'}"
    upgrade(url)
    month = report_month()
    build(url, month)
    files = write_history(
        session_factory(make_engine(url)),
        report_months(month),
        RULES,
        root / "history",
        utcnow(),
        {"job": "piratewatch"},
    )
    prometheus = Prometheus(root / "prometheus")
    prometheus.load(files)
    with prometheus:
        yield url, prometheus.url


@pytest.mark.prometheus
@pytest.mark.slow
def test_the_published_tables_from_prometheus_match_the_store(published_prometheus: Any, tmp_path: Path) -> None:
    url, prometheus_url = published_prometheus
    names = write(StoreSource(session_factory(make_engine(url)), RULES), tmp_path / "db")
    source = PrometheusSource(prometheus_url, RULES)
    try:
        assert write(source, tmp_path / "prometheus") == names
    finally:
        source.close()
    check_published(tmp_path / "prometheus")
    for name in names:
        assert (tmp_path / "db" / name).read_text() == (tmp_path / "prometheus" / name).read_text(), name
    # the Japanese edition too: the same files from both sources
    write(StoreSource(session_factory(make_engine(url)), RULES), tmp_path / "db-ja", lang="ja")
    source = PrometheusSource(prometheus_url, RULES)
    try:
        write(source, tmp_path / "prometheus-ja", lang="ja")
    finally:
        source.close()
    for name in names:
        ja = (tmp_path / "db-ja" / name).read_text()
        assert ja == (tmp_path / "prometheus-ja" / name).read_text(), name
    assert "上位 5 の合計" in (tmp_path / "db-ja" / "market_top_sites.csv").read_text()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_years_chart_draws_the_years_table(tmp_path: Path, sqlite_template: Path, lang: str) -> None:
    """The multi-year chart is in both editions (HTML and its SVG file), one point per series and month with
    figures, each at the table's ratio to the base month; a month without figures is no point."""
    shutil.copy(sqlite_template, tmp_path / "store.db")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    month = report_month()
    build(url, month)
    source = StoreSource(session_factory(make_engine(url)), RULES)
    report = build_report(source, options(month, lang=lang, base_year=month.shift(-24).year), load_coefficients())
    write_report(report, tmp_path / "out", source.name, "JPY", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    years = next(t for t in report.tables if t.slug == "years")
    svg = (tmp_path / "out" / "charts" / "years.svg").read_text(encoding="utf-8")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="chart-years"' in page
    embedded = re.search(r'<figure id="chart-years">\s*<img src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert embedded is not None and base64.b64decode(embedded.group(1)).decode("utf-8") == svg
    points = {
        (m["series"], m["month"]): (float(m["ratio"]), float(m["y"]))
        for m in re.finditer(
            r'<circle cx="[\d.]+" cy="(?P<y>[\d.]+)" r="4" fill="#\w+" data-series="(?P<series>[\w-]+)" '
            r'data-month="(?P<month>[\d-]+)" data-ratio="(?P<ratio>[^"]+)"',
            svg,
        )
    }
    names = [c.name for c in years.columns]
    expected = {}
    for key in [n.removesuffix("_vs_base") for n in names if n.endswith("_vs_base")]:
        for row in years.rows:
            ratio = row[names.index(f"{key}_vs_base")]
            if ratio is not None:
                expected[(key, str(row[0]))] = ratio
    assert {k: v[0] for k, v in points.items()} == expected
    # each year doubles the one before, against the base two years back
    assert [expected[("all", month.shift(-12 * k).label)] for k in (3, 2, 1, 0)] == [0.5, 1.0, 2.0, 4.0]
    # drawn where the values are: a larger ratio higher up, equal ratios at the same height
    ordered = sorted(points.values())
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(ordered))
    if lang == "ja":
        assert "基準月" in svg and "全サイト" in svg


def test_a_month_without_figures_is_a_gap_in_the_years_chart() -> None:
    table = Table("years", "t", "c", [Column("month", "month"), Column("all_visits", "visits", "visits", "all sites")])
    table.columns.append(Column("all_vs_base", "× {month}", "ratio", "all sites", {"month": "2024-10"}))
    table.rows = [["2023-10", 10.0, 0.5], ["2024-10", 20.0, 1.0], ["2025-10", None, None], ["2026-10", 80.0, 4.0]]
    svg = years_chart(table).svg.decode("utf-8")
    assert re.findall(r'data-month="([\d-]+)" data-ratio="([^"]+)"', svg) == [
        ("2023-10", "0.5"),
        ("2024-10", "1.0"),
        ("2026-10", "4.0"),
    ]
    assert svg.count("<polyline") == 1  # 2023-10 to 2024-10; 2026-10 stands alone, not joined across the gap
    assert "2024-10" in svg.split("<title>")[1]  # the base month is named in the title
