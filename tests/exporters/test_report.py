"""The monthly report from the store (SQLite and PostgreSQL): tables, damage, files, the command line."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from exporters.config import MetricsSettings
from exporters.metrics.collector import rules_of
from exporters.reports import (
    CoefficientError,
    ReportOptions,
    SourceError,
    StoreSource,
    build_report,
    load_coefficients,
    write_report,
)
from exporters.reports.coefficients import default_path

RULES = rules_of(MetricsSettings(timezone="Asia/Tokyo", market="JP", top_sites=8, top_per_group=3))


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def write(world: Any, out: Path, **options: Any) -> Any:
    settings = {"top_sites": 5, "top_per_language": 3, **options}
    report = build_report(
        StoreSource(world.factory, RULES), ReportOptions(world.month, **settings), load_coefficients()
    )
    return write_report(report, out, "the store", "JPY", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_tables_match_the_known_totals_month_by_month(world: Any, tmp_path: Path) -> None:
    written = write(world, tmp_path)
    assert {p.name for p in written.csv_files} >= {
        "trend.csv",
        "market_top_sites.csv",
        "by_language.csv",
        "language_top_sites.csv",
        "by_country.csv",
        "by_content_type.csv",
        "site_events.csv",
        "damage_by_content_type.csv",
        "damage_by_audience.csv",
        "damage_by_content_type_audience.csv",
        "sensitivity.csv",
        "coefficients.csv",
    }
    trend = {r["month"]: r for r in rows(tmp_path / "trend.csv")}
    assert list(trend) == [m.label for m in world.month.span(13)]
    for month in world.month.span(13):
        got = [float(trend[month.label][f"visits_{b}"]) for b in ("low", "central", "high")]
        assert got == pytest.approx(world.expected(month)["total"], abs=0.01)
        for event, count in world.events.get(month.label, {}).items():
            assert int(trend[month.label][event]) == count, (month.label, event)
    now, year_ago = (world.expected(m)["total"][1] for m in (world.month, world.month.shift(-12)))
    assert float(trend[world.month.label]["yoy_change"]) == pytest.approx(now / year_ago - 1, abs=1e-6)
    for table, key, group in (
        ("by_language", "language", "lang"),
        ("by_country", "country", "country"),
        ("by_content_type", "content_type", "ct"),
    ):
        got = {
            r[key]: [float(r[f"visits_{b}"]) for b in ("low", "central", "high")]
            for r in rows(tmp_path / f"{table}.csv")
        }
        assert got.keys() == world.expected(world.month)[group].keys()
        for name, bands in world.expected(world.month)[group].items():
            assert got[name] == pytest.approx(bands, abs=0.01), (table, name)


def test_market_and_language_lists(world: Any, tmp_path: Path) -> None:
    write(world, tmp_path)
    k = world.index(world.month)
    market = rows(tmp_path / "market_top_sites.csv")
    counted = world.counted()

    def main_country(spec: Any) -> str | None:
        return max(spec.countries, key=lambda c: spec.countries[c]) if spec.countries else None

    # sites whose audience is mainly Japan (bare0.test has none and no language: left out), by all their visits
    expected = sorted((s for s in counted if main_country(s) == "JP"), key=lambda s: -s.central(k))[:5]
    assert [r["site"] for r in market] == [*(s.name for s in expected), f"total, top {len(expected)}"]
    first = market[0]
    # twelve months of visits, oldest first, ending with the report month
    months = [m.label for m in world.month.span(12)]
    series = [float(first[f"visits_{m}"]) for m in months]
    assert series[-1] == pytest.approx(expected[0].central(k), abs=0.01)
    assert series == sorted(series)  # the world grows 3 % a month
    assert float(market[-1][f"visits_{months[-1]}"]) == pytest.approx(sum(s.central(k) for s in expected), abs=0.01)
    languages = {r["language"]: r for r in rows(tmp_path / "by_language.csv")}
    assert float(languages["vi"]["home_share"]) == pytest.approx(0.97) and languages["vi"]["home_country"] == "VN"
    assert languages["en"]["home_share"] == ""  # English has no home country
    vietnamese = [r for r in rows(tmp_path / "language_top_sites.csv") if r["language"] == "vi"]
    assert [r["site"] for r in vietnamese] == [
        "truyen0.test",
        "truyen1.test",
        "truyen2.test",
        "total, top 3",
        "all sites of the language",
    ]
    vi_total = sum(s.central(k) for s in counted if s.languages == ["vi"])
    top3 = sum(s.central(k) for s in counted if s.name in {"truyen0.test", "truyen1.test", "truyen2.test"})
    assert float(vietnamese[3]["visits_central"]) == pytest.approx(top3, abs=0.01)
    assert float(vietnamese[3]["home_share"]) == pytest.approx(0.97, abs=1e-6)
    assert float(languages["vi"]["top3_share"]) == pytest.approx(top3 / vi_total, abs=1e-6)
    events = rows(tmp_path / "site_events.csv")
    assert {"month": world.month.label, "site": "raw0.test", "event": "notices_actioned", "count": "2"} in events


def test_damage_follows_the_formulas_and_the_coefficients(world: Any, tmp_path: Path) -> None:
    write(world, tmp_path)
    coefficients = yaml.safe_load(default_path().read_text())
    manga = coefficients["content_types"]["manga"]
    rates = {k: v["rate"] for k, v in coefficients["exchange_rates"].items()}
    k = world.index(world.month)
    # the world's sites have no catalogue counts: every visit is counted at the fallback content share
    fallback = [coefficients["content_share_fallback"][b] for b in ("low", "central", "high")]
    visits: dict[str, list[float]] = {}  # manga visits by audience country (low, central, high)
    for s in world.counted():
        types = s.content_types or ["other"]
        if "manga" not in types:
            continue
        shares = dict(s.countries) or {"unknown": 1.0}
        if 1 - sum(shares.values()) > 1e-9:
            shares["other"] = 1 - sum(shares.values())
        for country, share in shares.items():
            c = s.central(k) / len(types) * share
            band = visits.setdefault(country, [0.0, 0.0, 0.0])
            for j, factor in enumerate((0.6, 1.0, 1.5)):
                band[j] += c * factor * fallback[j]
    per_visit = manga["minutes_per_visit"]["value"] / manga["minutes_per_unit"]["value"]
    value = [0.0, 0.0, 0.0]
    for country, band in visits.items():
        price = manga["unit_price"].get(country, manga["unit_price"]["default"])
        yen = price["amount"] * rates[price["currency"]]
        for j in range(3):
            value[j] += band[j] * per_visit * yen
    got = {r["content_type"]: r for r in rows(tmp_path / "damage_by_content_type.csv")}
    assert [float(got["manga"][f"value_{b}"]) for b in ("low", "central", "high")] == pytest.approx(value, rel=1e-9)
    displacement = manga["displacement"]
    lost = [value[j] * displacement[b] for j, b in enumerate(("low", "central", "high"))]
    assert [float(got["manga"][f"lost_sales_{b}"]) for b in ("low", "central", "high")] == pytest.approx(lost, rel=1e-9)
    audience = {r["audience"]: r for r in rows(tmp_path / "damage_by_audience.csv")}
    assert set(audience) == {"domestic", "overseas", "unknown"}
    total = sum(float(r["value_central"]) for r in audience.values())
    assert total == pytest.approx(float(got["all"]["value_central"]), rel=1e-9)
    sensitivity = {r["parameter"]: r for r in rows(tmp_path / "sensitivity.csv")}
    assert float(sensitivity["unit prices"]["high_value"]) == pytest.approx(
        1.2 * float(got["all"]["value_central"]), rel=1e-9
    )
    assert float(sensitivity["displacement rates"]["low_lost_sales"]) < float(got["all"]["lost_sales_central"])
    appendix = rows(tmp_path / "coefficients.csv")
    assert {
        "content_type": "manga",
        "coefficient": "minutes per unit",
        "value": "30",
        "unit": "minutes per volume",
        "source": manga["minutes_per_unit"]["source"],
    } in appendix
    assert any(r["coefficient"] == "exchange rate USD" and r["value"] == str(rates["USD"]) for r in appendix)
    assert any(r["coefficient"] == "price year" and r["value"] == "2024" for r in appendix)


def test_the_html_is_self_contained_and_labels_visits(world: Any, tmp_path: Path) -> None:
    written = write(world, tmp_path)
    html = written.html.read_text()
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', html)
    assert len(charts) == len(written.charts) == 7
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from elsewhere
    assert "<link" not in html and "<script" not in html
    assert "visits (sessions), not users" in html
    for chart in written.charts:
        assert chart.read_bytes().startswith(b"<?xml") and b"<svg" in chart.read_bytes()
        if chart.stem != "damage":  # the damage chart is in money
            assert b"not users" in chart.read_bytes()


def test_bad_coefficients_are_refused_with_every_problem(tmp_path: Path) -> None:
    data = yaml.safe_load(default_path().read_text())
    del data["content_types"]["game"]
    data["content_types"]["manga"]["unit_price"]["KR"] = {"amount": 9000, "currency": "KRW", "source": "x"}
    data["content_types"]["film"]["displacement"]["low"] = 0.9
    path = tmp_path / "coefficients.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(CoefficientError) as caught:
        load_coefficients(path)
    message = str(caught.value)
    assert "low <= central <= high" in message
    path.write_text(
        yaml.safe_dump(
            {
                **data,
                "content_types": {
                    **data["content_types"],
                    "film": yaml.safe_load(default_path().read_text())["content_types"]["film"],
                },
            }
        )
    )
    with pytest.raises(CoefficientError) as caught:
        load_coefficients(path)
    assert "no coefficients for game" in str(caught.value) and "no exchange rate for KRW" in str(caught.value)
    (tmp_path / "broken.yaml").write_text("currency: [JPY\n")
    with pytest.raises(CoefficientError, match="not valid YAML"):
        load_coefficients(tmp_path / "broken.yaml")
    with pytest.raises(CoefficientError, match="cannot be read"):
        load_coefficients(tmp_path / "absent.yaml")


def test_lists_longer_than_the_exported_ones_are_refused(world: Any, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="TOP_PER_GROUP"):
        write(world, tmp_path, top_per_language=4)


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "piratewatch", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
        check=False,
    )


def test_the_command_writes_the_report(tmp_path: Path, command_world: Any) -> None:
    world, env = command_world
    done = cli("report", "monthly", world.month.label, "--out", str(tmp_path / "out"), "--tz", "Asia/Tokyo", env=env)
    assert done.returncode == 0, done.stderr
    assert f"report for {world.month.label} (Asia/Tokyo, market JP)" in done.stdout
    assert (tmp_path / "out" / "report.html").exists() and (tmp_path / "out" / "charts" / "trend.svg").exists()
    meta = (tmp_path / "out" / "report.json").read_text()
    assert '"unit": "visits (sessions), not users"' in meta

    bad = cli("report", "monthly", "2026-13", "--out", str(tmp_path / "x"), env=env)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
    zone = cli("report", "monthly", world.month.label, "--out", str(tmp_path / "x"), "--tz", "Mars/Base", env=env)
    assert zone.returncode == 2 and "unknown time zone" in zone.stderr
    down = cli(
        "report",
        "monthly",
        world.month.label,
        "--out",
        str(tmp_path / "x"),
        "--source",
        "prometheus",
        "--prometheus-url",
        "http://127.0.0.1:9",
        env=env,
    )
    assert down.returncode == 1 and "cannot be reached" in down.stderr
    assert not (tmp_path / "x").exists()  # nothing half-written

    history = cli(
        "metrics",
        "backfill",
        "--from",
        world.months[0].label,
        "--to",
        world.month.label,
        "--out",
        str(tmp_path / "om"),
        env={**env, "PIRATEWATCH_METRICS__TIMEZONE": "Asia/Tokyo"},
    )
    assert history.returncode == 0, history.stderr
    files = sorted(p.name for p in (tmp_path / "om").iterdir())
    assert files == [f"{m.label}.om" for m in world.months[:-1]]
    text = (tmp_path / "om" / f"{world.month.label}.om").read_text()
    assert text.endswith("# EOF\n") and 'job="piratewatch"' in text
