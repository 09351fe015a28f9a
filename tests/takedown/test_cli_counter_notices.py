"""The operator's counter-notice steps from the command line: what they print and how they fail."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from typer.testing import CliRunner

from cases.audit.services import Actor
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.models import NoticeState
from cases.takedown.services import get_notice
from piratewatch.cli import app

from .conftest import sent_weeks_ago

runner = CliRunner()


async def test_counter_notice_and_action_filed(
    db_url: str, factory: sessionmaker[Session], approved_notice: int, tmp_path: Path
) -> None:
    sent = await send_notice(factory, Actor("test:cli"), FileChannel(tmp_path / "out"), approved_notice)
    assert sent.sent_at is not None
    env = {"PIRATEWATCH_DATABASE_URL": db_url, "PIRATEWATCH_DATA_DIR": str(tmp_path)}
    # a Friday at least a day after the send: its 10th business day is two weeks on, its 14th the Thursday after
    friday = sent_weeks_ago(factory, approved_notice, days=8)  # the clock still runs today
    shown = runner.invoke(app, ["notices", "clock", str(approved_notice)], env=env)
    assert shown.exit_code == 0, shown.output
    assert f"notice {approved_notice}: sent (dmca_512c3)" in shown.stdout
    assert f"next steps: notices counter-notice {approved_notice}" in shown.stdout
    body = tmp_path / "counter.txt"
    body.write_text("I swear, under penalty of perjury, that the material was removed by mistake.", encoding="utf-8")
    args = ["notices", "counter-notice", str(approved_notice), "--received", friday.isoformat(), "--body", str(body)]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    first, last = (friday + dt.timedelta(days=14)).date(), (friday + dt.timedelta(days=20)).date()
    assert f"notice {approved_notice}: counter_noticed; restore expected from {first} to {last}" in result.stdout
    assert "notices action-filed" in result.stdout
    poster = runner.invoke(app, ["notices", "poster-inquired", str(approved_notice)], env=env)
    assert poster.exit_code == 1 and "Japanese request" in poster.output
    bad = runner.invoke(app, ["notices", "action-filed", str(approved_notice), "--filed", "next tuesday"], env=env)
    assert bad.exit_code == 1 and "not a date" in bad.output
    filed = runner.invoke(app, ["notices", "action-filed", str(approved_notice)], env=env)
    assert filed.exit_code == 0, filed.output
    assert f"notice {approved_notice}: action_filed" in filed.stdout and "after the 10th" not in filed.stdout
    with factory() as session:
        assert get_notice(session, approved_notice).state == NoticeState.ACTION_FILED
    shown = runner.invoke(app, ["notices", "clock", str(approved_notice)], env=env)
    assert shown.exit_code == 0, shown.output
    assert "counter-notice: dmca_512g" in shown.stdout and f"received: {friday.isoformat()}" in shown.stdout
    assert "not running: an action was filed on" in shown.stdout and "the content stays down" in shown.stdout
    assert "next steps: none" in shown.stdout
    as_json = runner.invoke(app, ["notices", "clock", str(approved_notice), "--json"], env=env)
    assert as_json.exit_code == 0, as_json.output
    clock = json.loads(as_json.stdout)
    assert (clock["state"], clock["counter_kind"], clock["running"]) == ("action_filed", "dmca_512g", False)
    assert clock["clock_ends_at"].startswith(first.isoformat())
    missing = runner.invoke(app, ["notices", "clock", "999999"], env=env)
    assert missing.exit_code == 1 and "999999" in missing.output
