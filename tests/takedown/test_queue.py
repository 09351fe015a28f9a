"""The operators' queue: claims never collide, approve, reject with a reason, bulk approve, filters."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.errors import ConflictError, InvalidInputError
from cases.takedown.models import LegalBasis, Notice, NoticeItem, NoticeState
from cases.takedown.review import QueueFilters, approve, bulk_approve, claim_next, list_queue, reject
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review

SETUP = Actor("test:queue")


def make_notices(factory: sessionmaker[Session], world: Any, sender: dict[str, Any], count: int) -> list[int]:
    """`count` notices in review: one per (provider, basis) of association A, on fresh cases."""
    from cases.providers.services import add_provider

    ids = []
    with transaction(factory) as session:
        for i in range(count):
            provider = add_provider(session, SETUP, f"Host {i}", "host")
            case = open_case(session, SETUP, world.site_id, provider.id or 0)
            notice = draft_notice(session, SETUP, case.id or 0, world.a_id, LegalBasis.DMCA, sender)
            submit_for_review(session, SETUP, notice.id or 0)
            ids.append(notice.id or 0)
    return ids


def test_claim_approve_reject(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    first, second = make_notices(factory, world, sender, 2)
    alice, bob = Actor("key:alice"), Actor("key:bob")
    with transaction(factory) as session:
        claimed = claim_next(session, alice)
        assert claimed is not None and claimed.id == first and claimed.claimed_by == "key:alice"
    with transaction(factory) as session:
        other = claim_next(session, bob)
        assert other is not None and other.id == second
    with pytest.raises(ConflictError, match="claimed by key:alice"), transaction(factory) as session:
        approve(session, bob, first)
    with pytest.raises(InvalidInputError, match="reason"), transaction(factory) as session:
        reject(session, bob, second, "  ")
    with transaction(factory) as session:
        assert approve(session, alice, first).state == NoticeState.APPROVED
        rejected = reject(session, bob, second, "URLs point at the publisher's own preview")
        assert (rejected.state, rejected.rejection_reason) == (
            NoticeState.REJECTED,
            "URLs point at the publisher's own preview",
        )
        assert claim_next(session, alice) is None


def test_bulk_approve_reports_each_refusal(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    ids = make_notices(factory, world, sender, 3)
    with transaction(factory) as session:
        claim_next(session, Actor("key:carol"))  # holds ids[0]
    with transaction(factory) as session:
        approved, refused = bulk_approve(session, Actor("key:dave"), [*ids, 999999])
    assert approved == ids[1:]
    assert set(refused) == {ids[0], 999999} and "claimed by key:carol" in refused[ids[0]]
    with transaction(factory) as session:
        assert [get_notice(session, i).state for i in ids] == [
            NoticeState.IN_REVIEW,
            NoticeState.APPROVED,
            NoticeState.APPROVED,
        ]


def test_filters(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    ids = make_notices(factory, world, sender, 2)
    with transaction(factory) as session:
        case = open_case(session, SETUP, world.site_id, world.registrar_id)
        host_case = open_case(session, SETUP, world.site_id, world.host_id)  # the prior report an RAA one needs
        prior = draft_notice(session, SETUP, host_case.id or 0, world.b_id, LegalBasis.DMCA, sender)
        prior.state, prior.sent_at, prior.rendered_sha256 = NoticeState.SENT, utcnow(), "0" * 64
        raa = draft_notice(session, SETUP, case.id or 0, world.a_id, LegalBasis.RAA, sender, escalated_from_id=prior.id)
        submit_for_review(session, SETUP, raa.id or 0)
        soon = session.get(Notice, ids[0])
        assert soon is not None
        soon.due_at = utcnow() + dt.timedelta(hours=2)
    with transaction(factory) as session:

        def ids_of(**kw: Any) -> list[int]:
            return [n.id or 0 for n in list_queue(session, QueueFilters(**kw))]

        assert ids_of() == [ids[0], ids[1], raa.id]  # due first
        assert ids_of(recipient_kind="registrar") == [raa.id]
        assert ids_of(legal_basis="raa_3_18") == [raa.id]
        assert ids_of(association_id=world.b_id) == []
        assert ids_of(association_id=world.a_id, due_within=dt.timedelta(days=1)) == [ids[0]]
        claimed = claim_next(session, Actor("key:erin"), QueueFilters(recipient_kind="registrar"))
        assert claimed is not None and claimed.id == raa.id


def test_stale_claim_returns_to_the_queue(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    (notice_id,) = make_notices(factory, world, sender, 1)
    with transaction(factory) as session:
        claim_next(session, Actor("key:gone"))
        notice = get_notice(session, notice_id)
        notice.claimed_at = utcnow() - dt.timedelta(hours=2)
    with transaction(factory) as session:
        again = claim_next(session, Actor("key:next"))
        assert again is not None and again.id == notice_id and again.claimed_by == "key:next"


def test_eight_concurrent_claimers_never_share_a_notice(
    factory: sessionmaker[Session], world: Any, sender: Any, db_url: str
) -> None:
    ids = make_notices(factory, world, sender, 40)
    claims: dict[str, list[int]] = {f"key:op{i}": [] for i in range(8)}
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def operator(name: str) -> None:
        try:
            barrier.wait()
            while True:
                with transaction(factory) as session:
                    notice = claim_next(session, Actor(name))
                    if notice is None:
                        return
                    claims[name].append(notice.id or 0)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=operator, args=(name,)) for name in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    everything = [i for got in claims.values() for i in got]
    assert sorted(everything) == sorted(ids)  # every notice claimed exactly once
    assert len(set(everything)) == len(everything)
    if db_url.startswith("postgresql"):
        assert sum(1 for got in claims.values() if got) > 1  # the claimers really ran side by side


def test_a_queued_notice_is_due_for_review_within_two_days(
    factory: sessionmaker[Session], world: Any, sender: Any
) -> None:
    before = utcnow()
    (notice_id,) = make_notices(factory, world, sender, 1)
    with factory() as session:
        due = get_notice(session, notice_id).due_at
    assert due is not None and before + dt.timedelta(days=2) <= due <= utcnow() + dt.timedelta(days=2)
    soon = list_queue_ids(factory, QueueFilters(due_within=dt.timedelta(days=3)))
    later = list_queue_ids(factory, QueueFilters(due_within=dt.timedelta(days=1)))
    assert notice_id in soon and notice_id not in later


def list_queue_ids(factory: sessionmaker[Session], filters: QueueFilters) -> list[int]:
    with factory() as session:
        return [n.id or 0 for n in list_queue(session, filters, 50, None)]


async def test_sending_a_notice_that_is_not_approved_touches_nothing(
    factory: sessionmaker[Session], world: Any, sender: Any, tmp_path: Any
) -> None:
    from cases.takedown.delivery.channels import FileChannel
    from cases.takedown.delivery.sending import send_notice
    from cases.takedown.recheck import Recheck

    (notice_id,) = make_notices(factory, world, sender, 1)  # in review, not approved; its URLs do not resolve
    with pytest.raises(ConflictError, match="not approved"):
        await send_notice(factory, SETUP, FileChannel(tmp_path / "out"), notice_id, recheck=Recheck(timeout=1))
    with factory() as session:
        notice = get_notice(session, notice_id)
        assert notice.state == NoticeState.IN_REVIEW
        checked = session.scalars(sa.select(NoticeItem.checked_at).where(NoticeItem.notice_id == notice_id)).all()
    assert checked and all(c is None for c in checked)  # not re-checked either
    assert not (tmp_path / "out").exists()


def test_a_claim_is_audited_with_who_and_which_request(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    first, second = make_notices(factory, world, sender, 2)
    with transaction(factory) as session:
        session.get(Notice, second).due_at = utcnow() + dt.timedelta(hours=1)  # type: ignore[union-attr]
    # every filter at once: on PostgreSQL each is a parameter of a statement built once per shape
    filters = QueueFilters(
        association_id=world.a_id, recipient_kind="host", legal_basis="dmca_512c3", due_within=dt.timedelta(hours=2)
    )
    with transaction(factory) as session:
        claimed = claim_next(session, Actor("key:frank", world.a_id, "req-42"), filters)
        assert claimed is not None and claimed.id == second  # the only one due within two hours
        assert claim_next(session, Actor("key:gina"), filters) is None  # the other is not due yet
        assert claim_next(session, Actor("key:gina", None, "req-43"), QueueFilters()).id == first  # type: ignore[union-attr]
    with factory() as session:
        events = session.execute(
            sa.text(
                "SELECT entity_id, actor, association_id, field, old_value, new_value, request_id FROM audit_event "
                "WHERE entity_type = 'notice' AND field = 'claimed_by' ORDER BY id"
            )
        ).all()
    assert [tuple(e) for e in events] == [
        (str(second), "key:frank", world.a_id, "claimed_by", None, "key:frank", "req-42"),
        (str(first), "key:gina", None, "claimed_by", None, "key:gina", "req-43"),
    ]
