"""What `notices upkeep` and `notices send` print and return: one line per notice, and what really
happened to it; a send that failed makes the command fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from typer.testing import CliRunner

from cases.takedown.models import NoticeState
from cases.takedown.services import get_notice
from lab.http_util import free_port
from piratewatch.cli import app

from .test_upkeep import _approved, pages  # noqa: F401 - the fixture is used by name

runner = CliRunner()


def _env(db_url: str, tmp_path: Path, smtp_port: int) -> dict[str, str]:
    return {
        "PIRATEWATCH_DATABASE_URL": db_url,
        "PIRATEWATCH_DATA_DIR": str(tmp_path),
        "PIRATEWATCH_NOTICES__SMTP_PORT": str(smtp_port),
        # the test's pages are on loopback, which the re-check's SSRF guard refuses by default
        "PIRATEWATCH_RESOLVER__ALLOW_NETWORKS": json.dumps(["127.0.0.0/8"]),
    }


def test_upkeep_reports_a_notice_the_recheck_sent_back_not_as_sent(
    db_url: str,
    factory: sessionmaker[Session],
    world: Any,
    sender: dict[str, Any],
    pages: Any,  # noqa: F811
    smtp_sink: Any,
    tmp_path: Path,
) -> None:
    state, base = pages
    notice_id = _approved(factory, world, sender, [f"{base}/w1/gone"])
    state.gone.add("/w1/gone")
    result = runner.invoke(app, ["notices", "upkeep"], env=_env(db_url, tmp_path, smtp_sink.port))
    assert result.exit_code == 0, result.output
    assert f"notice {notice_id}: not sent: every URL failed the re-check; back in review" in result.stdout
    assert "sent: 0 of 1 notice(s) tried" in result.stdout
    assert smtp_sink.messages == []
    with factory() as session:
        assert get_notice(session, notice_id).state == NoticeState.IN_REVIEW


def test_a_send_the_channel_refuses_fails_the_command(
    db_url: str,
    factory: sessionmaker[Session],
    world: Any,
    sender: dict[str, Any],
    pages: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    _, base = pages
    notice_id = _approved(factory, world, sender, [f"{base}/w1/1"])
    closed = free_port()  # nothing listens there: the relay cannot be reached
    result = runner.invoke(app, ["notices", "send"], env=_env(db_url, tmp_path, closed))
    assert result.exit_code == 1, result.output
    assert f"notice {notice_id}: not sent: the channel refused it" in result.stdout
    assert "sent: 0 of 1 notice(s) tried" in result.stdout
    with factory() as session:
        assert get_notice(session, notice_id).state == NoticeState.APPROVED  # tried again later
