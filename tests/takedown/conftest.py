"""A small world for takedown tests: one site reported by associations A and B, and its providers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from cases.audit.services import Actor
from cases.db import transaction
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.providers.services import add_provider
from cases.takedown.work_rights import set_work_rights
from cases.works.models import Work

from ..conftest import SENDER

#: a complete rights statement of a work (the Japanese copyright request asks for each element)
WORK_RIGHTS: dict[str, object] = {
    "right_infringed": "公衆送信権（著作権法第23条）",
    "manner": "full_copy",
    "protection_period": "2019年公表。著作者は存命であり、著作者の死後70年の保護期間内",
    "no_licence": True,
    "proof_of_right": "出版権設定契約書の写し（添付資料1）",
    "verification": "正規版の該当話と侵害情報の画像を比較することで確認できます",
}

ACTOR = Actor("test:takedown")


def site_in(ref: str, urls: list[str], work_ref: str = "W1") -> SiteIn:
    """A submission of manga-raw.io with evidence `urls` for one work."""
    return SiteIn.model_validate(
        {
            "source_ref": ref,
            "domains": ["manga-raw.io"],
            "works": [
                {
                    "ref": work_ref,
                    "titles": {"en": f"Work {work_ref}"},
                    "content_type": "manga",
                    "rights_holder": "Publisher K.K.",
                    "official_url": f"https://publisher.example/{work_ref}",
                }
            ],
            "evidence": [{"url": u, "work_ref": work_ref} for u in urls],
        }
    )


@dataclass
class World:
    """Ids of what the fixture created."""

    site_id: int
    host_id: int
    cdn_id: int
    registrar_id: int
    search_id: int
    a_id: int
    b_id: int


@pytest.fixture
def world(factory: sessionmaker[Session], tenants: Any) -> World:
    with transaction(factory) as session:
        results, _ = submit_sites(
            session,
            ACTOR,
            tenants.a_id,
            [site_in("A-1", [f"https://manga-raw.io/w1/{i}" for i in range(3)])],
            via="api",
        )
        submit_sites(session, ACTOR, tenants.b_id, [site_in("B-1", ["https://manga-raw.io/secret-b"], "WB")], via="api")
        site_id = results[0].site_id if results[0] else 0
        host = add_provider(
            session,
            ACTOR,
            "Bulletproof Hosting Ltd",
            "host",
            abuse_email="abuse@host.example",
            expected_response_days=3,
        )
        cdn = add_provider(session, ACTOR, "Cloudflare, Inc.", "cdn", country="US", abuse_api_url="http://x.invalid")
        registrar = add_provider(session, ACTOR, "Example Registrar", "registrar", abuse_email="abuse@reg.example")
        search = add_provider(session, ACTOR, "Google LLC", "search_engine", country="us")
        for work in session.exec(select(Work)):  # each work's rights statement, as its association made it
            set_work_rights(session, ACTOR, work.id or 0, dict(WORK_RIGHTS))
        return World(site_id, host.id or 0, cdn.id or 0, registrar.id or 0, search.id or 0, tenants.a_id, tenants.b_id)


@pytest.fixture
def sender() -> dict[str, Any]:
    """Complete sender details: every element any legal basis asks for."""
    return dict(SENDER)


@pytest.fixture
def smtp_sink() -> Any:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it receives."""
    from lab.smtp_sink import SmtpSink

    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def approved_notice(factory: sessionmaker[Session], world: World, sender: dict[str, Any]) -> int:
    """A DMCA notice of association A to the host, reviewed and approved."""
    from cases.takedown.models import LegalBasis
    from cases.takedown.review import approve
    from cases.takedown.services import draft_notice, open_case, submit_for_review

    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.DMCA, sender)
        submit_for_review(session, ACTOR, notice.id or 0)
        approve(session, ACTOR, notice.id or 0)
        return notice.id or 0


def sent_weeks_ago(factory: sessionmaker[Session], notice_id: int, days: int = 40) -> dt.datetime:
    """Date a sent notice's sending `days` back; the first Friday (10:00 UTC) after that day, a counter-notice's
    date that lies in the past with its whole clock (a step's time may not lie ahead of the store's clock)."""
    from cases.db import utcnow
    from cases.takedown.services import get_notice

    sent_at = utcnow() - dt.timedelta(days=days)
    with transaction(factory) as session:
        notice = get_notice(session, notice_id)
        notice.sent_at = sent_at
        session.add(notice)
    day = (sent_at + dt.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    return day + dt.timedelta(days=(4 - day.weekday()) % 7)
