"""The registrar and registry step is actioned by what the domain shows: a hold, NXDOMAIN, a suspension page.

The snapshots are written in the resolver's own format (``SiteProfile`` dumped to JSON, as the resolve
job stores it), so the reader is tested against the shape the store really holds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.infra.models import ResolutionSnapshot
from cases.sites.models import Domain
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.domain_outcome import domain_outcomes, normalise_status, signal_of
from cases.takedown.models import ItemOutcome, LegalBasis, NoticeItem, NoticeState
from cases.takedown.recheck import Recheck
from cases.takedown.replies import check_outcomes
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from resolver.models import DnsResult, Failure, HttpProbe, Registration, SiteProfile

ACTOR = Actor("test:domain-outcome")
SUSPENSION_PAGE = "https://suspended.registrar.example/"


def profile(
    statuses: list[str] | None = None, *, nxdomain: bool = False, final_url: str | None = None
) -> dict[str, Any]:
    """A stored profile of manga-raw.io as the resolver writes it."""
    return SiteProfile(
        domain="manga-raw.io",
        registrable_domain="manga-raw.io",
        resolved_at=utcnow(),
        dns=DnsResult(name="manga-raw.io"),
        registration=Registration(domain="manga-raw.io", source="rdap", statuses=statuses or ["active"]),
        http=HttpProbe(start_url="https://manga-raw.io/", final_url=final_url, status=200) if final_url else None,
        failures=[Failure(stage="dns", target="manga-raw.io", kind="nxdomain", message="no such domain")]
        if nxdomain
        else [],
    ).model_dump(mode="json")


def add_snapshot(factory: sessionmaker[Session], site_id: int, stored: dict[str, Any], at: dt.datetime) -> int:
    with transaction(factory) as session:
        domain = session.exec(select(Domain).where(col(Domain.site_id) == site_id)).first()
        assert domain is not None
        snap = ResolutionSnapshot(
            site_id=site_id, domain_id=domain.id or 0, resolved_at=at, registrar="Example Registrar", profile=stored
        )
        session.add(snap)
        session.flush()
        return snap.id or 0


async def sent_registrar_notice(factory: sessionmaker[Session], world: Any, sender: dict[str, Any], out: Path) -> int:
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.registrar_id)
        notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.REGISTRY_POLICY, sender)
        submit_for_review(session, ACTOR, notice.id or 0)
        approve(session, ACTOR, notice.id or 0)
        notice_id = notice.id or 0
    await send_notice(factory, ACTOR, FileChannel(out), notice_id)
    return notice_id


async def test_a_domain_on_hold_after_the_notice_counts_as_actioned_with_its_evidence(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    notice_id = await sent_registrar_notice(factory, world, sender, tmp_path)
    seen_at = utcnow() + dt.timedelta(minutes=5)
    snap_id = add_snapshot(factory, world.site_id, profile(["client hold", "server transfer prohibited"]), seen_at)
    # every item is settled by the domain: no URL is fetched (a suspended domain would not even connect)
    state = await check_outcomes(factory, ACTOR, notice_id, Recheck(timeout=1.0))
    assert state == NoticeState.ACTIONED
    with factory() as session:
        items = list(session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id)))
        assert get_notice(session, notice_id).closed_at is not None
    assert {i.outcome for i in items} == {ItemOutcome.ACTIONED}
    stamp = seen_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    for item in items:
        assert item.outcome_reason == (
            f"domain manga-raw.io suspended: registration status 'client hold' (resolution {snap_id} at {stamp})"
        )


async def test_only_a_snapshot_after_sending_counts_and_an_active_domain_shows_nothing(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> None:
    notice_id = await sent_registrar_notice(factory, world, sender, tmp_path)
    add_snapshot(factory, world.site_id, profile(["client hold"]), utcnow() - dt.timedelta(days=1))
    with factory() as session:
        notice = get_notice(session, notice_id)
        items = list(session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id)))
        assert domain_outcomes(session, notice, items) == {}  # on hold before the notice: not its outcome
    add_snapshot(factory, world.site_id, profile(["client hold"]), utcnow() + dt.timedelta(minutes=1))
    add_snapshot(factory, world.site_id, profile(["active"]), utcnow() + dt.timedelta(minutes=2))
    with factory() as session:
        # the newest resolution decides: the hold was lifted again
        assert domain_outcomes(session, get_notice(session, notice_id), items) == {}
    add_snapshot(factory, world.site_id, profile(nxdomain=True), utcnow() + dt.timedelta(minutes=3))
    with factory() as session:
        found = domain_outcomes(session, get_notice(session, notice_id), items)
    assert {i.id for i in items} == set(found) and {s.kind for s in found.values()} == {"nxdomain"}


async def test_a_host_notice_is_never_settled_by_the_domain(
    factory: sessionmaker[Session], world: Any, approved_notice: int, tmp_path: Path
) -> None:
    await send_notice(factory, ACTOR, FileChannel(tmp_path), approved_notice)
    add_snapshot(factory, world.site_id, profile(["server hold"]), utcnow() + dt.timedelta(minutes=1))
    with factory() as session:
        notice = get_notice(session, approved_notice)
        items = list(session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == approved_notice)))
        assert notice.legal_basis == LegalBasis.DMCA
        assert domain_outcomes(session, notice, items) == {}


def test_signals_read_from_stored_profiles_and_hostile_shapes() -> None:
    at = utcnow()
    assert {normalise_status(s) for s in ("client hold", "clientHold https://icann.org/epp#clientHold")} == {
        "clienthold"
    }
    hold = signal_of(1, at, profile(["serverHold https://icann.org/epp#serverHold"]))
    assert hold is not None and (hold.kind, hold.domain) == ("rdap_hold", "manga-raw.io")
    nx = signal_of(2, at, profile(nxdomain=True))
    assert nx is not None and nx.kind == "nxdomain" and "NXDOMAIN" in nx.evidence
    page = profile(final_url=SUSPENSION_PAGE + "?d=manga-raw.io")
    assert signal_of(3, at, page) is None  # no suspension page configured: a redirect proves nothing
    shown = signal_of(3, at, page, [SUSPENSION_PAGE])
    assert shown is not None and shown.kind == "suspension_page" and SUSPENSION_PAGE in shown.evidence
    assert signal_of(4, at, profile(["client transfer prohibited", "active"])) is None
    for hostile in (
        None,
        [],
        "x",
        {"domain": 5},
        {"domain": "a.io", "registration": {"statuses": "client hold"}},
        {"domain": "a.io", "failures": ["nxdomain", None]},
        {"domain": "a.io", "http": []},
    ):
        assert signal_of(5, at, hostile) is None
