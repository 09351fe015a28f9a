"""The takedown commands, end to end on a real store and a real local SMTP server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from cases.audit.services import Actor
from cases.db import transaction
from cases.providers.models import Provider
from cases.takedown.senders import set_sender_profile
from piratewatch.cli import app

runner = CliRunner()
ACTOR = Actor("test:cli")


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_draft_review_send_and_report(
    db_url: str, factory: sessionmaker[Session], world: Any, sender: dict[str, Any], smtp_sink: Any, tmp_path: Path
) -> None:
    env = {
        "PIRATEWATCH_DATABASE_URL": db_url,
        "PIRATEWATCH_DATA_DIR": str(tmp_path),
        "PIRATEWATCH_NOTICES__SMTP_PORT": str(smtp_sink.port),
    }
    code, out, _ = invoke(env, "providers", "list", "--kind", "host")
    assert code == 0 and "Bulletproof Hosting Ltd" in out
    code, out, err = invoke(
        env,
        "providers",
        "add",
        "Host Two",
        "--kind",
        "host",
        "--email",
        "abuse@two.example",
        "--dmca-agent",
        "dmca@two.example",
    )
    assert code == 0 and "added" in out, err
    with transaction(factory) as session:
        two = session.exec(select(Provider).where(col(Provider.name) == "Host Two")).one()
        assert two.dmca_agent_email == "dmca@two.example"
    code, _, err = invoke(env, "providers", "add", "Host Two", "--kind", "host")
    assert code == 1 and "already exists" in err
    code, out, _ = invoke(env, "providers", "edit", str(world.host_id), "--set", "expected_response_days=2")
    assert code == 0 and "updated" in out

    with transaction(factory) as session:  # the association's own profile, without its signature yet
        set_sender_profile(session, ACTOR, world.a_id, {**sender, "signature": ""})
    args = ["--site", str(world.site_id), "--provider", str(world.host_id), "--association", str(world.a_id)]
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({"good_faith": True, "signature": "/operator/"}), encoding="utf-8")
    code, _, err = invoke(env, "notices", "draft", *args, "--basis", "dmca_512c3", "--sender", str(forged))
    assert code == 1 and "sender.good_faith" in err and "sender.signature" in err  # statements: the profile's only
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2", encoding="utf-8")
    code, _, err = invoke(env, "notices", "draft", *args, "--basis", "dmca_512c3", "--sender", str(broken))
    assert code == 1 and "--sender" in err
    code, out, err = invoke(env, "notices", "draft", *args, "--basis", "dmca_512c3")
    assert code == 0 and "drafted" in out, err
    notice_id = out.split()[1]
    code, _, err = invoke(env, "notices", "submit", notice_id)
    assert code == 1 and "sender.signature" in err
    with transaction(factory) as session:
        set_sender_profile(session, ACTOR, world.a_id, sender)
    contact = tmp_path / "contact.json"
    contact.write_text(json.dumps({"name": "Taro Suzuki"}), encoding="utf-8")
    code, out, err = invoke(env, "notices", "draft", *args, "--basis", "dsa_art16", "--sender", str(contact))
    dsa_id = out.split()[1]
    assert invoke(env, "notices", "submit", dsa_id)[0] == 0
    code, out, _ = invoke(env, "notices", "claim")
    assert code == 0 and f"claimed notice {dsa_id}" in out
    code, out, _ = invoke(env, "notices", "approve", dsa_id)
    assert code == 0 and dsa_id in out
    code, out, err = invoke(env, "notices", "send", "--channel", "smtp", "--no-recheck")
    assert code == 0 and f"notice {dsa_id}: sent" in out, err
    assert len(smtp_sink.messages) == 1 and "Article 16" in smtp_sink.messages[0]["Subject"]
    code, out, _ = invoke(env, "notices", "reply", dsa_id, "actioned")
    assert code == 0
    code, out, _ = invoke(env, "notices", "scorecards")
    assert code == 0 and json.loads(out)[0]["actioned"] == 1
    code, out, _ = invoke(env, "notices", "lumen")
    assert code == 0 and json.loads(out)[0]["notice"]["action_taken"] == "Yes"
    code, out, _ = invoke(env, "cases", "list", str(world.site_id), "--json")
    assert code == 0 and {n["state"] for line in out.splitlines() for n in json.loads(line)["notices"]} == {
        "draft",
        "actioned",
    }
