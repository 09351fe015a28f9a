"""The report printed to PDF by headless Chromium, and what happens when no browser can print it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from exporters.config import MetricsSettings
from exporters.errors import PdfError
from exporters.metrics.collector import rules_of
from exporters.reports import ReportOptions, StoreSource, build_report, load_coefficients, write_report
from exporters.reports.pdf import find_browser

RULES = rules_of(MetricsSettings(timezone="Asia/Tokyo", market="JP", top_sites=8, top_per_group=3))
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def report(make_world: Any, sqlite_template: Path, tmp_path: Path) -> Any:
    shutil.copy(sqlite_template, tmp_path / "store.db")
    world = make_world(f"sqlite:///{tmp_path / 'store.db'}")
    built = build_report(
        StoreSource(world.factory, RULES),
        ReportOptions(world.month, top_sites=5, top_per_language=3),
        load_coefficients(),
    )
    return built, world


@pytest.mark.browser
def test_the_report_prints_to_pdf_with_its_text_and_charts(report: Any, tmp_path: Path) -> None:
    built, world = report
    browser = find_browser()
    if browser is None:
        pytest.fail("headless Chromium is needed (apt-get install chromium; ./run test installs it)")
    written = write_report(built, tmp_path / "out", "the store", "JPY", WHEN, pdf_browser=browser, pdf_required=True)
    assert written.pdf == tmp_path / "out" / "report.pdf"
    pages = PdfReader(written.pdf).pages
    assert len(pages) >= 3  # the tables and charts of a month do not fit on a page or two
    text = " ".join(" ".join(page.extract_text() for page in pages).split())  # lines joined as the page wraps them
    assert f"Visits to pirate sites, {world.month.label}" in text
    assert "visits (sessions), not users" in text
    biggest = max(world.counted(), key=lambda site: site.base).name
    assert biggest in text  # a table's rows, as text
    assert "never added" in text  # the method, at the very end, made it too
    assert not list((tmp_path / "out").glob("*.partial"))
    meta = (tmp_path / "out" / "report.json").read_text()
    assert '"pdf": "report.pdf"' in meta


def test_a_browser_that_cannot_print_is_a_warning_or_an_error(report: Any, tmp_path: Path) -> None:
    built, _ = report
    failing = shutil.which("false")
    assert failing is not None
    written = write_report(built, tmp_path / "auto", "the store", "JPY", WHEN, pdf_browser=failing)
    assert written.pdf is None and written.html.exists()  # the rest of the report is written
    assert any("no PDF" in w and "exit 1" in w for w in written.warnings)
    assert not list((tmp_path / "auto").glob("report.pdf*"))
    with pytest.raises(PdfError, match=r"did not print report\.html"):
        write_report(built, tmp_path / "required", "the store", "JPY", WHEN, pdf_browser=failing, pdf_required=True)


def test_the_command_refuses_pdf_yes_without_a_browser(tmp_path: Path, command_world: Any) -> None:
    world, env = command_world
    env = {**os.environ, **env, "PIRATEWATCH_REPORTS__BROWSER": "no-such-browser"}
    args = [sys.executable, "-m", "piratewatch", "report", "monthly", world.month.label, "--tz", "Asia/Tokyo"]
    refused = subprocess.run(
        [*args, "--out", str(tmp_path / "yes"), "--pdf", "yes"], env=env, capture_output=True, text=True, timeout=300
    )
    assert refused.returncode == 1, refused.stderr
    assert "no-such-browser" in refused.stderr and "PIRATEWATCH_REPORTS__BROWSER" in refused.stderr
    assert not (tmp_path / "yes").exists()  # refused before anything was written
    auto = subprocess.run(
        [*args, "--out", str(tmp_path / "auto")], env=env, capture_output=True, text=True, timeout=300
    )
    assert auto.returncode == 0, auto.stderr
    assert "no PDF" in auto.stderr and (tmp_path / "auto" / "report.html").exists()
    assert not (tmp_path / "auto" / "report.pdf").exists()
