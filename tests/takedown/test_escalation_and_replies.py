"""Deadlines, the escalation ladder with proof of prior reports, bounces and replies, scorecards and exports."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.errors import InvalidInputError
from cases.infra.models import ResolutionSnapshot
from cases.providers.models import ProviderKind
from cases.sites.models import Domain
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.escalation import escalate_overdue
from cases.takedown.models import LegalBasis, NoticeState, TakedownCase
from cases.takedown.replies import import_message, record_reply
from cases.takedown.review import approve
from cases.takedown.services import get_notice
from cases.takedown.statistics import lumen_export, scorecards, yearly_counts

ACTOR = Actor("test:escalation")


def snapshot(factory: sessionmaker[Session], site_id: int, cdn: str | None = "Cloudflare, Inc.") -> None:
    with transaction(factory) as session:
        domain = session.exec(select(Domain).where(col(Domain.site_id) == site_id)).first()
        assert domain is not None
        session.add(
            ResolutionSnapshot(
                site_id=site_id,
                domain_id=domain.id or 0,
                host_organisation="bulletproof hosting ltd",
                cdn=cdn,
                registrar="Example Registrar",
            )
        )


async def send(factory: sessionmaker[Session], notice_id: int, out: Path) -> Any:
    with transaction(factory) as session:
        approve(session, ACTOR, notice_id)
    return await send_notice(factory, ACTOR, FileChannel(out), notice_id)


async def test_overdue_notices_climb_the_ladder_with_proof(
    factory: sessionmaker[Session], world: Any, approved_notice: int, tmp_path: Path
) -> None:
    snapshot(factory, world.site_id)
    host_notice = await send_notice(factory, ACTOR, FileChannel(tmp_path), approved_notice)
    with transaction(factory) as session:  # not yet due: nothing moves
        assert escalate_overdue(session, ACTOR, utcnow() + dt.timedelta(days=2)) == []
    with transaction(factory) as session:
        (step,) = escalate_overdue(session, ACTOR, utcnow() + dt.timedelta(days=4))
        assert step.notice_id == approved_notice and step.step == "cdn"
        assert get_notice(session, approved_notice).state == NoticeState.ESCALATED
        cdn_notice = get_notice(session, step.new_notice_id or 0)
        assert (cdn_notice.provider_id, cdn_notice.legal_basis, cdn_notice.state) == (
            world.cdn_id,
            LegalBasis.DMCA,
            NoticeState.IN_REVIEW,
        )
        assert cdn_notice.escalated_from_id == approved_notice
        old_case = session.get(TakedownCase, get_notice(session, approved_notice).case_id)
        assert old_case is not None and old_case.status == "escalated"
    sent_cdn = await send(factory, cdn_notice.id or 0, tmp_path)
    assert sent_cdn.due_at == sent_cdn.sent_at + dt.timedelta(days=5)
    with transaction(factory) as session:
        (step,) = escalate_overdue(session, ACTOR, utcnow() + dt.timedelta(days=6))
        registrar_notice = get_notice(session, step.new_notice_id or 0)
    # manga-raw.io is a ccTLD (.io): its registrar follows the registry's policy, not the RAA
    assert (step.step, registrar_notice.provider_id, registrar_notice.legal_basis) == (
        "registrar",
        world.registrar_id,
        LegalBasis.REGISTRY_POLICY,
    )
    text = registrar_notice.rendered_text or ""
    assert "Prior reports" in text
    assert "Bulletproof Hosting Ltd (dmca_512c3)" in text and "Cloudflare, Inc. (dmca_512c3)" in text
    assert host_notice.rendered_sha256 in text and sent_cdn.rendered_sha256 in text
    assert text.count("https://manga-raw.io/w1/") == 3


async def test_ladder_skips_steps_without_a_provider_and_is_configurable(
    factory: sessionmaker[Session], world: Any, approved_notice: int, tmp_path: Path
) -> None:
    snapshot(factory, world.site_id, cdn=None)
    await send_notice(factory, ACTOR, FileChannel(tmp_path), approved_notice)
    later = utcnow() + dt.timedelta(days=30)
    with transaction(factory) as session:
        (step,) = escalate_overdue(session, ACTOR, later, ladder=(ProviderKind.HOST, ProviderKind.SEARCH_ENGINE))
        notice = get_notice(session, step.new_notice_id or 0)
    assert (step.step, notice.provider_id, notice.legal_basis) == ("search_engine", world.search_id, LegalBasis.SEARCH)
    assert (notice.rendered_text or "").startswith("# Work W1")


async def test_bounce_and_replies_move_the_notice(
    factory: sessionmaker[Session], world: Any, approved_notice: int, tmp_path: Path
) -> None:
    sent = await send_notice(factory, ACTOR, FileChannel(tmp_path), approved_notice)
    bounce = EmailMessage()
    bounce["From"] = "MAILER-DAEMON@host.example"
    bounce["Subject"] = "Delivery Status Notification (Failure)"
    bounce["In-Reply-To"] = f"<{sent.idempotency_key}@piratewatch.invalid>"
    bounce.set_content("550 5.1.1 mailbox unknown")
    with transaction(factory) as session:
        reply = import_message(session, ACTOR, bounce)
        assert (reply.kind, reply.notice_id) == ("bounce", approved_notice)
        assert get_notice(session, approved_notice).state == NoticeState.BOUNCED
    with pytest.raises(InvalidInputError, match="kind"), transaction(factory) as session:
        record_reply(session, ACTOR, approved_notice, "thanks")


async def test_acknowledged_then_actioned_and_reports(
    factory: sessionmaker[Session], world: Any, approved_notice: int, tmp_path: Path
) -> None:
    await send_notice(factory, ACTOR, FileChannel(tmp_path), approved_notice)
    with transaction(factory) as session:
        record_reply(session, ACTOR, approved_notice, "acknowledgement", sender="abuse@host.example")
        assert get_notice(session, approved_notice).state == NoticeState.ACKNOWLEDGED
        record_reply(session, ACTOR, approved_notice, "actioned", body="removed")
        notice = get_notice(session, approved_notice)
        assert notice.state == NoticeState.ACTIONED and notice.closed_at is not None
    with transaction(factory) as session:
        (card,) = scorecards(session)
        assert (card.provider, card.sent, card.actioned, card.actioned_share, card.non_responsive) == (
            "Bulletproof Hosting Ltd",
            1,
            1,
            1.0,
            False,
        )
        assert card.median_hours_to_action is not None and card.median_hours_to_action >= 0
        (lumen,) = lumen_export(session)
        assert lumen["notice"]["type"] == "DMCA" and lumen["notice"]["action_taken"] == "Yes"
        (work,) = lumen["notice"]["works_attributes"]
        assert work["copyrighted_urls_attributes"] == [{"url": "https://publisher.example/W1"}]
        assert len(work["infringing_urls_attributes"]) == 3
        roles = {r["name"]: r["entity_attributes"]["name"] for r in lumen["notice"]["entity_notice_roles_attributes"]}
        assert roles == {
            "sender": "Hanako Yamada",
            "principal": "Association A",
            "recipient": "Bulletproof Hosting Ltd",
        }
        year = utcnow().year
        assert yearly_counts(session, year) == [
            {
                "year": year,
                "provider": "Bulletproof Hosting Ltd",
                "content_type": "manga",
                "action": "Yes",
                "notices": 1,
            }
        ]
        assert yearly_counts(session, year - 1) == []


async def test_unanswered_provider_is_flagged_non_responsive(
    factory: sessionmaker[Session], world: Any, sender: Any, tmp_path: Path
) -> None:
    from cases.takedown.services import draft_notice, open_case, submit_for_review

    ids = []
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        for basis in (LegalBasis.DMCA, LegalBasis.DSA, LegalBasis.JP_PLA):
            notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, basis, sender)
            submit_for_review(session, ACTOR, notice.id or 0)
            ids.append(notice.id or 0)
    for notice_id in ids:
        await send(factory, notice_id, tmp_path)
    with transaction(factory) as session:
        steps = escalate_overdue(session, ACTOR, utcnow() + dt.timedelta(days=30))
        (card,) = scorecards(session)
        assert scorecards(session, world.host_id) == [card]  # one provider's card, counted alone
        assert scorecards(session, world.host_id + 10_000) == []
    # All three climb (no snapshot: straight to the search engine); the DMCA and DSA ones share one delisting notice.
    assert [s.step for s in steps] == ["search_engine"] * 3
    assert len({s.new_notice_id for s in steps}) == 1
    assert (card.sent, card.unanswered, card.non_responsive, card.actioned_share) == (3, 3, True, 0.0)
