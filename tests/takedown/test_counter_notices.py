"""Counter-notices (§512(g): 10–14 business days unless an action is filed) and the Japanese poster's 7 days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.errors import ConflictError
from cases.takedown.counter_notices import (
    add_business_days,
    record_action_filed,
    record_counter_notice,
    record_poster_inquiry,
    run_out_clocks,
)
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.models import LegalBasis, NoticeReply, NoticeState
from cases.takedown.recheck import Recheck
from cases.takedown.replies import record_reply
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from cases.takedown.upkeep import has_work, run_upkeep

from .conftest import sent_weeks_ago

ACTOR = Actor("test:counter-notices")


def test_business_days_skip_weekends() -> None:
    friday = dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC)
    assert add_business_days(friday, 1) == dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)  # Monday
    assert add_business_days(friday, 10) == dt.datetime(2026, 12, 18, 10, tzinfo=dt.UTC)
    assert add_business_days(friday, 14) == dt.datetime(2026, 12, 24, 10, tzinfo=dt.UTC)
    saturday = dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC)
    assert add_business_days(saturday, 1) == dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)


async def test_a_counter_notice_whose_clock_runs_out(
    factory: sessionmaker[Session], approved_notice: int, tmp_path: Path
) -> None:
    await send_notice(factory, ACTOR, FileChannel(tmp_path), approved_notice)
    received = sent_weeks_ago(factory, approved_notice)
    with transaction(factory) as session:
        record_reply(session, ACTOR, approved_notice, "actioned")
        assert get_notice(session, approved_notice).closed_at is not None
        notice = record_counter_notice(
            session, ACTOR, approved_notice, received_at=received, body="I have a good faith belief…\x00"
        )
        assert notice.state == NoticeState.COUNTER_NOTICED and notice.closed_at is None
        assert notice.counter_kind == "dmca_512g"
        assert notice.clock_ends_at == received + dt.timedelta(days=14)  # 10 business days from a Friday
        assert notice.restore_latest_at == received + dt.timedelta(days=20)  # 14: the Thursday after
        kept = session.exec(select(NoticeReply).where(col(NoticeReply.kind) == "counter_notice")).one()
        assert kept.body == "I have a good faith belief… "
    ends = received + dt.timedelta(days=14)
    with transaction(factory) as session:
        assert run_out_clocks(session, ACTOR, ends - dt.timedelta(minutes=1)) == []
    with factory() as session:
        assert has_work(session, now=ends)
    with transaction(factory) as session:
        (out,) = run_out_clocks(session, ACTOR, ends)
        assert (out.notice_id, out.kind, out.state) == (approved_notice, "dmca_512g", "restore_expected")
        assert "no action filed within 10 business days" in out.meaning
        assert (received + dt.timedelta(days=20)).date().isoformat() in out.meaning
        assert get_notice(session, approved_notice).state == NoticeState.RESTORE_EXPECTED
    with transaction(factory) as session:  # once only
        assert run_out_clocks(session, ACTOR, ends + dt.timedelta(days=30)) == []
        # an action filed late is still recorded; it closes the notice
        filed = record_action_filed(session, ACTOR, approved_notice, filed_at=ends + dt.timedelta(days=1))
        assert filed.state == NoticeState.ACTION_FILED and filed.closed_at is not None
        assert filed.action_filed_at == ends + dt.timedelta(days=1)


async def test_an_action_filed_in_time_stops_the_clock(
    factory: sessionmaker[Session], approved_notice: int, tmp_path: Path
) -> None:
    await send_notice(factory, ACTOR, FileChannel(tmp_path), approved_notice)
    received = sent_weeks_ago(factory, approved_notice)
    with transaction(factory) as session:
        record_counter_notice(session, ACTOR, approved_notice, received_at=received)
        record_action_filed(session, ACTOR, approved_notice, filed_at=received + dt.timedelta(days=3))
    with transaction(factory) as session:
        assert run_out_clocks(session, ACTOR, received + dt.timedelta(days=40)) == []
        assert get_notice(session, approved_notice).state == NoticeState.ACTION_FILED
        with pytest.raises(ConflictError, match="action_filed"):
            record_counter_notice(session, ACTOR, approved_notice, received_at=received)


async def test_counter_notices_only_on_sent_dmca_notices(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], approved_notice: int, tmp_path: Path
) -> None:
    with pytest.raises(ConflictError, match="approved"), transaction(factory) as session:  # approved, not sent
        record_counter_notice(session, ACTOR, approved_notice)
    await send_notice(factory, ACTOR, FileChannel(tmp_path), approved_notice)
    with transaction(factory) as session:
        with pytest.raises(ConflictError, match="no counter-notice before"):
            record_counter_notice(session, ACTOR, approved_notice, received_at=utcnow() - dt.timedelta(days=2))
        with pytest.raises(ConflictError, match="Japanese request"):
            record_poster_inquiry(session, ACTOR, approved_notice)
        with pytest.raises(ConflictError, match="cannot become action_filed"):
            record_action_filed(session, ACTOR, approved_notice)


async def jp_notice(factory: sessionmaker[Session], world: Any, sender: dict[str, Any], out: Path) -> int:
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.JP_PLA, sender)
        submit_for_review(session, ACTOR, notice.id or 0)
        approve(session, ACTOR, notice.id or 0)
        notice_id = notice.id or 0
    await send_notice(factory, ACTOR, FileChannel(out), notice_id)
    return notice_id


async def test_the_japanese_posters_seven_days(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    notice_id = await jp_notice(factory, world, sender, tmp_path)
    inquired = utcnow() + dt.timedelta(hours=1)
    with transaction(factory) as session:
        with pytest.raises(ConflictError, match="DMCA"):
            record_counter_notice(session, ACTOR, notice_id)
        notice = record_poster_inquiry(session, ACTOR, notice_id, inquired_at=inquired)
        assert (notice.state, notice.counter_kind) == (NoticeState.POSTER_INQUIRED, "jp_objection")
        assert notice.clock_ends_at == inquired + dt.timedelta(days=7)
    with transaction(factory) as session:
        assert run_out_clocks(session, ACTOR, inquired + dt.timedelta(days=6, hours=23)) == []
        (out,) = run_out_clocks(session, ACTOR, inquired + dt.timedelta(days=7))
        assert (out.notice_id, out.state) == (notice_id, "acknowledged")
        assert "7 days passed without an objection" in out.meaning


async def test_a_posters_objection_is_a_rejection(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    notice_id = await jp_notice(factory, world, sender, tmp_path)
    with transaction(factory) as session:
        record_poster_inquiry(session, ACTOR, notice_id)
        record_reply(
            session, ACTOR, notice_id, "rejected", body="発信者から送信防止措置に同意しない旨の申出がありました"
        )
        assert get_notice(session, notice_id).state == NoticeState.REJECTED
    with transaction(factory) as session:  # the clock no longer runs for it
        assert run_out_clocks(session, ACTOR, utcnow() + dt.timedelta(days=30)) == []


async def test_upkeep_runs_out_the_clock_of_a_notice_sent_weeks_ago(
    factory: sessionmaker[Session], approved_notice: int, tmp_path: Path
) -> None:
    await send_notice(factory, ACTOR, FileChannel(tmp_path), approved_notice)
    weeks_ago = utcnow() - dt.timedelta(days=30)
    with transaction(factory) as session:  # the notice went out a month ago; the counter-notice came days later
        notice = get_notice(session, approved_notice)
        notice.sent_at = weeks_ago
        session.add(notice)
        session.flush()
        record_counter_notice(session, ACTOR, approved_notice, received_at=weeks_ago + dt.timedelta(days=3))
    report = await run_upkeep(factory, ACTOR, {}, Recheck(timeout=1.0))
    assert [(c.notice_id, c.state) for c in report.clocks] == [(approved_notice, "restore_expected")]
    with factory() as session:
        assert get_notice(session, approved_notice).state == NoticeState.RESTORE_EXPECTED
    again = await run_upkeep(factory, ACTOR, {}, Recheck(timeout=1.0))
    assert again.clocks == []
