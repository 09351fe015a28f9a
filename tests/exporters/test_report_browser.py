"""The report's HTML opened in a real browser (headless Chromium): every chart shows."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from exporters.config import MetricsSettings
from exporters.metrics.collector import rules_of
from exporters.reports import ReportOptions, StoreSource, build_report, load_coefficients, write_report

pytestmark = pytest.mark.browser


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("headless Chromium is needed (apt-get install chromium; ./run test installs it)")
    return found


def test_every_chart_shows_in_chromium(make_world: Any, sqlite_template: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shutil.copy(sqlite_template, tmp_path / "store.db")
    world = make_world(f"sqlite:///{tmp_path / 'store.db'}")
    rules = rules_of(MetricsSettings(timezone="Asia/Tokyo", market="JP", top_sites=8, top_per_group=3))
    report = build_report(
        StoreSource(world.factory, rules),
        ReportOptions(world.month, top_sites=5, top_per_language=3),
        load_coefficients(),
    )
    written = write_report(report, tmp_path / "out", "the store", "JPY", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(written.html.as_uri())
            page.wait_for_load_state("load")
            images = page.evaluate(
                "Array.from(document.images).map(i => ({alt: i.alt, ok: i.complete && i.naturalWidth > 0,"
                " w: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height}))"
            )
            heading = page.inner_text("h1")
            tables = page.locator("table").count()
        finally:
            browser.close()
    assert len(images) == len(written.charts) == 7  # the multi-year chart is the seventh
    for image in images:
        assert image["ok"] and image["w"] > 300 and image["h"] > 100, image
    assert {i["alt"] for i in images} >= {
        "Monthly visits and enforcement events",
        "Top sites for JP",
        "Damage by content type",
    }
    assert heading == f"Visits to pirate sites, {world.month.label}"
    assert tables == len(written.csv_files)
    assert all(u.startswith(("file:", "data:")) for u in requests), requests  # nothing from the network
