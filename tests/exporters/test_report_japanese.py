"""The Japanese edition: words from the message catalogue, Japanese numbers and names, Japanese CSV
headers, the same figures as the English edition; printed to PDF with an embedded CJK font."""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from cases.db import make_engine, session_factory
from exporters.figures.estimates import SOURCE_KINDS
from exporters.metrics.collector import rules_of
from exporters.reports import ReportOptions, StoreSource, build_report, load_coefficients, write_report
from exporters.reports.i18n import catalogue, language, t
from exporters.reports.pdf import find_browser
from tests.exporters.published_data import METRICS, SITES, build, report_month

RULES = rules_of(METRICS)


@pytest.fixture
def source(tmp_path: Path, sqlite_template: Path) -> StoreSource:
    shutil.copy(sqlite_template, tmp_path / "store.db")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    build(url, report_month())
    return StoreSource(session_factory(make_engine(url)), RULES)


def edition(source: StoreSource, out: Path, lang: str, browser: str | None = None) -> Any:
    options = ReportOptions(report_month(), top_sites=5, top_per_language=4, top_per_language_by={"vi": 3}, lang=lang)
    report = build_report(source, options, load_coefficients())
    return write_report(report, out, "the store", "JPY", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), pdf_browser=browser)


def test_the_catalogue_translates_and_fills_placeholders() -> None:
    with language("ja"):
        assert t("visits from {market}", market="JP") == "JP からのアクセス数"
        assert t("unknown") == "不明"
        assert t("a message not in the catalogue") == "a message not in the catalogue"
    assert t("unknown") == "unknown"  # English outside
    assert catalogue("ja").gettext("Damage") == "被害額"
    with pytest.raises(ValueError, match="en or ja"), language("fr"):
        pass


def test_both_editions_hold_the_same_figures(source: StoreSource, tmp_path: Path) -> None:
    english = edition(source, tmp_path / "en", "en")
    japanese = edition(source, tmp_path / "ja", "ja")
    assert [p.name for p in english.csv_files] == [p.name for p in japanese.csv_files]
    for en_path, ja_path in zip(english.csv_files, japanese.csv_files, strict=True):
        en_rows = list(csv.reader(en_path.open(encoding="utf-8")))
        ja_rows = list(csv.reader(ja_path.open(encoding="utf-8")))
        assert len(en_rows) == len(ja_rows), en_path.name
        for en_row, ja_row in zip(en_rows[1:], ja_rows[1:], strict=True):
            for a, b in zip(en_row, ja_row, strict=True):
                try:
                    assert float(a) == float(b), en_path.name
                except ValueError:
                    continue  # words (total rows, notes of basis) are translated
    header = next(csv.reader((tmp_path / "ja" / "market_top_sites.csv").open(encoding="utf-8")))
    assert "順位" in header and "アクセス数（2026-01） 中央値" not in header
    assert any("アクセス数" in h and "中央値" in h for h in header)
    market = list(csv.reader((tmp_path / "ja" / "market_top_sites.csv").open(encoding="utf-8")))
    assert market[-1][1] == "上位 5 の合計" and float(market[-1][8]) == 106_000_000  # visits, central
    html = (tmp_path / "ja" / "report.html").read_text()
    assert '<html lang="ja">' in html and "海賊版サイトへのアクセス数" in html
    assert "1.1 億" in html  # 106 M visits as Japanese reads them (key figures, two significant figures)
    assert "億円" in html and "日本語" in html and "ベトナム語" in html
    assert '<td class="n">不明</td>' in html and "0.0 %" not in html.split("hidden-ja.test")[1][:400]


@pytest.mark.browser
def test_the_japanese_pdf_embeds_a_cjk_font(source: StoreSource, tmp_path: Path) -> None:
    browser = find_browser()
    if browser is None:
        pytest.fail("no Chromium found (apt-get install chromium fonts-noto-cjk; ./run test installs them)")
    written = edition(source, tmp_path, "ja", browser)
    assert written.pdf is not None
    reader = PdfReader(written.pdf)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "海賊版サイトへのアクセス数" in text and "アクセス数" in text and "被害額" in text
    # Japanese glyphs must be in the file (Chromium embeds the Noto CJK collection as Type 3 fonts: the glyph
    # programs themselves, /CharProcs), mapped back to their characters by the font's /ToUnicode
    japanese = {f"{ord(c):04X}" for c in "海賊版サイトへのアクセス数被害額"}
    carrying: set[str] = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for name, ref in fonts.items():
            font = ref.get_object()
            programs = "/CharProcs" in font or any(
                k in (d.get_object().get("/FontDescriptor") or {}).get_object()
                for d in (font.get("/DescendantFonts") or [])
                for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            unicode_map = font.get("/ToUnicode")
            if programs and unicode_map is not None:
                mapped = unicode_map.get_object().get_data().decode("latin-1").upper()
                if any(f"<{code}>" in mapped for code in japanese):
                    carrying.add(str(name))
    assert carrying, "no embedded font carries the Japanese text"


#: words the Japanese edition keeps as they are: formats, the program's name, currency codes, "API"
_KEPT_WORDS = {"CSV", "SVG", "PDF", "API", "piratewatch", "JPY", "USD", "VND", "EUR", "UTC"}


def _english_left(text: str, data: list[str]) -> list[str]:
    """The English words of `text` once the data it quotes (site names, file names, sources) is taken out."""
    for quoted in sorted(data, key=len, reverse=True):
        text = text.replace(quoted, " ")
    text = re.sub(r"\b[\w./-]+\.(csv|svg|test|example)\b", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", text) if w not in _KEPT_WORDS]


def test_the_japanese_edition_leaves_no_heading_caption_column_or_note_in_english(
    source: StoreSource, tmp_path: Path
) -> None:
    """Every table title, caption, column heading, cell word (content types, units, audiences, distribution
    types, events), note and chart text of the Japanese edition is Japanese."""
    edition(source, tmp_path, "ja")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    coefficients = load_coefficients()
    data = [s.name for s in SITES]
    data += [s for c in coefficients.content_types.values() for s in _sources(c)]
    data += [r.source for r in coefficients.exchange_rates.values()] + [coefficients.content_share_fallback.source]
    data += ["the store"]  # the source's description, given by the caller
    data += sorted(SOURCE_KINDS)  # the kinds of traffic source are codes, as in the CSV files
    found: dict[str, list[str]] = {}
    for tag in ("h1", "h2", "h3", "th", "td", "figcaption", "p", "li", "title"):
        for match in re.finditer(rf"<{tag}\b[^>]*>(.*?)</{tag}>", page, re.S):
            text = html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))
            left = _english_left(text, data)
            if left:
                found.setdefault(tag, []).append(" ".join(left) + " ← " + text.strip()[:120])
    for chart in sorted((tmp_path / "charts").glob("*.svg")):
        for match in re.finditer(r"<text\b[^>]*>(.*?)</text>", chart.read_text(encoding="utf-8"), re.S):
            text = html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))
            left = _english_left(text, data)
            if left:
                found.setdefault(chart.name, []).append(text.strip())
    assert not found, "\n".join(f"{where}: {line}" for where, lines in found.items() for line in lines)


def _sources(content: Any) -> list[str]:
    out = [content.minutes_per_visit.source, content.minutes_per_unit.source, content.displacement.source]
    out += [p.source for p in content.unit_price.values()]
    out += [r.source for r in content.displacement.by_country.values()]
    return out


def test_a_wide_tables_heading_goes_onto_its_landscape_page(source: StoreSource, tmp_path: Path) -> None:
    """Printed, a wide table starts a landscape page (a forced break): its heading must be in the block that
    moves there, not left alone at the foot of the page before (「年ごとの比較」 was, in the Japanese PDF)."""
    edition(source, tmp_path, "ja")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert ".tblock.wide { page: wide; }" in page and ".table.wide { page: wide; }" not in page
    blocks = re.findall(r'<div class="tblock( wide)?">\s*(<h2>.*?</h2>\s*)?<h3 id="(\w+)">', page)
    wide = {slug for is_wide, _, slug in blocks if is_wide}
    assert {"trend", "years", "market_top_sites"} <= wide
    for slug in wide:  # the table itself is inside the block that carries the page name
        block = page.split(f'<h3 id="{slug}">', 1)[1].split('<div class="tblock', 1)[0]
        assert '<div class="table wide">' in block
