"""``piratewatch associations``: the tenants."""

from __future__ import annotations

from typing import Annotated

import typer

from piratewatch.cli.support import JSON_HELP, cli_actor, console, print_listing, services

app = typer.Typer(help="Associations (tenants).", no_args_is_help=True, rich_markup_mode=None)


@app.command("add")
def add(name: Annotated[str, typer.Argument(help="The association's name.")]) -> None:
    """Create an association."""
    from cases.tenants.services import create_association

    with services() as svc, svc.transaction() as session:
        association = create_association(session, name, cli_actor())
        console.print(f"association {association.name!r} created (id {association.id})")


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """List associations: id and name."""
    from cases.tenants.queries import association_choices

    with services() as svc, svc.factory() as session:
        rows = [{"id": i, "name": n} for i, n in sorted(association_choices(session))]
    print_listing(rows, {"id": "id", "name": "name"}, as_json=as_json, empty="no associations yet")
