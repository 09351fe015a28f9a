"""The monthly report: read thirteen months of figures, build the tables and charts, write the files.

    out/report.html        self-contained (charts embedded as data URIs, styles inline, no external asset)
    out/<table>.csv        one per table
    out/charts/<chart>.svg one per chart
    out/report.json        what was written, from which source, when

The CSV files depend only on the figures and the coefficients, so the two sources give identical
files when they hold the same figures; only ``report.html`` and ``report.json`` name the source.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gc
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from exporters.errors import MissingMonthError, PdfError, SourceError
from exporters.figures.calendar import Month
from exporters.figures.model import MonthFigures
from exporters.reports.charts import Chart, bar_chart, damage_chart, market_chart, trend_chart
from exporters.reports.coefficients import Coefficients
from exporters.reports.group_tables import content_type_table, country_table, language_table
from exporters.reports.history import History, report_months
from exporters.reports.i18n import language, t
from exporters.reports.key_figures import key_figures
from exporters.reports.money_tables import (
    coefficients_table,
    damage_summary,
    damage_table_set,
    damage_tables_of,
    simulation_of,
)
from exporters.reports.numbers import country_name, language_name
from exporters.reports.pdf import print_pdf
from exporters.reports.site_lists import language_sites_table, market_table, market_top_sites
from exporters.reports.sources import FigureSource
from exporters.reports.table import Table, code_name
from exporters.reports.trend_tables import events_table, trend_table
from exporters.reports.year_chart import years_chart
from exporters.reports.year_tables import years_table

#: called as the report goes: (what it is doing, steps done, steps in all)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ReportOptions:
    """What the report is about and how long its lists are."""

    month: Month
    #: the market's top list, and each language's (``top_per_language_by`` overrides it per language)
    top_sites: int = 10
    top_per_language: int = 5
    top_per_language_by: dict[str, int] = field(default_factory=dict)
    languages_shown: int = 10
    countries_shown: int = 15
    #: the base year of the multi-year comparison (None: the oldest year with figures)
    base_year: int | None = None
    #: the edition: ``en`` or ``ja`` (exporters/reports/i18n.py)
    lang: str = "en"
    #: "now", to tell a month still running (flagged as partial); None: the clock
    now: dt.datetime | None = None


@dataclass
class Section:
    slug: str
    title: str
    text: str = ""
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    """A report, built, not yet written."""

    history: History
    sections: list[Section]
    keys: list[dict[str, str]]
    warnings: list[str]
    #: the month had not ended when the report was built
    partial: bool = False
    #: its language (``en``, ``ja``)
    lang: str = "en"
    #: the damage's totals, envelope and simulated interval (``report.json``'s ``damage``)
    damage: dict[str, object] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        return [table for s in self.sections for table in s.tables]

    @property
    def charts(self) -> list[Chart]:
        return [chart for s in self.sections for chart in s.charts]


@dataclass(frozen=True)
class WrittenReport:
    """The files of a written report."""

    html: Path
    csv_files: list[Path]
    charts: list[Path]
    warnings: list[str]
    #: the PDF, when one was printed
    pdf: Path | None = None


_STEPS_AFTER_READING = 3  # tables, charts, files


@contextlib.contextmanager
def _no_cyclic_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees everything) for a block.

    Reading a month allocates some 150,000 small objects (estimates, bands, sums), which triggers
    the collector's full passes over everything alive, the imported libraries included: a quarter
    of the reading time, for nothing, since figures hold no reference cycles. One pass at the end.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def read_history(source: FigureSource, month: Month, progress: Progress) -> tuple[History, list[str]]:
    """The figures of the months the report reads; one warning naming the months the source lacks."""
    with _no_cyclic_collection():
        return _read_history(source, month, progress)


def _read_history(source: FigureSource, month: Month, progress: Progress) -> tuple[History, list[str]]:
    figures: dict[str, MonthFigures | None] = {}
    missing: list[str] = []
    reasons: list[str] = []
    months = report_months(month)
    total = len(months) + _STEPS_AFTER_READING
    for done, m in enumerate(reversed(months)):
        progress(f"reading {m.label} from the {source.name}", done, total)
        try:
            found = source.figures(m)
            if found.sites_estimated == 0:
                # A month before any estimate: shown as missing, not as zero visits.
                raise MissingMonthError(t("no site has a traffic estimate for {month}", month=m.label))
            figures[m.label] = found
        except MissingMonthError as exc:
            if m == month:
                raise
            figures[m.label] = None
            missing.append(m.label)
            reasons.append(str(exc))
    warnings = []
    if missing:
        # One line, not one box per month: a young store lacks most of the multi-year history.
        first = reasons[-1] if len(set(reasons)) > 1 else reasons[0]
        warnings.append(
            t(
                "{missing} of the {read} months read have no figures, shown as missing (not as zero): {months} "
                "({reason})",
                missing=len(missing),
                read=len(months),
                months=", ".join(sorted(missing)),
                reason=first,
            )
        )
    return History(month, figures), warnings


def _check_lists(figures: MonthFigures, options: ReportOptions) -> None:
    per_language = max([options.top_per_language, *options.top_per_language_by.values()])
    if options.top_sites > figures.top_sites or per_language > figures.top_per_group:
        raise SourceError(
            f"the report lists {options.top_sites} sites for the market and {per_language} per language, "
            f"but the figures keep {figures.top_sites} and {figures.top_per_group}: raise "
            "PIRATEWATCH_METRICS__TOP_SITES / __TOP_PER_GROUP or shorten the report's lists"
        )


def build_report(
    source: FigureSource, options: ReportOptions, coefficients: Coefficients, progress: Progress | None = None
) -> Report:
    """Read the figures and build every table and chart of the report, in the options' language."""
    with language(options.lang):
        return _build_report(source, options, coefficients, progress)


def _build_report(
    source: FigureSource, options: ReportOptions, coefficients: Coefficients, progress: Progress | None
) -> Report:
    progress = progress or (lambda *_: None)
    history, warnings = read_history(source, options.month, progress)
    current = history.current
    partial = is_partial(options.month, options.now)
    if partial:
        # A month still running: its visits are the estimates so far, its events the days so far.
        warnings.insert(
            0, t("{month} is not finished: a partial month, its figures are not comparable yet", month=current.month)
        )
    _check_lists(current, options)
    read = len(report_months(options.month))
    total = read + _STEPS_AFTER_READING
    progress("building the tables", read, total)
    top = market_top_sites(history, options.top_sites)
    languages = language_table(history)
    years = years_table(
        history, options.top_sites, options.top_per_language, options.top_per_language_by, base_year=options.base_year
    )
    damage = damage_tables_of(history, coefficients)  # once, for the tables, the chart, the key figures, the JSON
    simulation = simulation_of(history, coefficients)
    sections = [
        Section("trend", t("Monthly visits and their trend"), tables=[trend_table(history)]),
        Section("years", t("Over the years"), tables=[years]),
        Section(
            "market",
            t("Top sites for {market} (sites whose audience is mainly {market})", market=current.market),
            tables=[market_table(history, options.top_sites)],
        ),
        Section(
            "languages",
            t("By site language"),
            t(
                "Domestic share: the share of a language's visits from its home country (Japanese: Japan, "
                "Vietnamese: Viet Nam, ...); languages spoken in many countries have none."
            ),
            tables=[
                languages,
                language_sites_table(
                    history, options.languages_shown, options.top_per_language, options.top_per_language_by
                ),
            ],
        ),
        Section("countries", t("By audience country"), tables=[country_table(history)]),
        Section("content", t("By content type"), tables=[content_type_table(history)]),
        Section(
            "events",
            t("New, closed and hopped sites; enforcement events"),
            t("Counts per month are in the trend table above; below, the events on the sites listed in this report."),
            tables=[events_table(history, top)],
        ),
        Section("damage", t("Damage"), tables=damage_table_set(history, coefficients, damage, simulation)),
        Section("appendix", t("Appendix"), tables=[coefficients_table(coefficients)]),
    ]
    if partial:
        sections[0].tables[0].notes.append(
            t("{month} is a partial month: the month has not ended.", month=current.month)
        )
    progress("drawing the charts", read + 1, total)
    home_notes = {
        str(row[0]): t("domestic {share} %", share=f"{row[2] * 100:.0f}")
        for row in languages.rows
        if isinstance(row[2], float)
    }
    by_slug = {s.slug: s for s in sections}
    by_slug["trend"].charts.append(trend_chart(history))
    by_slug["years"].charts.append(years_chart(years))
    by_slug["market"].charts.append(market_chart(history, top))
    by_slug["languages"].charts.append(
        bar_chart(
            "by_language",
            t("Visits by site language"),
            t("Visits (not users) this month by site language, central with the band; domestic share noted."),
            current.by_language,
            options.languages_shown,
            home_notes,
            lambda code: code_name(code, language_name, options.lang),
        )
    )
    by_slug["countries"].charts.append(
        bar_chart(
            "by_country",
            t("Visits by audience country"),
            t("Visits (not users) this month by audience country, central with the band."),
            current.by_country(),
            options.countries_shown,
            {},
            lambda code: code_name(code, country_name, options.lang),
        )
    )
    by_slug["content"].charts.append(
        bar_chart(
            "by_content_type",
            t("Visits by content type"),
            t("Visits (not users) this month by content type, central with the band."),
            current.by_content_type(),
            20,
            {},
            t,  # content types are words of the catalogue
        )
    )
    by_slug["damage"].charts.append(damage_chart(damage, coefficients.currency, current.month))
    keys = key_figures(history, damage, coefficients.currency, top, options.lang)
    return Report(
        history,
        sections,
        keys,
        warnings,
        partial,
        options.lang,
        damage_summary(history, coefficients, damage, simulation),
    )


def is_partial(month: Month, now: dt.datetime | None = None) -> bool:
    """Whether `month` has not ended yet (at `now`, by default the clock)."""
    return (now or dt.datetime.now(dt.UTC)) < month.end


_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("exporters.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)


def render_html(report: Report, source_description: str, generated_at: dt.datetime, currency: str) -> str:
    """The report as one self-contained HTML page."""
    current = report.history.current
    return _TEMPLATES.get_template("report.html.j2").render(
        t=t,
        lang=report.lang,
        month=current.month,
        partial=report.partial,
        timezone=current.timezone,
        market=current.market,
        source=source_description,
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z"),
        warnings=report.warnings,
        keys=report.keys,
        sections=report.sections,
        tables_html={table.slug: table.html_rows(currency, report.lang) for table in report.tables},
        charts_b64={chart.slug: base64.b64encode(chart.svg).decode("ascii") for chart in report.charts},
    )


def write_report(
    report: Report,
    out: Path,
    source_description: str,
    currency: str,
    generated_at: dt.datetime,
    progress: Progress | None = None,
    *,
    pdf_browser: str | None = None,
    pdf_required: bool = False,
) -> WrittenReport:
    """Write the HTML, the CSV files, the charts and ``report.json`` into `out`.

    With `pdf_browser` (a Chromium), the HTML is printed to ``report.pdf`` too. If that fails, the
    report is written without it and a warning says why, unless `pdf_required`: then
    :class:`~exporters.reports.pdf.PdfError` is raised.
    """
    with language(report.lang):
        return _write_report(
            report, out, source_description, currency, generated_at, progress, pdf_browser, pdf_required
        )


def _write_report(
    report: Report,
    out: Path,
    source_description: str,
    currency: str,
    generated_at: dt.datetime,
    progress: Progress | None,
    pdf_browser: str | None,
    pdf_required: bool,
) -> WrittenReport:
    progress = progress or (lambda *_: None)
    total = len(report_months(report.history.month)) + _STEPS_AFTER_READING
    progress("writing the files", total - 1, total)
    out.mkdir(parents=True, exist_ok=True)
    (out / "charts").mkdir(exist_ok=True)
    csv_files = []
    for table in report.tables:
        path = out / f"{table.slug}.csv"
        path.write_text(table.csv(), "utf-8")
        csv_files.append(path)
    charts = []
    for chart in report.charts:
        path = out / "charts" / f"{chart.slug}.svg"
        path.write_bytes(chart.svg)
        charts.append(path)
    html = out / "report.html"
    html.write_text(render_html(report, source_description, generated_at, currency), "utf-8")
    warnings = list(report.warnings)
    pdf = None
    if pdf_browser is not None:
        try:
            pdf = print_pdf(html, out / "report.pdf", pdf_browser)
        except PdfError as exc:
            if pdf_required:
                raise
            warnings.append(f"no PDF: {exc}")
    current = report.history.current
    meta = {
        "month": current.month,
        "timezone": current.timezone,
        "market": current.market,
        "partial_month": report.partial,
        "source": source_description,
        "generated_at": generated_at.isoformat(),
        "notes": {table.slug: table.notes for table in report.tables if table.notes},
        "unit": "visits (sessions), not users",
        "language": report.lang,
        "html": html.name,
        "tables": [p.name for p in csv_files],
        "charts": [f"charts/{p.name}" for p in charts],
        "pdf": pdf.name if pdf else None,
        "warnings": warnings,
        "damage": report.damage,
    }
    (out / "report.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", "utf-8")
    progress("done", total, total)
    return WrittenReport(html, csv_files, charts, warnings, pdf)
