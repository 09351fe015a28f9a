"""Replies of the big recipients read from samples: a CDN naming the host opens the host's case, a
registrar's suspension actions the notice, automatic receipts acknowledge, the rest goes to the operator."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.db import transaction
from cases.providers.models import Provider
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.models import ItemOutcome, LegalBasis, NoticeItem, NoticeReply, NoticeState, TakedownCase
from cases.takedown.replies import import_message
from cases.takedown.reply_parsing import own_text, parse_reply
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review

ACTOR = Actor("test:reply-parsing")
SAMPLES = Path(__file__).parent / "samples" / "replies"


def sample(name: str, key: str) -> Message:
    raw = (SAMPLES / name).read_text(encoding="utf-8").replace("{KEY}", key)
    return message_from_bytes(raw.encode("utf-8"), policy=policy.default)


async def sent_notice(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], out: Path, provider_id: int, basis: LegalBasis
) -> tuple[int, str]:
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, provider_id)
        template = "dmca_512c3" if basis == LegalBasis.DMCA else None
        notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, basis, sender, template=template)
        submit_for_review(session, ACTOR, notice.id or 0)
        approve(session, ACTOR, notice.id or 0)
        notice_id = notice.id or 0
    sent = await send_notice(factory, ACTOR, FileChannel(out), notice_id)
    assert sent.state == NoticeState.SENT
    return notice_id, sent.idempotency_key


async def test_cloudflare_naming_the_host_opens_the_hosts_case(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    notice_id, key = await sent_notice(factory, world, sender, tmp_path, world.cdn_id, LegalBasis.DMCA)
    with transaction(factory) as session:
        answer = import_message(session, ACTOR, sample("cloudflare_forwarding.eml", key))
        assert (answer.kind, answer.notice_id, answer.not_applied) == ("forwarded", notice_id, None)
        assert answer.parsed.reference == "2c5e1a7b9d3f4e60"
        assert get_notice(session, notice_id).state == NoticeState.ACKNOWLEDGED
        case = session.get(TakedownCase, answer.host_case_id)
        assert case is not None and (case.site_id, case.step) == (world.site_id, "host")
        host = session.get(Provider, case.provider_id)
        assert host is not None
        assert (host.name, host.kind, host.abuse_email) == (
            "Origin Servers LLC",
            "host",
            "abuse@origin-servers.example",
        )
    # the same reply again (a second import) finds the provider and the case, adds neither
    with transaction(factory) as session:
        again = import_message(session, ACTOR, sample("cloudflare_forwarding.eml", key))
        assert again.host_case_id == answer.host_case_id
        assert len(list(session.exec(select(Provider).where(col(Provider.name) == "Origin Servers LLC")))) == 1


async def test_a_host_already_in_the_directory_is_used_whatever_its_case(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    _, key = await sent_notice(factory, world, sender, tmp_path, world.cdn_id, LegalBasis.DMCA)
    message = sample("cloudflare_forwarding.eml", key)
    message.set_content(
        message.get_content()
        .replace("Origin Servers LLC", "BULLETPROOF HOSTING LTD")
        .replace("abuse@", "bad address @")
    )
    with transaction(factory) as session:
        answer = import_message(session, ACTOR, message)
        case = session.get(TakedownCase, answer.host_case_id)
        assert case is not None and case.provider_id == world.host_id


async def test_cloudflare_receipt_and_automatic_acknowledgement(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    cdn_notice, cdn_key = await sent_notice(factory, world, sender, tmp_path, world.cdn_id, LegalBasis.DMCA)
    host_notice, host_key = await sent_notice(factory, world, sender, tmp_path, world.host_id, LegalBasis.DMCA)
    with transaction(factory) as session:
        receipt = import_message(session, ACTOR, sample("cloudflare_receipt.eml", cdn_key))
        auto = import_message(session, ACTOR, sample("auto_acknowledgement.eml", host_key))
        assert (receipt.kind, receipt.parsed.parser, receipt.host_case_id) == (
            "acknowledgement",
            "cloudflare_receipt",
            None,
        )
        assert (auto.kind, auto.parsed.parser) == ("acknowledgement", "auto_submitted")
        assert get_notice(session, cdn_notice).state == NoticeState.ACKNOWLEDGED
        assert get_notice(session, host_notice).state == NoticeState.ACKNOWLEDGED


async def test_a_registrars_suspension_actions_the_notice_and_its_items(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    notice_id, key = await sent_notice(factory, world, sender, tmp_path, world.registrar_id, LegalBasis.REGISTRY_POLICY)
    with transaction(factory) as session:
        answer = import_message(session, ACTOR, sample("registrar_suspension.eml", key))
        assert (answer.kind, answer.parsed.parser, answer.parsed.domain) == (
            "actioned",
            "registrar_suspension",
            "manga-raw.io",
        )
        assert get_notice(session, notice_id).state == NoticeState.ACTIONED
        items = list(session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id)))
    assert items and {i.outcome for i in items} == {ItemOutcome.ACTIONED}
    assert all(f"the recipient's reply {answer.reply.id} of" in (i.outcome_reason or "") for i in items)


async def test_unparsed_or_misdirected_replies_go_to_the_operator(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    registrar_notice, registrar_key = await sent_notice(
        factory, world, sender, tmp_path, world.registrar_id, LegalBasis.REGISTRY_POLICY
    )
    host_notice, host_key = await sent_notice(factory, world, sender, tmp_path, world.host_id, LegalBasis.DMCA)
    with transaction(factory) as session:
        # a question quoting our notice (whose quoted part says "has been suspended") is no suspension
        question = import_message(session, ACTOR, sample("registrar_question.eml", registrar_key))
        assert (question.kind, question.parsed.parser, question.not_applied) == ("reply", None, None)
        # a suspension reply to a host's notice, and a forwarding reply to a host: not theirs to give
        suspension = import_message(session, ACTOR, sample("registrar_suspension.eml", host_key))
        assert suspension.kind == "reply" and "no registrar or registry" in (suspension.not_applied or "")
        forwarding = import_message(session, ACTOR, sample("cloudflare_forwarding.eml", host_key))
        assert forwarding.kind == "reply" and forwarding.host_case_id is None
        other = sample("registrar_suspension.eml", registrar_key)
        other.set_content(other.get_content().replace("manga-raw.io", "another-site.example"))
        elsewhere = import_message(session, ACTOR, other)
        assert elsewhere.kind == "reply" and "another-site.example" in (elsewhere.not_applied or "")
        assert get_notice(session, registrar_notice).state == NoticeState.SENT
        assert get_notice(session, host_notice).state == NoticeState.SENT
        kinds = [r.kind for r in session.exec(select(NoticeReply).order_by(col(NoticeReply.id)))]
        assert kinds == ["reply"] * 4  # kept as received, for the operator


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("The domain manga-raw.io will be suspended if the content stays.", "reply"),
        ("manga-raw.io has not been suspended.", "reply"),
        ("We have suspended the domain manga-raw.io.", "actioned"),
        ("manga-raw.io was placed on serverHold today.", "actioned"),
        ("Thank you, we received your report.", "reply"),
    ],
)
def test_suspension_sentences(body: str, kind: str) -> None:
    assert parse_reply("abuse@reg.example", "Re: report", body, None).kind == kind


def test_quoted_text_and_hostile_values() -> None:
    assert (
        own_text("ok\n> has been suspended\nOn Mon, 1 Dec 2026 someone wrote:\nmanga-raw.io has been suspended") == "ok"
    )
    # Cloudflare's lines from anyone else are not Cloudflare's answer
    fake = "Cloudflare received your DMCA report regarding: manga-raw.io\nHosting provider: Evil"
    assert parse_reply("abuse@not-cloudflare.example", None, fake, None).kind == "reply"
    nul = parse_reply("noreply@notify.cloudflare.com", None, fake.replace("Evil", "Evil\x00Host\u202e"), None)
    assert nul.kind == "forwarded" and nul.host == "Evil Host"
    assert parse_reply(None, None, None, "no").kind == "reply"
    assert parse_reply(None, None, "x" * 200_000, "auto-generated").kind == "acknowledgement"
