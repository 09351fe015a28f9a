"""``piratewatch report monthly``: the monthly report; ``piratewatch metrics backfill``: past months for Prometheus."""

from __future__ import annotations

import enum
import shutil
import subprocess
from pathlib import Path
from typing import Annotated

import typer

from piratewatch.cli.support import USAGE, cli_settings, console, err_console, fail, services, warn

report_app = typer.Typer(help="Reports: the monthly report.", no_args_is_help=True, rich_markup_mode=None)
metrics_app = typer.Typer(
    help="Metrics: write past months for Prometheus.", no_args_is_help=True, rich_markup_mode=None
)


class Source(enum.StrEnum):
    """Where the report reads its figures."""

    DB = "db"
    PROMETHEUS = "prometheus"


class Lang(enum.StrEnum):
    """The report's editions."""

    EN = "en"
    JA = "ja"


class Pdf(enum.StrEnum):
    """``exporters.config.PdfMode``'s values, named here so that ``--help`` loads no settings."""

    AUTO = "auto"
    YES = "yes"
    NO = "no"


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
        Pdf | None, typer.Option(help="Print report.pdf with headless Chromium: auto (when one is found), yes, no.")
    ] = None,
    top_sites: Annotated[
        int | None, typer.Option(min=1, max=100, help="Sites in the market's top list (default: the settings').")
    ] = None,
    top_per_language: Annotated[
        list[str] | None,
        typer.Option(
            help="Sites in each language's list: N for every language, LANG=N for one (repeat: --top-per-language 5 "
            "--top-per-language vi=3)."
        ),
    ] = None,
    lang: Annotated[
        Lang | None, typer.Option("--lang", help="The edition: en (English) or ja (Japanese) (default: the settings').")
    ] = None,
    base_year: Annotated[
        int | None,
        typer.Option(min=2000, max=2100, help="Base year of the multi-year comparison (default: the oldest shown)."),
    ] = None,
) -> None:
    """Write the monthly report: HTML with its charts, a CSV per table, SVG charts, a PDF (docs/reports.md)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from piratewatch.errors import InvalidRequestError
    from piratewatch.services import ReportRequest

    every, by_language = _list_lengths(top_per_language or [])
    request = ReportRequest(
        month,
        out,
        source.value,
        tz,
        market,
        coefficients,
        prometheus_url,
        pdf.value if pdf else None,
        top_sites,
        every,
        by_language,
        base_year,
        lang.value if lang else None,
    )
    with (
        services(schema=False) as svc,
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err_console.real,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("report", total=1)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        try:
            outcome = svc.monthly_report(request, progress)
        except InvalidRequestError as exc:
            fail(str(exc), USAGE)
    for warning in outcome.warnings:
        warn(warning)
    written = outcome.written
    console.print(
        f"report for {outcome.month} ({outcome.timezone}, market {outcome.market}) written to {out}: "
        f"{written.html.name}, {len(written.csv_files)} CSV tables, {len(written.charts)} charts"
        + (f", {written.pdf.name}" if written.pdf else "")
    )


def _list_lengths(values: list[str]) -> tuple[int | None, dict[str, int]]:
    """``--top-per-language`` values: one N for every language, ``lang=N`` for one."""
    every: int | None = None
    by_language: dict[str, int] = {}
    for value in values:
        language, _, count = value.rpartition("=")
        if not count.strip().isdigit() or not 1 <= int(count) <= 100 or (language == "" and "=" in value):
            fail(f"--top-per-language {value!r}: give N or LANG=N, N from 1 to 100", USAGE)
        if language:
            by_language[language.strip().lower()] = int(count)
        else:
            every = int(count)
    return every, by_language


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
    tzinfo = zone(settings.metrics.timezone)
    try:
        start, end = Month.parse(first, tzinfo), Month.parse(last, tzinfo)
    except ValueError as exc:
        fail(str(exc), USAGE)
    count = (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1
    if count < 1:
        fail(f"--from {first} comes after --to {last}", USAGE)
    promtool = shutil.which("promtool") if blocks else None
    if blocks and promtool is None:
        fail("--blocks needs promtool on the PATH (Debian: apt-get install prometheus)", USAGE)
    with services() as svc:
        try:
            files = write_history(svc.factory, end.span(count), rules_of(settings.metrics), out, utcnow(), {"job": job})
        except ValueError as exc:
            fail(str(exc), USAGE)
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
