"""Routing by recipient: the law that binds each recipient picks the basis, afresh at every escalation;
DMCA notices go to the provider's designated agent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.infra.models import ResolutionSnapshot
from cases.providers.models import Provider
from cases.providers.services import add_provider, edit_provider
from cases.sites.models import Domain
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.outbox import begin_send
from cases.takedown.delivery.sending import send_notice
from cases.takedown.escalation import escalate_overdue
from cases.takedown.models import LegalBasis, NoticeState
from cases.takedown.review import approve
from cases.takedown.routing import basis_for, is_cctld
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review

ACTOR = Actor("test:routing")


@pytest.mark.parametrize(
    ("kind", "country", "domain", "basis"),
    [
        ("host", "US", "pirate.com", LegalBasis.DMCA),  # a US host: §512(c)(3)
        ("host", "NL", "pirate.com", LegalBasis.DSA),  # an EU host: DSA Art. 16
        ("host", "JP", "pirate.com", LegalBasis.JP_PLA),  # a Japanese host: the Japanese request
        ("cdn", "US", "pirate.jp", LegalBasis.DMCA),  # a US CDN: DMCA whatever the domain
        ("registrar", "US", "pirate.com", LegalBasis.RAA),  # a gTLD registrar: RAA §3.18
        ("registrar", "US", "pirate.online", LegalBasis.RAA),
        ("registrar", "JP", "pirate.jp", LegalBasis.REGISTRY_POLICY),  # a ccTLD: the registry's policy
        ("registrar", "US", "manga-raw.io", LegalBasis.REGISTRY_POLICY),
        ("registry", "US", "pirate.com", LegalBasis.REGISTRY_POLICY),  # a registry: never the RAA
        ("search_engine", "US", "pirate.com", LegalBasis.SEARCH),
    ],
)
def test_the_recipients_law_picks_the_basis(kind: str, country: str, domain: str, basis: LegalBasis) -> None:
    assert basis_for(Provider(name="x", kind=kind, country=country), domain) is basis


def test_cctlds_are_two_letter_top_labels() -> None:
    assert [is_cctld(d) for d in ("a.jp", "a.co.uk", "a.IO.", "a.com", "a.online", "a.xn--p1ai")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


async def test_a_japanese_hosts_request_goes_on_to_a_us_cdn_as_a_dmca_notice(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    with transaction(factory) as session:
        host = add_provider(
            session, ACTOR, "Sakura Hosting K.K.", "host", country="JP", abuse_email="abuse@sakura.example"
        )
        domain = session.exec(select(Domain).where(col(Domain.site_id) == world.site_id)).first()
        assert domain is not None
        session.add(
            ResolutionSnapshot(
                site_id=world.site_id,
                domain_id=domain.id or 0,
                host_organisation="Sakura Hosting K.K.",
                cdn="Cloudflare, Inc.",
                registrar="Example Registrar",
            )
        )
        case = open_case(session, ACTOR, world.site_id, host.id or 0)
        jp = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.JP_PLA, sender)
        submit_for_review(session, ACTOR, jp.id or 0)
        approve(session, ACTOR, jp.id or 0)
    await send_notice(factory, ACTOR, FileChannel(tmp_path), jp.id or 0)
    with transaction(factory) as session:
        (step,) = escalate_overdue(session, ACTOR, utcnow() + dt.timedelta(days=11))
        cdn_notice = get_notice(session, step.new_notice_id or 0)
        text = cdn_notice.rendered_text or ""
    assert (step.step, cdn_notice.provider_id, cdn_notice.legal_basis) == ("cdn", world.cdn_id, LegalBasis.DMCA)
    assert cdn_notice.state == NoticeState.IN_REVIEW and cdn_notice.escalated_from_id == jp.id
    assert text.startswith("Subject: DMCA notice") and "17 U.S.C. §512(c)(3)" in text
    assert not any("\u3040" <= c <= "\u30ff" for c in text.split("\n1.")[0])  # no Japanese in the letter itself


async def test_dmca_notices_go_to_the_designated_agent(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any]
) -> None:
    with transaction(factory) as session:
        edit_provider(session, ACTOR, world.host_id, dmca_agent_email="dmca-agent@host.example")
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        ids = {}
        for basis in (LegalBasis.DMCA, LegalBasis.DSA):
            notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, basis, sender)
            submit_for_review(session, ACTOR, notice.id or 0)
            approve(session, ACTOR, notice.id or 0)
            ids[basis] = notice.id or 0
    with transaction(factory) as session:
        dmca = begin_send(session, ACTOR, ids[LegalBasis.DMCA], "smtp").outgoing
        dsa = begin_send(session, ACTOR, ids[LegalBasis.DSA], "smtp").outgoing
    assert dmca.recipient_email == "dmca-agent@host.example"  # §512(c)(2): the designated agent
    assert dsa.recipient_email == "abuse@host.example"  # other notices: the abuse address


def test_a_cctld_registrar_gets_the_registry_policy_report(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any]
) -> None:
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.registrar_id)
        notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.REGISTRY_POLICY, sender)
        text = submit_for_review(session, ACTOR, notice.id or 0).rendered_text or ""
    assert text.startswith("Subject: Abuse report under the registry's abuse policy")
    assert "manga-raw.io" in text and "Registrar Accreditation Agreement" not in text
    assert text.count("https://manga-raw.io/w1/") == 3 and sender["explanation"] in text
