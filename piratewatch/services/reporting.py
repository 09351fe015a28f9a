"""The use case of the analysts: the monthly report, from the store or from Prometheus."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from piratewatch.errors import InvalidRequestError
from piratewatch.services.resources import Resources

if TYPE_CHECKING:
    from exporters.reports import WrittenReport

#: how a long step tells how far it got: (what, done, total)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ReportRequest:
    """What the report is of, and how it is written (None: the settings' value)."""

    month: str
    out: Path
    #: "db" (the store) or "prometheus" (the last scrape of each month)
    source: str = "db"
    timezone: str | None = None
    market: str | None = None
    coefficients: Path | None = None
    prometheus_url: str | None = None
    #: auto (when Chromium is found), yes (fail without one), no
    pdf: str | None = None
    #: list lengths: the market's top sites, each language's top sites, and per language
    top_sites: int | None = None
    top_per_language: int | None = None
    top_per_language_by: dict[str, int] = field(default_factory=dict)
    #: the base year of the multi-year comparison (None: the oldest with figures)
    base_year: int | None = None
    #: the edition: "en" or "ja" (None: the settings')
    lang: str | None = None


@dataclass(frozen=True)
class ReportOutcome:
    """The report written: its month and calendar, what it read, its files, and what to warn about."""

    month: str
    timezone: str
    market: str
    source: str
    written: WrittenReport
    warnings: list[str] = field(default_factory=list)


def monthly_report(self: Resources, request: ReportRequest, progress: Progress | None = None) -> ReportOutcome:
    """Build and write the month's report. :class:`InvalidRequestError` for a bad month, market or coefficients
    file; the report's own errors (``exporters.errors``) when the source or the PDF printer fails."""
    from exporters.config import PdfMode
    from exporters.errors import CoefficientError
    from exporters.figures.calendar import Month, zone
    from exporters.metrics.collector import rules_of
    from exporters.reports import (
        PrometheusSource,
        ReportOptions,
        StoreSource,
        build_report,
        load_coefficients,
        write_report,
    )
    from exporters.reports.i18n import language, t
    from exporters.reports.pdf import browser_for

    settings = self.settings
    metrics = settings.metrics.model_copy(
        update={
            "timezone": request.timezone or settings.metrics.timezone,
            "market": (request.market or settings.metrics.market).upper(),
        }
    )
    try:
        the_month = Month.parse(request.month, zone(metrics.timezone))
    except ValueError as exc:
        raise InvalidRequestError(str(exc)) from exc
    if len(metrics.market) != 2 or not metrics.market.isalpha():
        raise InvalidRequestError(f"market {metrics.market!r}: give an ISO 3166-1 alpha-2 country code such as JP")
    try:
        coefs = load_coefficients(request.coefficients or settings.reports.coefficients_path)
    except CoefficientError as exc:
        raise InvalidRequestError(str(exc)) from exc
    reports = settings.reports
    lang = request.lang or reports.language
    if lang not in ("en", "ja"):
        raise InvalidRequestError(f"language {lang!r}: the report is written in en or ja")
    pdf_mode = PdfMode(request.pdf) if request.pdf else reports.pdf
    browser = browser_for(pdf_mode, reports.browser)
    warnings = []
    if pdf_mode == PdfMode.AUTO and browser is None:
        warnings.append("no PDF: no Chromium found (install chromium for report.pdf)")
    rules = rules_of(metrics)
    source: StoreSource | PrometheusSource
    if request.source == "db":
        self.check_schema()
        source = StoreSource(self.factory, rules)
        with language(lang):  # the source as the report's header names it, in the report's language
            described = t("the store ({url})", url=redact_url(settings.effective_database_url))
    elif request.source == "prometheus":
        url = request.prometheus_url or reports.prometheus_url
        source = PrometheusSource(url, rules, selector=reports.prometheus_selector, timeout=reports.prometheus_timeout)
        with language(lang):
            described = t("Prometheus at {url} (the last scrape of each month)", url=url)
    else:
        raise InvalidRequestError(f"source {request.source!r}: the store (db) or prometheus")
    options = ReportOptions(
        the_month,
        top_sites=request.top_sites or reports.top_sites,
        top_per_language=request.top_per_language or reports.top_per_language,
        top_per_language_by={**reports.top_per_language_by, **request.top_per_language_by},
        base_year=request.base_year,
        lang=lang,
        languages_shown=reports.languages_shown,
        countries_shown=reports.countries_shown,
    )
    try:
        report = build_report(source, options, coefs, progress)
        written = write_report(
            report,
            request.out,
            described,
            coefs.currency,
            dt.datetime.now(dt.UTC),
            progress,
            pdf_browser=browser,
            pdf_required=pdf_mode == PdfMode.YES,
        )
    finally:
        if isinstance(source, PrometheusSource):
            source.close()
    return ReportOutcome(
        the_month.label, metrics.timezone, metrics.market, request.source, written, [*warnings, *written.warnings]
    )


def redact_url(url: str) -> str:
    """`url` without its credentials, to print."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
