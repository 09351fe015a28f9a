"""``piratewatch evidence``: capture URLs now, export an evidence package, verify a package offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from piratewatch.cli.support import USAGE, cli_actor, console, fail, print_json, services, warn

app = typer.Typer(
    help="Evidence: captures of URLs (WARC, text, screenshot), timestamped; packages and their verification.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command()
def capture(
    urls: Annotated[list[str], typer.Argument(help="The URLs to capture now.")],
    site: Annotated[str | None, typer.Option(help="The site (id or domain) the URLs belong to.")] = None,
    screenshot: Annotated[bool, typer.Option(help="Take a full-page screenshot (needs Chromium).")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON.")] = False,
) -> None:
    """Capture each URL now. Exits non-zero unless every URL got a complete, timestamped capture."""
    import asyncio
    import dataclasses

    with services() as svc:
        site_id = None
        if site is not None:
            site_id = int(site) if site.isdigit() else svc.site_id_of(site)
            if site_id is None:
                fail(f"no site has the domain {site!r}", USAGE)
        outcomes = asyncio.run(svc.capture(urls, cli_actor(), site_id=site_id, screenshot=screenshot))
    if as_json:
        print_json([dataclasses.asdict(o) for o in outcomes])
    bad = 0
    for o in outcomes:
        state = {"complete": "[green]complete[/green]", "limited": "[yellow]limited[/yellow]"}.get(
            o.status, "[red]failed[/red]"
        )
        if not as_json:
            console.print(f"capture {o.capture_id} of {o.url}: {state}{': ' + o.limit if o.limit else ''}")
            console.print(
                f"  manifest {o.manifest_sha256}, timestamped {o.timestamped_at or 'no: ' + str(o.timestamp_problem)}"
            )
            for problem in o.problems:
                console.print(f"  [yellow]problem[/yellow] {problem}")
            if o.screenshot_problem:
                console.print(f"  no screenshot: {o.screenshot_problem}")
        bad += o.status != "complete" or o.timestamped_at is None
    if bad:
        raise typer.Exit(1)


@app.command()
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the package (.zip).")],
    notice: Annotated[int | None, typer.Option(help="Every item of this notice (its newest capture).")] = None,
    site: Annotated[str | None, typer.Option(help="Every capture of this site (id or domain).")] = None,
    case: Annotated[int | None, typer.Option(help="Every item of every notice of this takedown case.")] = None,
) -> None:
    """Write an evidence package (zip) of a notice, a case or a site. Exits non-zero if anything could not be packed."""
    import asyncio

    with services() as svc:
        site_id = None
        if site is not None:
            site_id = int(site) if site.isdigit() else svc.site_id_of(site)
            if site_id is None:
                fail(f"no site has the domain {site!r}", USAGE)
        outcome = asyncio.run(svc.export_evidence(cli_actor(), notice_id=notice, site_id=site_id, case_id=case))
    output.write_bytes(outcome.data)
    console.print(
        f"wrote {output}: {len(outcome.captures)} captures, {len(outcome.data)} bytes, sha256 {outcome.sha256}"
    )
    for problem in outcome.problems:
        warn(problem)
    if outcome.problems:
        raise typer.Exit(1)


@app.command()
def verify(
    package: Annotated[Path, typer.Argument(help="An evidence package (.zip) made by `evidence export`.")],
    trust: Annotated[
        list[Path] | None,
        typer.Option(help="PEM file of a TSA root to trust instead of the package's own certificates (repeatable)."),
    ] = None,
) -> None:
    """Check every hash, token and WARC file of a package, offline. Exits non-zero and names each failure."""
    from cases.evidence.timestamps import TimestampError, read_certificates
    from cases.evidence.verify import verify_package

    try:
        data = package.read_bytes()
        roots = read_certificates(trust or [])
    except (OSError, TimestampError) as exc:
        fail(str(exc), USAGE)
    report = verify_package(data, roots)
    _record(data, report)
    for line in report.checked:
        console.print(f"[green]ok[/green] {line}", highlight=False)
    for line in report.failures:
        console.print(f"[red]FAILED[/red] {line}", highlight=False)
    if not report.ok:
        console.print(f"{package}: does NOT verify ({len(report.failures)} failures)")
        raise typer.Exit(1)
    console.print(f"{package}: verifies ({report.captures} captures, {len(report.checked)} checks)")


def _record(data: bytes, report: object) -> None:
    """Record the verification where a store is at hand; a machine without one verifies all the same."""
    import sqlalchemy as sa

    from cases.evidence.verify import Verification
    from piratewatch.cli.support import cli_settings
    from piratewatch.errors import SchemaBehindError
    from piratewatch.services import Services

    assert isinstance(report, Verification)
    svc = Services.from_settings(cli_settings())
    try:
        svc.check_schema()
        svc.record_verification(data, report, cli_actor())
    except (SchemaBehindError, sa.exc.SQLAlchemyError) as exc:
        warn(f"the verification is not recorded in an audit trail (no store here: {str(exc).splitlines()[0]})")
    finally:
        svc.close()


@app.command()
def prune(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be pruned; delete nothing.")] = False,
) -> None:
    """Prune captures past the retention period (PIRATEWATCH_EVIDENCE__RETENTION_DAYS); never one an open case needs."""
    with services() as svc:
        report = svc.prune_evidence(cli_actor(), dry_run=dry_run)
    verb = "would prune" if dry_run else "pruned"
    console.print(
        f"{verb} {len(report.pruned)} captures ({report.objects_removed} objects removed); "
        f"kept {len(report.kept)} old captures an open case needs"
    )
