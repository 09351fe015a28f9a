"""``piratewatch cases``: takedown cases, one per site and provider."""

from __future__ import annotations

from typing import Annotated

import typer

from piratewatch.cli.support import cli_principal, print_json, services

app = typer.Typer(help="Takedown cases: one per site and provider.", no_args_is_help=True, rich_markup_mode=None)


@app.command("list")
def list_(site_id: Annotated[int, typer.Argument()]) -> None:
    """A site's cases and their notices."""
    from cases.takedown.queries import site_cases

    with services() as svc, svc.factory() as session:
        print_json([c.model_dump(mode="json") for c in site_cases(session, cli_principal(), site_id)])
