"""``piratewatch senders show|set`` and ``piratewatch notices list --state``, on a real store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from typer.testing import CliRunner

from cases.audit.services import Actor
from cases.db import transaction
from cases.takedown.models import LegalBasis
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, open_case, submit_for_review
from piratewatch.cli import app

ACTOR = Actor("test:cli-lists")
runner = CliRunner()


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {"PIRATEWATCH_DATABASE_URL": db_url, "PIRATEWATCH_DATA_DIR": str(tmp_path)}


def test_sender_profile_set_show_and_refusals(db_url: str, world: Any, sender: dict[str, Any], tmp_path: Path) -> None:
    env = _env(db_url, tmp_path)
    a = str(world.a_id)
    missing = runner.invoke(app, ["senders", "show", "--association", a], env=env)
    assert missing.exit_code == 1 and "no sender profile" in missing.stderr and "no notice is drafted" in missing.stderr

    good = tmp_path / "sender.json"
    good.write_text(json.dumps({**sender, "bona_fide": False}), encoding="utf-8")
    done = runner.invoke(app, ["senders", "set", str(good), "--association", a], env=env)
    assert done.exit_code == 0, done.output
    assert "set" in done.stdout and "statements not confirmed: bona_fide" in done.stderr
    shown = runner.invoke(app, ["senders", "show", "--association", a], env=env)
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["sender"]["name"] == sender["name"]

    bad = tmp_path / "bad.json"
    for content, says in [
        (json.dumps({**sender, "email": "not an address", "colour": "red"}), "email"),
        ("[1, 2]", "expected a JSON object"),
        ("{not json", "not a readable JSON file"),
        (json.dumps({"name": "x" * 70_000}), "larger than"),
    ]:
        bad.write_text(content, encoding="utf-8")
        refused = runner.invoke(app, ["senders", "set", str(bad), "--association", a], env=env)
        assert refused.exit_code == 1 and says in refused.stderr, (content[:40], refused.stderr)
    # nothing refused was stored: the profile is still the good one
    kept = json.loads(runner.invoke(app, ["senders", "show", "--association", a], env=env).stdout)["sender"]
    assert kept.items() >= {**sender, "bona_fide": False}.items()  # and the profile's defaults for the rest
    unknown = runner.invoke(app, ["senders", "set", str(good), "--association", "999999"], env=env)
    assert unknown.exit_code == 1 and "not found" in unknown.stderr


def test_notices_list_by_state(
    db_url: str, factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    with transaction(factory) as session:
        ids = []
        for provider in (world.host_id, world.registrar_id):
            case = open_case(session, ACTOR, world.site_id, provider)
            notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.DSA, sender)
            submit_for_review(session, ACTOR, notice.id or 0)
            ids.append(notice.id or 0)
        approve(session, ACTOR, ids[0])
    env = _env(db_url, tmp_path)
    approved = runner.invoke(app, ["notices", "list", "--state", "approved", "--json"], env=env)
    assert approved.exit_code == 0, approved.output
    assert [(n["id"], n["state"]) for n in json.loads(approved.stdout)] == [(ids[0], "approved")]
    in_review = runner.invoke(app, ["notices", "list", "--state", "in_review"], env=env)
    assert in_review.exit_code == 0 and f"{ids[1]}\tin_review" in in_review.stdout
    assert "1 notice(s) in_review" in in_review.stdout
    none = runner.invoke(app, ["notices", "list", "--state", "unconfirmed", "--json"], env=env)
    assert none.exit_code == 0 and json.loads(none.stdout) == []
    wrong = runner.invoke(app, ["notices", "list", "--state", "lost"], env=env)
    assert wrong.exit_code == 1 and "unknown state 'lost'" in wrong.stderr and "in_review" in wrong.stderr
