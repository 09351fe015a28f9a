"""``piratewatch senders``: an association's sender profile, without which no notice is drafted for it.

The profile holds who signs the association's notices and the statements it confirms (good faith,
accuracy under penalty of perjury, …); the drafting of first notices copies it into every notice, and
an association without one gets none, so ``show`` says so instead of printing nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from piratewatch.cli.support import cli_actor, console, fail, print_json, services, warn

app = typer.Typer(
    help="Sender profiles: who signs an association's notices.", no_args_is_help=True, rich_markup_mode=None
)

_ASSOCIATION = typer.Option("--association", help="The association's id (`associations list`).", min=1)
#: a sender file is a few kilobytes; a larger one is not a sender profile
_MAX_FILE_BYTES = 64 * 1024


def _read(path: Path) -> dict[str, Any]:
    """The sender details in `path`, validated (every problem named), or the command fails."""
    from pydantic import ValidationError

    from cases.takedown.schemas import SenderDetails

    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            fail(f"{path}: larger than {_MAX_FILE_BYTES // 1024} KiB; a sender profile is a small JSON object")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{path}: not a readable JSON file ({exc})")
    if not isinstance(data, dict):
        fail(f"{path}: expected a JSON object of sender details, got {type(data).__name__}")
    try:
        return SenderDetails.model_validate(data).model_dump()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors())
        fail(f"{path}: {problems}")


@app.command("show")
def show(association_id: Annotated[int, _ASSOCIATION]) -> None:
    """The association's sender profile (JSON); a warning and exit 1 when it has none."""
    from cases.takedown.senders import get_sender_profile
    from cases.tenants.models import Association

    with services() as svc, svc.factory() as session:
        if session.get(Association, association_id) is None:
            fail(f"association {association_id} not found")
        profile = get_sender_profile(session, association_id)
        if profile is None:
            warn(f"association {association_id} has no sender profile: no notice is drafted for it until one is set")
            raise typer.Exit(1)
        print_json({"association_id": association_id, "sender": profile.sender, "updated_at": str(profile.updated_at)})


@app.command("set")
def set_(
    file: Annotated[Path, typer.Argument(help="JSON file with the sender's details.")],
    association_id: Annotated[int, _ASSOCIATION],
) -> None:
    """Replace the association's sender profile with the details in FILE (validated; each change audited)."""
    from cases.takedown.senders import set_sender_profile

    sender = _read(file)
    with services() as svc, svc.transaction() as session:
        set_sender_profile(session, cli_actor(), association_id, sender)
    unconfirmed = [k for k in ("good_faith", "accuracy_under_perjury", "bona_fide", "truth_statement") if not sender[k]]
    console.print(f"sender profile of association {association_id} set")
    if unconfirmed:
        warn(f"statements not confirmed: {', '.join(unconfirmed)} (notices whose basis needs them are refused)")
