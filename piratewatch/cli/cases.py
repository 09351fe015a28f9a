"""``piratewatch cases``: takedown cases, one per site and provider."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from piratewatch.cli.support import JSON_HELP, cli_principal, print_listing, services, site_of

app = typer.Typer(help="Takedown cases: one per site and provider.", no_args_is_help=True, rich_markup_mode=None)

#: the table's columns; --json prints every field of the API's case (with its notices)
_COLUMNS = {"id": "case", "provider": "provider", "step": "step", "status": "status", "notices": "notices"}


@app.command("list")
def list_(
    site: Annotated[str, typer.Argument(help="A site id or one of its domains.")],
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """A site's cases and their notices."""
    from cases.takedown.queries import site_cases

    with services() as svc:
        site_id = site_of(svc, site)
        with svc.factory() as session:
            found = [c.model_dump(mode="json") for c in site_cases(session, cli_principal(), site_id)]
    rows: list[dict[str, Any]] = found
    if not as_json:
        rows = [c | {"notices": [f"{n['id']} {n['legal_basis']} {n['state']}" for n in c["notices"]]} for c in found]
    print_listing(
        rows, _COLUMNS, as_json=as_json, empty=f"site {site_id} has no takedown cases yet", title=f"site {site_id}"
    )
