"""``piratewatch providers``: the provider directory, and the CDN catalogue's published ranges."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from piratewatch.cli.support import JSON_HELP, cli_actor, cli_settings, console, fail, print_listing, services

app = typer.Typer(
    help="Providers: the CDN catalogue and the provider directory.", no_args_is_help=True, rich_markup_mode=None
)

_KINDS = "host, cdn, registrar, registry, search_engine, platform, payment, ads, legal"


@app.command("refresh")
def refresh(
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

    from resolver import CdnCatalogue, load_cdn_catalogue
    from resolver.errors import CdnCatalogueRefreshError
    from resolver.refresh import RangeUpdate, refresh_cdn_catalogue, write_cdn_catalogue

    settings = cli_settings()
    resolver_settings = settings.resolver_settings()
    target = resolver_settings.catalogue_path or settings.data_dir / "providers.yaml"  # set by resolver_settings()

    async def run() -> tuple[CdnCatalogue, list[RangeUpdate]]:
        async with httpx.AsyncClient(timeout=resolver_settings.http_timeout, follow_redirects=True) as client:
            return await refresh_cdn_catalogue(load_cdn_catalogue(target), client, max_shrink=max_shrink)

    try:
        fresh, changes = asyncio.run(run())
    except CdnCatalogueRefreshError as exc:
        fail(f"catalogue not refreshed: {exc}")
    for change in changes:
        console.print(f"{change.provider}: {change.old} -> {change.new} networks")
    if dry_run:
        console.print("dry run: nothing written")
        return
    write_cdn_catalogue(fresh, target)
    console.print(f"catalogue written to {target}; the resolver uses it from now on")


@app.command("list")
def list_(
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """List the provider directory: id, kind, name, country and abuse channels."""
    from cases.providers.services import list_providers

    with services() as svc, svc.factory() as session:
        rows = [
            {
                "id": p.id,
                "kind": p.kind,
                "name": p.name,
                "country": p.country,
                "abuse_email": p.abuse_email,
                "abuse_form_url": p.abuse_form_url,
                "abuse_api_url": p.abuse_api_url,
                "expected_response_days": p.expected_response_days,
            }
            for p in list_providers(session, kind)
        ]
    print_listing(rows, _COLUMNS, as_json=as_json, empty="no providers" + (f" of kind {kind}" if kind else ""))


#: the fields of `providers list --json`, in table order
_COLUMNS = {
    "id": "id",
    "kind": "kind",
    "name": "name",
    "country": "country",
    "abuse_email": "abuse e-mail",
    "abuse_form_url": "abuse form",
    "abuse_api_url": "abuse API",
    "expected_response_days": "days",
}


@app.command("add")
def add(
    name: Annotated[str, typer.Argument()],
    kind: Annotated[str, typer.Option(help=_KINDS)],
    country: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option(help="Abuse e-mail address.")] = None,
    form: Annotated[str | None, typer.Option(help="Abuse web form URL.")] = None,
    api: Annotated[str | None, typer.Option(help="Abuse API URL.")] = None,
    dmca_agent: Annotated[
        str | None, typer.Option(help="E-mail of its DMCA designated agent (the Copyright Office's directory).")
    ] = None,
    days: Annotated[int, typer.Option(help="Expected response time in days.")] = 7,
    crawl_name: Annotated[
        list[str] | None,
        typer.Option(
            help="A name crawls give this service (ad network, payment service: adsterra, paypal); repeatable."
        ),
    ] = None,
) -> None:
    """Add a provider."""
    from cases.providers.services import add_provider

    values = {
        "country": country,
        "abuse_email": email,
        "abuse_form_url": form,
        "abuse_api_url": api,
        "dmca_agent_email": dmca_agent,
        "crawl_names": crawl_name,
    }
    with services() as svc, svc.transaction() as session:
        provider = add_provider(
            session, cli_actor(), name, kind, expected_response_days=days, **{k: v for k, v in values.items() if v}
        )
        console.print(f"provider {provider.name!r} added (id {provider.id})")


@app.command("edit")
def edit(
    provider_id: Annotated[int, typer.Argument()],
    field: Annotated[list[str], typer.Option("--set", help="field=value (repeatable)")],
) -> None:
    """Change fields of a provider, e.g. ``--set abuse_email=abuse@host.example --set expected_response_days=3``."""
    from cases.providers.services import edit_provider

    values: dict[str, Any] = {}
    for pair in field:
        key, _, value = pair.partition("=")
        values[key] = (
            int(value) if key == "expected_response_days" else value.split(",") if key == "accepted_formats" else value
        )
    with services() as svc, svc.transaction() as session:
        provider = edit_provider(session, cli_actor(), provider_id, **values)
        console.print(f"provider {provider.id} updated")


@app.command("seed")
def seed(path: Annotated[Path, typer.Argument(help="JSON list of {name, kind, abuse_email, ...}.")]) -> None:
    """Add the providers of a JSON file that are not in the directory yet."""
    from cases.providers.services import seed_providers

    with services() as svc, svc.transaction() as session:
        added = seed_providers(session, cli_actor(), json.loads(path.read_text(encoding="utf-8")))
        console.print(f"{len(added)} provider(s) added")
