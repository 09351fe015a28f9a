"""The ``piratewatch`` command line: the composition root for everything run from a shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cases.catalogue.models import ContentType
from cases.db import make_engine, transaction
from cases.errors import CasesError
from cases.intake.csv_import import CsvFormatError, import_csv
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.migrations import current_revision, head_revision, upgrade
from cases.sites.queries import list_sites
from cases.sites.schemas import SiteFilters
from cases.tenants.models import Role
from cases.tenants.services import create_api_key, create_association, get_association, revoke_api_key
from piratewatch import cli_crawl, cli_queue, cli_reports, cli_takedown
from piratewatch.cli_support import (
    CLI_PRINCIPAL,
    cli_actor,
    cli_factory,
    cli_settings,
    console,
    ensure_schema,
    err_console,
    fail,
)

app = typer.Typer(help="Monitor pirate sites and coordinate their takedown.", no_args_is_help=True)
db_app = typer.Typer(help="The store: migrations.", no_args_is_help=True)
associations_app = typer.Typer(help="Associations (tenants).", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
sites_app = typer.Typer(help="Sites: add, import, list.", no_args_is_help=True)
providers_app = typer.Typer(help="Providers: the CDN catalogue and the provider directory.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(associations_app, name="associations")
app.add_typer(keys_app, name="keys")
app.add_typer(sites_app, name="sites")
app.add_typer(providers_app, name="providers")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the store to the newest schema (safe to run every start)."""
    settings = cli_settings()
    upgrade(settings.effective_database_url)
    console.print(f"store at revision {head_revision()} ({_redact(settings.effective_database_url)})")


@db_app.command("current")
def db_current() -> None:
    """Print the store's schema revision."""
    settings = cli_settings()
    engine = make_engine(settings.effective_database_url)
    console.print(f"current: {current_revision(engine) or 'none'}  head: {head_revision()}")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@associations_app.command("add")
def associations_add(name: Annotated[str, typer.Argument(help="The association's name.")]) -> None:
    """Create an association."""
    settings = cli_settings()
    ensure_schema(settings)
    try:
        with transaction(cli_factory(settings)) as session:
            association = create_association(session, name, cli_actor())
    except CasesError as exc:
        fail(str(exc))
    console.print(f"association {association.name!r} created (id {association.id})")


@associations_app.command("list")
def associations_list() -> None:
    """List associations."""
    from sqlmodel import select

    from cases.tenants.models import Association

    settings = cli_settings()
    ensure_schema(settings)
    with transaction(cli_factory(settings)) as session:
        for a in session.exec(select(Association).order_by(Association.id)):  # type: ignore[arg-type]
            console.print(f"{a.id}\t{a.name}")


@keys_app.command("create")
def keys_create(
    association: Annotated[str, typer.Option(help="The association the key acts for.")],
    role: Annotated[Role, typer.Option(help="submitter, operator or admin.")] = Role.SUBMITTER,
    label: Annotated[str, typer.Option(help="A note to recognise the key by.")] = "",
) -> None:
    """Create an API key and print it once: it is stored hashed and cannot be shown again."""
    settings = cli_settings()
    ensure_schema(settings)
    try:
        with transaction(cli_factory(settings)) as session:
            assoc = get_association(session, association)
            key, secret = create_api_key(session, assoc, role, cli_actor(assoc.id), label)
    except CasesError as exc:
        fail(str(exc))
    err_console.print(f"key {key.id} ({role.value} for {association!r}); store it now, it will not be shown again:")
    print(secret)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="The key's id.")]) -> None:
    """Revoke an API key."""
    settings = cli_settings()
    ensure_schema(settings)
    try:
        with transaction(cli_factory(settings)) as session:
            revoke_api_key(session, key_id, cli_actor())
    except CasesError as exc:
        fail(str(exc))
    console.print(f"key {key_id} revoked")


@sites_app.command("add")
def sites_add(
    domains: Annotated[list[str], typer.Argument(help="Domains or URLs of one site.")],
    association: Annotated[str, typer.Option(help="The submitting association.")],
    language: Annotated[list[str] | None, typer.Option(help="Site language (repeatable).")] = None,
    content_type: Annotated[list[ContentType] | None, typer.Option(help="Content type (repeatable).")] = None,
    evidence: Annotated[list[str] | None, typer.Option(help="An infringing URL (repeatable).")] = None,
    source_ref: Annotated[str | None, typer.Option(help="Your reference for this report.")] = None,
) -> None:
    """Submit one site."""
    from pydantic import ValidationError

    settings = cli_settings()
    ensure_schema(settings)
    try:
        site = SiteIn(
            domains=domains,
            languages=language or [],
            content_types=content_type or [],
            evidence=[{"url": u} for u in evidence or []],
            source_ref=source_ref,
        )
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()), 2)
    try:
        with transaction(cli_factory(settings)) as session:
            assoc = get_association(session, association)
            results, _ = submit_sites(session, cli_actor(assoc.id), assoc.id or 0, [site], via="cli")
    except CasesError as exc:
        fail(str(exc))
    result = results[0]
    assert result is not None
    console.print(
        f"{result.status}: submission {result.submission_id}, site {result.site_id}"
        f"{' (new)' if result.site_created else ''}, {result.evidence_added} evidence item(s) added"
    )
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {warning}")


@sites_app.command("import")
def sites_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV file.")],
    association: Annotated[str, typer.Option(help="The submitting association.")],
    encoding: Annotated[str | None, typer.Option(help="The file's encoding if not UTF-8 (e.g. cp932).")] = None,
) -> None:
    """Import sites from a CSV file. Bad rows are listed with their line numbers; good rows go in.

    Running the same file again creates nothing new; re-running an interrupted import completes it.
    Columns: domain, url, source_ref, languages, content_types, work_ref, title_<lang>,
    work_content_type, rights_holder, note, captured_at (see docs/intake.md).
    """
    settings = cli_settings()
    ensure_schema(settings)
    factory = cli_factory(settings)
    try:
        with transaction(factory) as session:
            assoc = get_association(session, association)
    except CasesError as exc:
        fail(str(exc))
    with Progress(
        TextColumn("[bold]importing[/bold]"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("import", total=file.stat().st_size)
        try:
            summary = import_csv(
                file,
                factory,
                cli_actor(assoc.id),
                assoc.id or 0,
                encoding=encoding,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except CsvFormatError as exc:
            fail(f"{file}: {exc}", 2)
        except LookupError as exc:
            fail(f"unknown encoding: {exc}", 2)
    for warning in summary.warnings[:50]:
        err_console.print(f"[yellow]warning:[/yellow] {warning}")
    for error in summary.errors[:200]:
        err_console.print(f"[red]line {error.line}:[/red] {error.message}")
    if len(summary.errors) > 200:
        err_console.print(f"... and {len(summary.errors) - 200} more bad rows")
    console.print(
        f"{summary.rows} rows: {summary.imported_rows} imported, {len(summary.errors)} refused, "
        f"{summary.duplicates} duplicate; submissions {summary.submissions_created} new, "
        f"{summary.submissions_matched} already known; {summary.sites_created} new sites; "
        f"{summary.evidence_added} evidence items added"
    )
    if summary.errors:
        raise typer.Exit(1)


@sites_app.command("list")
def sites_list(
    status: Annotated[str | None, typer.Option(help="Filter by status.")] = None,
    language: Annotated[str | None, typer.Option(help="Filter by language.")] = None,
    association: Annotated[str | None, typer.Option(help="Only sites this association submitted.")] = None,
    q: Annotated[str | None, typer.Option(help="Text in a domain name.")] = None,
    limit: Annotated[int, typer.Option(help="How many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """List sites, newest first."""
    settings = cli_settings()
    ensure_schema(settings)
    with transaction(cli_factory(settings)) as session:
        page = list_sites(
            session,
            CLI_PRINCIPAL,
            SiteFilters(status=status, language=language, association=association, q=q),
            None,
            limit,
        )
    if as_json:
        for item in page.items:
            print(json.dumps(item.model_dump(mode="json"), ensure_ascii=False))
        return
    table = Table("id", "name", "status", "languages", "content types", "domains")
    for s in page.items:
        table.add_row(
            str(s.id), s.name, s.status, ",".join(s.languages), ",".join(s.content_types), " ".join(s.domains)
        )
    console.print(table)


@app.command()
def resolve(
    domains: Annotated[list[str], typer.Argument(help="Host names or URLs to resolve.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print each profile as JSON.")] = False,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Record snapshots of known sites.")] = True,
) -> None:
    """Resolve where sites live: DNS, hosting, CDN, registrar and abuse contacts."""
    import asyncio

    from crawlers.resolution import resolve_and_record
    from resolver import Resolver
    from resolver.errors import InvalidDomainError

    settings = cli_settings()
    if store:
        ensure_schema(settings)

    async def run() -> list:  # type: ignore[type-arg]
        async with Resolver(settings.resolver_settings()) as resolver:
            return await resolve_and_record(cli_factory(settings), resolver, domains, cli_actor(), store=store)

    try:
        outcomes = asyncio.run(run())
    except InvalidDomainError as exc:
        fail(str(exc), 2)
    for outcome in outcomes:
        profile = outcome.profile
        if as_json:
            print(profile.model_dump_json())
            continue
        console.print(f"[bold]{profile.domain}[/bold] (registrable: {profile.registrable_domain})")
        console.print(f"  addresses: {', '.join(profile.dns.addresses) or '-'}")
        for h in profile.hosting:
            asns = " ".join(f"AS{a}" for a in h.asns) or "?"
            console.print(f"  host {h.ip}: {asns} {h.as_name or ''} | {h.organisation or '?'} | {h.country or '?'}")
        if profile.cdn:
            console.print(
                f"  CDN: {profile.cdn.provider} ({profile.cdn.confidence:.2f}; {', '.join(profile.cdn.signals)})"
            )
        if profile.registration:
            r = profile.registration
            console.print(f"  registrar: {r.registrar or '?'} (IANA {r.registrar_iana_id or '?'}, via {r.source})")
        for c in profile.abuse_contacts:
            console.print(f"  abuse ({c.party}, {c.kind}): {c.value}  [{c.source}]")
        for f in profile.failures:
            console.print(f"  [yellow]failure[/yellow] {f.stage} {f.target}: {f.kind} ({f.message})")
        for change in outcome.changes:
            console.print(f"  change: {change.kind} {change.old or ''} -> {change.new or ''}")
        if outcome.stored:
            console.print("  (snapshot recorded)")


@providers_app.command("refresh")
def providers_refresh(
    max_shrink: Annotated[
        float, typer.Option(help="Refuse a list that lost more than this fraction of its networks.", min=0, max=1)
    ] = 0.2,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fetch and check, but write nothing.")] = False,
) -> None:
    """Refresh the CDN catalogue's address ranges from the providers' published lists.

    Needs the network. An empty, unreadable or shrunken list is refused and nothing is written; the
    refreshed catalogue goes to the data directory and replaces the packaged one from then on.
    """
    import asyncio

    import httpx

    from resolver import Catalogue, CatalogueRefreshError, load_catalogue
    from resolver.refresh import RangeUpdate, refresh_catalogue, write_catalogue

    settings = cli_settings()
    resolver_settings = settings.resolver_settings()
    target = resolver_settings.catalogue_path or settings.data_dir / "providers.yaml"  # set by resolver_settings()

    async def run() -> tuple[Catalogue, list[RangeUpdate]]:
        async with httpx.AsyncClient(timeout=resolver_settings.http_timeout, follow_redirects=True) as client:
            return await refresh_catalogue(load_catalogue(target), client, max_shrink=max_shrink)

    try:
        fresh, changes = asyncio.run(run())
    except CatalogueRefreshError as exc:
        fail(f"catalogue not refreshed: {exc}")
    for change in changes:
        console.print(f"{change.provider}: {change.old} -> {change.new} networks")
    if dry_run:
        console.print("dry run: nothing written")
        return
    write_catalogue(fresh, target)
    console.print(f"catalogue written to {target}; the resolver uses it from now on")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the API (OpenAPI at /docs). Migrates the store first."""
    import uvicorn

    from piratewatch.app import create_app

    settings = cli_settings()
    upgrade(settings.effective_database_url)
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info")


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port for the API.")] = 8000,
    data_dir: Annotated[Path | None, typer.Option(help="Where the demo keeps its store.")] = None,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="Keep serving the API.")] = True,
) -> None:
    """Run the offline demo on the embedded store: two associations, works, submissions, the API."""
    from piratewatch.demo import run_demo

    run_demo(port=port, data_dir=data_dir, serve=serve_api, console=console)


# The later areas keep their commands in modules of their own.
cli_crawl.register(app, providers_app)
cli_takedown.register(app, providers_app)
cli_queue.register(app)
cli_reports.register(app)


def main() -> None:
    """Entry point of the ``piratewatch`` command."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
