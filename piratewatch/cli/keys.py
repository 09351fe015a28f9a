"""``piratewatch keys``: API keys."""

from __future__ import annotations

from typing import Annotated

import typer

from cases.tenants.roles import Role
from piratewatch.cli.support import JSON_HELP, cli_actor, console, err_console, print_listing, services

app = typer.Typer(help="API keys.", no_args_is_help=True, rich_markup_mode=None)

#: the fields of `keys list --json`, in table order (never the secret: only its hash is stored)
_COLUMNS = {
    "id": "id",
    "association_id": "association",
    "association": "name",
    "role": "role",
    "label": "label",
    "prefix": "prefix",
    "created_at": "created",
    "last_used_at": "last used",
    "revoked_at": "revoked",
}


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


@app.command("list")
def list_(
    association: Annotated[str | None, typer.Option(help="Only this association's keys.")] = None,
    revoked: Annotated[bool, typer.Option("--revoked/--active", help="Include revoked keys.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """List API keys: id, association, role, label, prefix, when created, last used and revoked."""
    from cases.tenants.queries import association_choices
    from cases.tenants.services import get_association, list_api_keys

    with services() as svc, svc.factory() as session:
        association_id = get_association(session, association).id if association else None
        names = dict(association_choices(session))
        keys = list_api_keys(session, association_id)
    rows = [
        {
            "id": k.id,
            "association_id": k.association_id,
            "association": names.get(k.association_id, "?"),
            "role": str(k.role),
            "label": k.label,
            "prefix": k.prefix,
            "created_at": k.created_at.isoformat(),
            "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
        }
        for k in keys
        if revoked or k.revoked_at is None
    ]
    print_listing(
        rows, _COLUMNS, as_json=as_json, empty="no API keys" + (f" for {association!r}" if association else "")
    )


@app.command("revoke")
def revoke(key_id: Annotated[int, typer.Argument(help="The key's id (see `keys list`).")]) -> None:
    """Revoke an API key: it is refused from the next request on (audited)."""
    from cases.tenants.models import ApiKey
    from cases.tenants.services import revoke_api_key

    with services() as svc, svc.transaction() as session:
        known = session.get(ApiKey, key_id)
        already = known.revoked_at if known is not None else None
        key = revoke_api_key(session, key_id, cli_actor())
        prefix = key.prefix
    if already is not None:
        console.print(f"key {key_id} ({prefix}…) was already revoked on {already.isoformat()}", highlight=False)
    else:
        console.print(f"key {key_id} ({prefix}…) revoked", highlight=False)
