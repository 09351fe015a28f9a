"""Counter-notices and objections read out of replies, element by element (17 U.S.C. §512(g)(3); the
Japanese poster's 同意しない旨 and reasons): a complete one starts its clock or rejects the request, one
that lacks an element goes to the operator with the missing elements named."""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.models import AuditEvent
from cases.audit.services import Actor
from cases.db import transaction
from cases.takedown.counter_notices import add_business_days
from cases.takedown.counter_reading import read_counter
from cases.takedown.models import LegalBasis, NoticeReply, NoticeState
from cases.takedown.replies import import_message
from cases.takedown.services import get_notice

from .conftest import sent_weeks_ago
from .test_reply_parsing import SAMPLES, sample, sent_notice

ACTOR = Actor("test:counter-reading")


def body_of(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8").split("\n\n", 1)[1]


def test_the_elements_of_each_sample() -> None:
    complete = read_counter(body_of("counter_notice.eml"))
    assert complete is not None and (complete.kind, complete.missing) == ("dmca_512g", ())
    assert complete.domain == "manga-raw.io"
    assert "authorised to act" not in complete.text  # our notice, quoted back after the marker, is not read
    partial = read_counter(body_of("counter_notice_incomplete.eml"))
    assert partial is not None and partial.kind == "dmca_512g"
    assert partial.missing == (
        "the subscriber's signature (§512(g)(3)(A))",
        "the subscriber's address (§512(g)(3)(D))",
        "consent to the jurisdiction of a Federal District Court (§512(g)(3)(D))",
        "that the subscriber will accept service of process from the complainant (§512(g)(3)(D))",
    )
    objection = read_counter(body_of("jp_objection.eml"))
    assert objection is not None and (objection.kind, objection.missing) == ("jp_objection", ())
    assert read_counter(body_of("jp_no_objection.eml")) is None  # "no objection came" is none
    for other in ("registrar_question.eml", "registrar_suspension.eml", "cloudflare_forwarding.eml"):
        assert read_counter(body_of(other)) is None, other


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        # an objection without its reasons, and an inquiry still open, name what is missing
        ("送信防止措置について、発信者から同意しない旨の回答がありました。", ("その理由 (the poster's reasons)",)),
        (
            "送信防止措置について、現在発信者に照会中です。",
            ("発信者が送信防止措置に同意しない旨 (the poster's refusal)", "その理由 (the poster's reasons)"),
        ),
        # the statement of (C) needs all three parts: perjury, good faith, mistake
        ("Counter-notice. /s/ T. E.\nI have a good faith belief it was a mistake.", None),
    ],
)
def test_missing_elements_are_named(text: str, missing: tuple[str, ...] | None) -> None:
    reading = read_counter(text)
    assert reading is not None
    if missing is not None:
        assert reading.missing == missing
    else:
        assert any("(§512(g)(3)(C))" in m for m in reading.missing)
        assert not any("(§512(g)(3)(A))" in m for m in reading.missing)


def test_a_hostile_reply_is_read_in_bounded_time() -> None:
    text = ("counter notice Name: " + "1" * 50 + " /s/ https://x" + "(" * 30 + "\n") * 2_000
    started = time.perf_counter()
    reading = read_counter(text[:100_000])
    assert reading is not None and reading.missing
    assert time.perf_counter() - started < 1.0
    assert read_counter("\x00" * 100_000) is None


def dated(message: Message, when: dt.datetime) -> Message:
    del message["Date"]
    message["Date"] = email.utils.format_datetime(when)
    return message


async def test_a_complete_counter_notice_starts_the_clock(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    notice_id, key = await sent_notice(factory, world, sender, tmp_path, world.host_id, LegalBasis.DMCA)
    friday = sent_weeks_ago(factory, notice_id, days=8)
    with transaction(factory) as session:
        answer = import_message(session, ACTOR, dated(sample("counter_notice.eml", key), friday))
        assert (answer.kind, answer.not_applied, answer.parsed.parser) == (
            "counter_notice",
            None,
            "dmca_counter_notice",
        )
        notice = get_notice(session, notice_id)
        assert notice.state == NoticeState.COUNTER_NOTICED and notice.counter_kind == "dmca_512g"
        assert notice.counter_received_at == friday  # the forwarding's date: the clock warns early, never late
        assert notice.clock_ends_at == add_business_days(friday, 10)
        kept = session.exec(select(NoticeReply).where(col(NoticeReply.notice_id) == notice_id)).one()
        assert kept.id == answer.reply.id and kept.kind == "counter_notice"
        assert kept.sender == "Bulletproof Hosting Abuse <abuse@host.example>"
        assert kept.body is not None and "/s/ Taro Example" in kept.body
    with transaction(factory) as session:  # the same counter-notice again cannot start a second clock
        again = import_message(session, ACTOR, sample("counter_notice.eml", key))
        assert again.kind == "reply" and again.not_applied is not None
        assert "cannot become counter_noticed" in again.not_applied


async def test_an_incomplete_counter_notice_goes_to_the_operator(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    notice_id, key = await sent_notice(factory, world, sender, tmp_path, world.host_id, LegalBasis.DMCA)
    with transaction(factory) as session:
        answer = import_message(session, ACTOR, sample("counter_notice_incomplete.eml", key))
        assert answer.kind == "reply" and answer.parsed.parser == "dmca_counter_notice"
        assert answer.not_applied is not None
        assert answer.not_applied.startswith("a §512(g) counter-notice, but it lacks: the subscriber's signature")
        assert "accept service of process" in answer.not_applied
        assert get_notice(session, notice_id).state == NoticeState.SENT
        event = session.exec(
            select(AuditEvent).where(
                col(AuditEvent.entity_type) == "notice_reply", col(AuditEvent.entity_id) == str(answer.reply.id)
            )
        ).one()
        assert "lacks" in (event.new_value or "")  # the operator reads why in the notice's trail


async def test_counter_notices_and_objections_only_where_they_belong(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    jp_id, jp_key = await sent_notice(factory, world, sender, tmp_path, world.host_id, LegalBasis.JP_PLA)
    dmca_id, dmca_key = await sent_notice(factory, world, sender, tmp_path, world.registrar_id, LegalBasis.DMCA)
    with transaction(factory) as session:
        wrong_basis = import_message(session, ACTOR, sample("counter_notice.eml", jp_key))
        assert wrong_basis.kind == "reply" and "not a DMCA notice" in (wrong_basis.not_applied or "")
        wrong_law = import_message(session, ACTOR, sample("jp_objection.eml", dmca_key))
        assert wrong_law.kind == "reply" and "Japanese request" in (wrong_law.not_applied or "")
        raw = (SAMPLES / "counter_notice.eml").read_text(encoding="utf-8").replace("manga-raw.io/w1", "other.example/p")
        from email import message_from_string, policy

        elsewhere = import_message(
            session, ACTOR, message_from_string(raw.replace("{KEY}", dmca_key), policy=policy.default)
        )
        assert elsewhere.kind == "reply" and "other.example" in (elsewhere.not_applied or "")
        assert get_notice(session, dmca_id).state == NoticeState.SENT
        none = import_message(session, ACTOR, sample("jp_no_objection.eml", jp_key))
        assert none.kind == "reply" and none.parsed.parser is None
        assert get_notice(session, jp_id).state == NoticeState.SENT
        objected = import_message(session, ACTOR, sample("jp_objection.eml", jp_key))
        assert (objected.kind, objected.not_applied, objected.parsed.parser) == (
            "rejected",
            None,
            "jp_poster_objection",
        )
        notice = get_notice(session, jp_id)
        assert notice.state == NoticeState.REJECTED and notice.counter_kind == "jp_objection"
