"""``piratewatch sites``: submit one site, import a CSV file, list sites."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cases.works.kinds import ContentType
from piratewatch.cli.support import (
    JSON_HELP,
    USAGE,
    cli_actor,
    cli_principal,
    console,
    err_console,
    fail,
    print_listing,
    services,
    warn,
)

app = typer.Typer(help="Sites: add, import, list.", no_args_is_help=True, rich_markup_mode=None)

#: bad rows printed at most (the summary counts them all)
_MAX_ROW_ERRORS = 200


@app.command("add")
def add(
    domains: Annotated[list[str], typer.Argument(help="Domains or URLs of one site.")],
    association: Annotated[str, typer.Option(help="The submitting association.")],
    language: Annotated[list[str] | None, typer.Option(help="Site language (repeatable).")] = None,
    content_type: Annotated[list[ContentType] | None, typer.Option(help="Content type (repeatable).")] = None,
    evidence: Annotated[list[str] | None, typer.Option(help="An infringing URL (repeatable).")] = None,
    source_ref: Annotated[str | None, typer.Option(help="Your reference for this report.")] = None,
) -> None:
    """Submit one site. A URL given for the site (one with a path) is kept as evidence too."""
    from pydantic import ValidationError

    from cases.intake.schemas import SiteIn

    urls = list(dict.fromkeys([*(d for d in domains if _is_page_url(d)), *(evidence or [])]))
    try:
        site = SiteIn(
            domains=domains,
            languages=language or [],
            content_types=content_type or [],
            evidence=[{"url": u} for u in urls],
            source_ref=source_ref,
        )
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()), USAGE)
    with services() as svc:
        [result] = svc.submit(association, [site], cli_actor(), via="cli")
    console.print(
        f"{result.status}: submission {result.submission_id}, site {result.site_id}"
        f"{' (new)' if result.site_created else ''}, {result.evidence_added} evidence item(s) added"
    )
    for warning in result.warnings:
        warn(warning)


def _is_page_url(value: str) -> bool:
    """A URL that names a page (``https://host/title/1``), not only a host or its home page."""
    from urllib.parse import urlsplit

    if "://" not in value:
        return False
    parts = urlsplit(value.strip())
    return bool(parts.path.strip("/") or parts.query)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV file.")],
    association: Annotated[str, typer.Option(help="The submitting association.")],
    encoding: Annotated[
        str | None,
        typer.Option(
            help="The file's encoding (utf-8, cp932, ...). Default: detected (a byte order mark, "
            "else UTF-8 if the whole file is valid UTF-8, else CP932/Shift-JIS as Excel saves it)."
        ),
    ] = None,
) -> None:
    """Import sites from a CSV file. Bad rows are listed with their line numbers; good rows go in.

    Running the same file again creates nothing new; re-running an interrupted import completes it.
    Columns: domain, url, source_ref, languages, content_types, work_ref, title_<lang>,
    work_content_type, rights_holder, note, captured_at, or other names for them (language, title,
    ...; see docs/intake.md). How the file was read (its encoding, each column) is printed first.
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from cases.errors import CsvFormatError

    with (
        services() as svc,
        Progress(
            TextColumn("[bold]importing[/bold]"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err_console.real,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("import", total=file.stat().st_size)
        try:
            summary = svc.import_csv(
                file,
                association,
                cli_actor(),
                encoding=encoding,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except CsvFormatError as exc:
            fail(f"{file}: {exc}", USAGE)
        except LookupError as exc:
            fail(f"unknown encoding: {exc}", USAGE)
    if summary.encoding is not None:
        err_console.print(f"encoding: {summary.encoding.describe()}", highlight=False, soft_wrap=True)
    for mapping in summary.columns:
        err_console.print(f"  {mapping.describe()}", highlight=False, soft_wrap=True)
    for warning in summary.warnings[:50]:
        warn(warning)
    for error in summary.errors[:_MAX_ROW_ERRORS]:
        err_console.print(f"[red]line {error.line}:[/red] {error.message}", highlight=False)
    if len(summary.errors) > _MAX_ROW_ERRORS:
        err_console.print(f"... and {len(summary.errors) - _MAX_ROW_ERRORS} more bad rows")
    console.print(
        f"{summary.rows} rows: {summary.imported_rows} imported, {len(summary.errors)} refused, "
        f"{summary.duplicates} duplicate; submissions {summary.submissions_created} new, "
        f"{summary.submissions_matched} already known; {summary.sites_created} new sites; "
        f"{summary.evidence_added} evidence items added"
    )
    if summary.errors:
        raise typer.Exit(1)


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="Filter by status.")] = None,
    language: Annotated[str | None, typer.Option(help="Filter by language.")] = None,
    association: Annotated[str | None, typer.Option(help="Only sites this association submitted.")] = None,
    q: Annotated[str | None, typer.Option(help="Text in a domain name.")] = None,
    limit: Annotated[int, typer.Option(help="How many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """List sites, newest first: id, name, status, languages, content types, domains."""
    from cases.portfolio.queries import list_sites
    from cases.portfolio.schemas import SiteFilters

    with services() as svc, svc.factory() as session:
        page = list_sites(
            session,
            cli_principal(),
            SiteFilters(status=status, language=language, association=association, q=q),
            None,
            limit,
        )
    rows = [item.model_dump(mode="json") for item in page.items]
    print_listing(
        rows,
        _COLUMNS,
        as_json=as_json,
        empty="no sites match" if any((status, language, association, q)) else "no sites yet",
    )


#: the table's columns; --json prints every field of the API's site summary
_COLUMNS = {
    "id": "id",
    "name": "name",
    "status": "status",
    "languages": "languages",
    "content_types": "content types",
    "domains": "domains",
}
