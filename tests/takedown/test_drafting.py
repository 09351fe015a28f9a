"""Drafting first notices on their own: sender profiles, the legal basis per recipient, crawl evidence."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.crawls.models import WorkFound
from cases.db import transaction
from cases.providers.models import Provider
from cases.takedown.drafting import basis_for, draft_first_notices, template_for
from cases.takedown.models import LegalBasis, Notice, NoticeItem, NoticeState
from cases.takedown.senders import set_sender_profile
from cases.takedown.services import open_case

ACTOR = Actor("test:drafting")


@pytest.mark.parametrize(
    ("kind", "country", "basis"),
    [
        ("host", "US", LegalBasis.DMCA),
        ("host", "NL", LegalBasis.DSA),
        ("cdn", "de", LegalBasis.DSA),
        ("host", "JP", LegalBasis.JP_PLA),
        ("host", None, LegalBasis.DMCA),
        ("registrar", "JP", LegalBasis.RAA),
        ("search_engine", "US", LegalBasis.SEARCH),
    ],
)
def test_basis_by_role_then_country(kind: str, country: str | None, basis: LegalBasis) -> None:
    assert basis_for(Provider(name="x", kind=kind, country=country)) is basis


def test_template_is_the_providers_format_only_when_usable() -> None:
    with_api = Provider(name="cf", kind="cdn", accepted_formats=["cloudflare_abuse_dmca"], abuse_api_url="http://a")
    without_api = Provider(name="cf2", kind="cdn", accepted_formats=["cloudflare_abuse_dmca"])
    assert template_for(with_api, LegalBasis.DMCA) == "cloudflare_abuse_dmca"
    assert template_for(without_api, LegalBasis.DMCA) == "dmca_512c3"
    assert template_for(with_api, LegalBasis.DSA) == "dsa_art16"


def _notices(factory: sessionmaker[Session]) -> list[Notice]:
    with factory() as session:
        return list(session.exec(select(Notice).order_by(col(Notice.id))))


def test_first_step_notices_per_association_with_a_profile(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any]
) -> None:
    with transaction(factory) as session:
        for provider_id in (world.host_id, world.cdn_id, world.registrar_id):
            open_case(session, ACTOR, world.site_id, provider_id)
        set_sender_profile(session, ACTOR, world.a_id, sender)
        # B's profile lacks the DMCA statements: its draft waits for an operator, with the reason
        set_sender_profile(session, ACTOR, world.b_id, {"name": "B", "email": "b@b.example", "signature": "/B/"})
        drafted = draft_first_notices(session, ACTOR, world.site_id)
    by_association = {d.association_id: d for d in drafted}
    assert set(by_association) == {world.a_id, world.b_id}
    assert all(d.provider == "Bulletproof Hosting Ltd" for d in drafted)  # the host: the ladder's first step
    assert by_association[world.a_id].queued and by_association[world.a_id].legal_basis == "dmca_512c3"
    assert not by_association[world.b_id].queued
    assert "sender.good_faith" in (by_association[world.b_id].problem or "")
    states = {n.association_id: n.state for n in _notices(factory)}
    assert states == {world.a_id: NoticeState.IN_REVIEW, world.b_id: NoticeState.DRAFT}
    # idempotent: a second pass drafts nothing while those notices are open
    with transaction(factory) as session:
        assert draft_first_notices(session, ACTOR, world.site_id) == []
    assert len(_notices(factory)) == 2


def test_no_profile_no_notice(factory: sessionmaker[Session], world: Any) -> None:
    with transaction(factory) as session:
        open_case(session, ACTOR, world.site_id, world.host_id)
        assert draft_first_notices(session, ACTOR, world.site_id) == []
    assert _notices(factory) == []


def test_crawl_matches_are_items_with_provenance_and_only_fresh_ones_are_notified_again(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any]
) -> None:
    with transaction(factory) as session:
        work_id = session.scalars(
            sa.text("SELECT id FROM work WHERE association_id = :a").bindparams(a=world.a_id)
        ).one()
        session.add(
            WorkFound(
                association_id=world.a_id,
                work_id=work_id,
                site_id=world.site_id,
                url="https://manga-raw.io/found/1",
                url_sha256="f" * 64,
                title_found="Work W1 chapter 1",
                title_matched="Work W1",
                score=97.5,
                content_sha256="c" * 64,
            )
        )
        host = session.get(Provider, world.host_id)
        assert host is not None
        host.country = "NL"  # an EU host: a DSA notice
        session.add(host)
        open_case(session, ACTOR, world.site_id, world.host_id)
        set_sender_profile(session, ACTOR, world.a_id, sender)
        [first] = draft_first_notices(session, ACTOR, world.site_id)
    assert first.legal_basis == "dsa_art16" and first.queued
    with factory() as session:
        items = list(session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == first.notice_id)))
    urls = {i.url: (i.evidence_item_id is not None, i.work_found_id is not None) for i in items}
    assert urls["https://manga-raw.io/found/1"] == (False, True)
    assert sum(1 for submitted, _ in urls.values() if submitted) == 3
    # the recipient rejected the notice; new evidence arrives; only the new URL is notified again
    with transaction(factory) as session:
        notice = session.get(Notice, first.notice_id)
        assert notice is not None
        notice.state = NoticeState.REJECTED
        session.add(notice)
        session.add(
            WorkFound(
                association_id=world.a_id,
                work_id=work_id,
                site_id=world.site_id,
                url="https://manga-raw.io/found/2",
                url_sha256="e" * 64,
                title_found="Work W1 chapter 2",
                title_matched="Work W1",
                score=96.0,
                content_sha256="d" * 64,
            )
        )
        [second] = draft_first_notices(session, ACTOR, world.site_id)
    with factory() as session:
        again = list(
            session.scalars(sa.select(col(NoticeItem.url)).where(col(NoticeItem.notice_id) == second.notice_id))
        )
    assert again == ["https://manga-raw.io/found/2"]


def test_sender_profile_api_is_the_associations_own(client: Any, tenants: Any, sender: dict[str, Any]) -> None:
    a, b = {"X-API-Key": tenants.a}, {"X-API-Key": tenants.b}
    path = f"/api/v1/associations/{tenants.a_id}/sender-profile"
    assert client.get(path, headers=a).json()["updated_at"] is None
    saved = client.put(path, json=sender, headers=a)
    assert saved.status_code == 200 and saved.json()["sender"]["good_faith"] is True
    assert client.get(path, headers=b).status_code == 404
    assert client.put(path, json={"name": "B"}, headers=b).status_code == 404
    operator = {"X-API-Key": tenants.operator}
    assert client.get(path, headers=operator).json()["sender"]["name"] == sender["name"]
    assert client.put(path, json={"name": "op"}, headers=operator).status_code == 403
    bad = client.put(path, json={"email": "not-an-address", "statement": True}, headers=a)
    assert bad.status_code == 422
    assert {d["loc"][-1] for d in bad.json()["detail"]} == {"email", "statement"}
    assert (
        client.put(path, json={**sender, "name": "Hanako Y."}, headers={"X-API-Key": tenants.admin}).status_code == 200
    )
