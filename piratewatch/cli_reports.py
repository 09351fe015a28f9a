"""``piratewatch`` commands of the reports area: ``report monthly`` and ``metrics backfill``."""

from __future__ import annotations

import enum
import shutil
import subprocess
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from exporters.reports.pdf import PdfMode
from piratewatch.cli_support import (
    cli_factory,
    cli_settings,
    console,
    ensure_schema,
    err_console,
    fail,
    redact_url,
)


class Source(enum.StrEnum):
    """Where the report reads its figures."""

    DB = "db"
    PROMETHEUS = "prometheus"


def register(app: typer.Typer) -> None:
    """Add this area's commands to the ``piratewatch`` app."""
    report_app = typer.Typer(help="Reports: the monthly report.", no_args_is_help=True)
    metrics_app = typer.Typer(help="Metrics: write past months for Prometheus.", no_args_is_help=True)
    app.add_typer(report_app, name="report")
    app.add_typer(metrics_app, name="metrics")

    @report_app.command("monthly")
    def monthly(
        month: Annotated[str, typer.Argument(help="The month, YYYY-MM (e.g. 2026-10).")],
        out: Annotated[Path, typer.Option(help="Directory to write the report into (created if missing).")],
        source: Annotated[Source, typer.Option(help="Read the figures from the store or from Prometheus.")] = Source.DB,
        tz: Annotated[
            str | None, typer.Option("--tz", help="Time zone of the calendar month (default: the metrics' time zone).")
        ] = None,
        market: Annotated[
            str | None, typer.Option(help="Audience country the report is for (default: the metrics' market).")
        ] = None,
        coefficients: Annotated[
            Path | None, typer.Option(help="Damage coefficients YAML (default: the shipped file).")
        ] = None,
        prometheus_url: Annotated[str | None, typer.Option(help="Prometheus to read with --source prometheus.")] = None,
        pdf: Annotated[
            PdfMode | None,
            typer.Option(help="Print report.pdf with headless Chromium: auto (when one is found), yes, no."),
        ] = None,
    ) -> None:
        """Write the monthly report: HTML with its charts, a CSV per table, SVG charts, a PDF (docs/reports.md)."""
        import datetime as dt

        from exporters.figures.calendar import Month, zone
        from exporters.metrics.collector import rules_of
        from exporters.reports import (
            CoefficientError,
            PrometheusSource,
            ReportOptions,
            SourceError,
            StoreSource,
            build_report,
            load_coefficients,
            write_report,
        )
        from exporters.reports.pdf import PdfError, browser_for

        settings = cli_settings()
        metrics = settings.metrics.model_copy(
            update={"timezone": tz or settings.metrics.timezone, "market": (market or settings.metrics.market).upper()}
        )
        try:
            the_month = Month.parse(month, zone(metrics.timezone))
        except ValueError as exc:
            fail(str(exc), 2)
        if len(metrics.market) != 2 or not metrics.market.isalpha():
            fail(f"--market {metrics.market!r}: give an ISO 3166-1 alpha-2 country code such as JP", 2)
        try:
            coefs = load_coefficients(coefficients or settings.reports.coefficients_path)
        except CoefficientError as exc:
            fail(str(exc), 2)
        rules = rules_of(metrics)
        reports = settings.reports
        pdf_mode = pdf or reports.pdf
        try:
            browser = browser_for(pdf_mode, reports.browser)
        except PdfError as exc:
            fail(f"--pdf yes: {exc}")
        figure_source: StoreSource | PrometheusSource
        if source == Source.DB:
            ensure_schema(settings)
            figure_source = StoreSource(cli_factory(settings), rules)
            described = f"the store ({redact_url(settings.effective_database_url)})"
        else:
            url = prometheus_url or reports.prometheus_url
            figure_source = PrometheusSource(
                url, rules, selector=reports.prometheus_selector, timeout=reports.prometheus_timeout
            )
            described = f"Prometheus at {url} (the last scrape of each month)"
        options = ReportOptions(
            the_month,
            top_sites=reports.top_sites,
            top_per_language=reports.top_per_language,
            languages_shown=reports.languages_shown,
            countries_shown=reports.countries_shown,
        )
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task("report", total=1)

            def progress(what: str, done: int, total: int) -> None:
                bar.update(task, description=what, completed=done, total=total)

            try:
                report = build_report(figure_source, options, coefs, progress)
                written = write_report(
                    report,
                    out,
                    described,
                    coefs.currency,
                    dt.datetime.now(dt.UTC),
                    progress,
                    pdf_browser=browser,
                    pdf_required=pdf_mode == PdfMode.YES,
                )
            except (SourceError, PdfError) as exc:
                fail(str(exc))
            finally:
                if isinstance(figure_source, PrometheusSource):
                    figure_source.close()
        for warning in written.warnings:
            err_console.print(f"[yellow]warning:[/yellow] {warning}")
        if pdf_mode == PdfMode.AUTO and browser is None:
            err_console.print("[yellow]warning:[/yellow] no PDF: no Chromium found (install chromium for report.pdf)")
        console.print(
            f"report for {the_month.label} ({metrics.timezone}, market {metrics.market}) written to {out}: "
            f"{written.html.name}, {len(written.csv_files)} CSV tables, {len(written.charts)} charts"
            + (f", {written.pdf.name}" if written.pdf else "")
        )

    @metrics_app.command("backfill")
    def backfill(
        first: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
        last: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
        out: Annotated[Path, typer.Option(help="Directory for the OpenMetrics files (one per month).")],
        job: Annotated[str, typer.Option(help="The `job` label of your scrape configuration.")] = "piratewatch",
        blocks: Annotated[
            Path | None,
            typer.Option(
                help="Also turn the files into TSDB blocks here (runs promtool; copy them into Prometheus's data)."
            ),
        ] = None,
    ) -> None:
        """Write past months' figures as Prometheus would have scraped them at each month's end.

        Load them with `promtool tsdb create-blocks-from openmetrics FILE DATA_DIR` (or --blocks) and
        run Prometheus with a retention longer than the history (e.g. --storage.tsdb.retention.time=5y).
        """
        from cases.db import utcnow
        from exporters.figures.calendar import Month, zone
        from exporters.metrics import write_history
        from exporters.metrics.collector import rules_of

        settings = cli_settings()
        ensure_schema(settings)
        tzinfo = zone(settings.metrics.timezone)
        try:
            start, end = Month.parse(first, tzinfo), Month.parse(last, tzinfo)
        except ValueError as exc:
            fail(str(exc), 2)
        count = (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1
        if count < 1:
            fail(f"--from {first} comes after --to {last}", 2)
        promtool = shutil.which("promtool") if blocks else None
        if blocks and promtool is None:
            fail("--blocks needs promtool on the PATH (Debian: apt-get install prometheus)", 2)
        try:
            files = write_history(
                cli_factory(settings), end.span(count), rules_of(settings.metrics), out, utcnow(), {"job": job}
            )
        except ValueError as exc:
            fail(str(exc), 2)
        console.print(f"{len(files)} months written to {out} ({settings.metrics.timezone})")
        if blocks and promtool:
            for path in files:
                done = subprocess.run(  # noqa: S603 - our own file names, promtool found on the PATH
                    [promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", str(path), str(blocks)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    fail(f"promtool refused {path.name}: {done.stderr.strip() or done.stdout.strip()}")
            console.print(f"TSDB blocks written to {blocks}")
