"""Restores after a counter-notice, seen by re-checking the notice's URLs on a real local HTTP server:
by an operator (store, API, command line) and by upkeep on its own; without a re-check only on a note."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from typer.testing import CliRunner

from cases.audit.models import AuditEvent
from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.errors import ConflictError, InvalidInputError
from cases.takedown.clocks import notice_clock
from cases.takedown.counter_notices import record_action_filed, record_counter_notice, run_out_clocks
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.models import ItemOutcome, LegalBasis, NoticeItem, NoticeState
from cases.takedown.recheck import Recheck
from cases.takedown.replies import check_outcomes
from cases.takedown.restores import check_restore, record_unchecked_restore
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from cases.takedown.upkeep import has_work, run_upkeep
from cases.works.models import Work
from lab.http_util import ThreadedServer
from piratewatch.cli import app

from .conftest import sent_weeks_ago

ACTOR = Actor("test:restores")
POLICY = Recheck(timeout=5)
#: what each page answers now: path → (status, text); a test sets it
PAGES: dict[str, tuple[int, str]] = {}


def _site() -> Starlette:
    async def page(request: Request) -> Response:
        status, text = PAGES.get(request.url.path, (404, "not found"))
        return PlainTextResponse(text, status_code=status)

    return Starlette(routes=[Route("/w/{n}", page)])


@pytest.fixture(scope="module")
def pages() -> Iterator[str]:
    server = ThreadedServer(_site()).start()
    yield server.url
    server.stop()


def show(*paths: str) -> None:
    """The pages at `paths` show the work again; every other page is gone."""
    PAGES.clear()
    PAGES.update({p: (200, "Chapter 3 of Work W1, read online") for p in paths})


async def restore_expected(factory: sessionmaker[Session], world: Any, sender: Any, pages: str, out: Path) -> int:
    """Association A's DMCA notice on two pages: sent, actioned (both gone), countered weeks ago, its
    10 business days over without an action."""
    show("/w/1", "/w/2")
    with transaction(factory) as session:
        w1 = session.exec(select(Work).where(col(Work.association_id) == world.a_id, col(Work.ref) == "W1")).one()
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        items = [(f"{pages}/w/1", w1.id), (f"{pages}/w/2", w1.id)]
        notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.DMCA, sender, items=items)
        submit_for_review(session, ACTOR, notice.id or 0)
        approve(session, ACTOR, notice.id or 0)
        notice_id = notice.id or 0
    await send_notice(factory, ACTOR, FileChannel(out), notice_id, recheck=POLICY)
    show()  # the host took both pages down
    assert await check_outcomes(factory, ACTOR, notice_id, POLICY) == NoticeState.ACTIONED
    friday = sent_weeks_ago(factory, notice_id)
    with transaction(factory) as session:  # the pages were found gone back then, not just now
        for item in session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id)):
            item.checked_at = friday - dt.timedelta(days=1)
            session.add(item)
    with transaction(factory) as session:
        record_counter_notice(session, ACTOR, notice_id, received_at=friday, body="a mistake, I swear")
        (out_clock,) = run_out_clocks(session, ACTOR)
        assert out_clock.state == NoticeState.RESTORE_EXPECTED
    return notice_id


def outcomes(factory: sessionmaker[Session], notice_id: int) -> dict[str, tuple[str, str | None]]:
    with factory() as session:
        rows = session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id))
        return {r.url.rsplit("/", 2)[-2] + "/" + r.url.rsplit("/", 1)[-1]: (r.outcome, r.outcome_reason) for r in rows}


async def test_a_restore_is_recorded_only_when_the_recheck_sees_the_content_again(
    factory: sessionmaker[Session], world: Any, sender: Any, pages: str, tmp_path: Path
) -> None:
    notice_id = await restore_expected(factory, world, sender, pages, tmp_path)
    with pytest.raises(ConflictError, match=r"no URL is live again.*HTTP 404"):
        await check_restore(factory, ACTOR, notice_id, POLICY, require=True)
    PAGES["/w/1"] = (200, "This content was removed following a complaint.")  # answers, but not the work
    with pytest.raises(ConflictError, match="no longer shows the work"):
        await check_restore(factory, ACTOR, notice_id, POLICY, require=True)
    with factory() as session:
        assert get_notice(session, notice_id).state == NoticeState.RESTORE_EXPECTED
    show("/w/1")  # the provider put one page back
    check = await check_restore(factory, ACTOR, notice_id, POLICY, require=True)
    assert check.restored and check.live == [f"{pages}/w/1"]
    assert check.not_live == {f"{pages}/w/2": "no longer live: HTTP 404"}
    with factory() as session:
        notice = get_notice(session, notice_id)
        assert notice.state == NoticeState.RESTORED and notice.restored_by == ACTOR.name
        assert notice.restored_at is not None and utcnow() - notice.restored_at < dt.timedelta(minutes=1)
        assert notice.restore_evidence is not None
        assert "1 of 2 URLs live again" in notice.restore_evidence and f"{pages}/w/1" in notice.restore_evidence
        clock = notice_clock(notice, utcnow())
        events = session.exec(
            select(AuditEvent).where(
                col(AuditEvent.entity_type) == "notice", col(AuditEvent.entity_id) == str(notice_id)
            )
        ).all()
    assert clock.state == "restored" and clock.next_steps == ["action-filed"]
    assert clock.meaning.startswith("the provider restored the content after the counter-notice")
    assert clock.restore_evidence == notice.restore_evidence
    fields = {(e.field, e.new_value) for e in events if e.actor == ACTOR.name}
    assert ("state", "restored") in fields and ("restored_by", ACTOR.name) in fields
    assert {"restored_at", "restore_evidence"} <= {f for f, _ in fields}
    seen = outcomes(factory, notice_id)
    assert seen["w/1"][0] == ItemOutcome.STILL_LIVE and "live again after the counter-notice" in (seen["w/1"][1] or "")
    assert seen["w/2"][0] == ItemOutcome.ACTIONED
    with pytest.raises(ConflictError, match="restored"):  # once
        await check_restore(factory, ACTOR, notice_id, POLICY, require=True)
    with transaction(factory) as session:  # the rights holder may still sue: the notice ends there
        assert record_action_filed(session, ACTOR, notice_id).state == NoticeState.ACTION_FILED


async def test_upkeep_sees_the_content_come_back(
    factory: sessionmaker[Session], world: Any, sender: Any, pages: str, tmp_path: Path
) -> None:
    notice_id = await restore_expected(factory, world, sender, pages, tmp_path)
    with factory() as session:
        assert has_work(session)
    gone = await run_upkeep(factory, ACTOR, {}, POLICY)
    assert gone.restored == [] and notice_id not in gone.checked
    with factory() as session:
        assert not has_work(session)  # fetched today: again tomorrow
        assert has_work(session, now=utcnow() + dt.timedelta(days=1, minutes=1))
        assert get_notice(session, notice_id).state == NoticeState.RESTORE_EXPECTED
    show("/w/2")
    with transaction(factory) as session:  # a day later
        for item in session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id)):
            item.checked_at = utcnow() - dt.timedelta(days=2)
            session.add(item)
    back = await run_upkeep(factory, ACTOR, {}, POLICY)
    assert back.restored == [notice_id]
    with factory() as session:
        assert get_notice(session, notice_id).state == NoticeState.RESTORED
        assert not has_work(session)
    assert (await run_upkeep(factory, ACTOR, {}, POLICY)).restored == []


async def test_a_restore_without_a_recheck_needs_a_note(
    factory: sessionmaker[Session], world: Any, sender: Any, pages: str, tmp_path: Path
) -> None:
    notice_id = await restore_expected(factory, world, sender, pages, tmp_path)
    with transaction(factory) as session:
        for note in ("", "   ", "\x00"):
            with pytest.raises(InvalidInputError, match="note"):
                record_unchecked_restore(session, ACTOR, notice_id, note=note)
        with pytest.raises(InvalidInputError, match="before the counter-notice"):
            record_unchecked_restore(session, ACTOR, notice_id, note="x", restored_at=utcnow() - dt.timedelta(days=90))
        with pytest.raises(InvalidInputError, match="has not happened yet"):
            record_unchecked_restore(session, ACTOR, notice_id, note="x", restored_at=utcnow() + dt.timedelta(days=3))
    with transaction(factory) as session:
        notice = record_unchecked_restore(
            session, ACTOR, notice_id, note="the host's e-mail of today: 'the material was reinstated'"
        )
        assert notice.state == NoticeState.RESTORED
        assert (
            notice.restore_evidence
            == "recorded without a re-check: the host's e-mail of today: 'the material was reinstated'"
        )


async def test_restore_over_the_api(
    engine: Engine, tenants: Any, world: Any, sender: Any, pages: str, tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    from fastapi.testclient import TestClient

    from piratewatch.config import get_settings
    from piratewatch.services import Services
    from piratewatch.web.app import create_app

    notice_id = await restore_expected(factory, world, sender, pages, tmp_path / "out")
    # the pages are on loopback: let the re-check's SSRF guard reach them, as a deployment allow-lists a lab
    settings = get_settings(data_dir=tmp_path, database_url="", resolver={"allow_networks": ["127.0.0.0/8"]})
    url = f"/api/v1/notices/{notice_id}/restored"
    ops = {"X-API-Key": tenants.operator}
    with TestClient(create_app(Services.from_settings(settings, engine=engine))) as client:
        assert client.post(url, json={}, headers={"X-API-Key": tenants.a}).status_code == 403
        for body, field in (
            ({"note": "seen it"}, "note"),  # a note goes with recheck: false
            ({"recheck": False}, "note"),
            ({"recheck": False, "note": "x\u0000"}, "character"),
            ({"recheck": [1]}, "recheck"),
            ({"recheck": False, "note": "x", "restored_at": 5}, "restored_at"),
            ({"recheck": False, "note": "x", "restored_at": "3000-01-01T00:00:00Z"}, "restored_at"),
            ({"restored_by": "someone"}, "restored_by"),
        ):
            answer = client.post(url, json=body, headers=ops)
            assert answer.status_code == 422, (body, answer.text)
            assert field in answer.text, (body, answer.text)
        refused = client.post(url, json={}, headers=ops)
        assert refused.status_code == 409 and "no URL is live again" in refused.text
        show("/w/1", "/w/2")
        answer = client.post(url, json={}, headers=ops)
        assert answer.status_code == 200, answer.text
        clock = answer.json()
        assert clock["state"] == "restored" and clock["restored_by"].startswith("key:")
        assert "2 of 2 URLs live again" in clock["restore_evidence"]
        assert client.get(f"/api/v1/notices/{notice_id}/clock", headers={"X-API-Key": tenants.a}).json() == clock
        assert client.get(f"/api/v1/notices/{notice_id}/clock", headers={"X-API-Key": tenants.b}).status_code == 404
        assert client.post(url, json={}, headers=ops).status_code == 409


def test_restored_from_the_command_line(
    db_url: str, factory: sessionmaker[Session], world: Any, sender: Any, pages: str, tmp_path: Path
) -> None:
    # a plain test: the command runs its own event loop
    notice_id = asyncio.run(restore_expected(factory, world, sender, pages, tmp_path / "out"))
    env = {
        "PIRATEWATCH_DATABASE_URL": db_url,
        "PIRATEWATCH_DATA_DIR": str(tmp_path),
        "PIRATEWATCH_RESOLVER__ALLOW_NETWORKS": '["127.0.0.0/8"]',
    }
    runner = CliRunner()
    usage = runner.invoke(app, ["notices", "restored", str(notice_id), "--note", "x"], env=env)
    assert usage.exit_code == 2 and "--without-recheck" in usage.output
    none = runner.invoke(app, ["notices", "restored", str(notice_id)], env=env)
    assert none.exit_code == 1 and "no URL is live again" in none.output
    show("/w/2")
    done = runner.invoke(app, ["notices", "restored", str(notice_id)], env=env)
    assert done.exit_code == 0, done.output
    assert f"notice {notice_id}: restored; live again: {pages}/w/2" in done.stdout
    assert f"not live: {pages}/w/1: no longer live: HTTP 404" in done.stdout
    clock = runner.invoke(app, ["notices", "clock", str(notice_id)], env=env)
    assert "the provider restored the content" in clock.stdout and "next steps: notices action-filed" in clock.stdout
