"""``piratewatch keys``: API keys."""

from __future__ import annotations

from typing import Annotated

import typer

from cases.tenants.roles import Role
from piratewatch.cli.support import cli_actor, console, err_console, services

app = typer.Typer(help="API keys.", no_args_is_help=True, rich_markup_mode=None)


@app.command("create")
def create(
    association: Annotated[str, typer.Option(help="The association the key acts for.")],
    role: Annotated[Role, typer.Option(help="submitter, operator or admin.")] = Role.SUBMITTER,
    label: Annotated[str, typer.Option(help="A note to recognise the key by.")] = "",
) -> None:
    """Create an API key and print it once: it is stored hashed and cannot be shown again."""
    from cases.tenants.services import create_api_key, get_association

    with services() as svc, svc.transaction() as session:
        assoc = get_association(session, association)
        key, secret = create_api_key(session, assoc, role, cli_actor(assoc.id), label)
        key_id = key.id
    err_console.print(f"key {key_id} ({role.value} for {association!r}); store it now, it will not be shown again:")
    print(secret)


@app.command("revoke")
def revoke(key_id: Annotated[int, typer.Argument(help="The key's id.")]) -> None:
    """Revoke an API key."""
    from cases.tenants.services import revoke_api_key

    with services() as svc, svc.transaction() as session:
        revoke_api_key(session, key_id, cli_actor())
    console.print(f"key {key_id} revoked")
