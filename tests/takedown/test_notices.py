"""Drafting notices from evidence, the validator, the templates, and the state machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import transaction
from cases.errors import ConflictError, InvalidInputError
from cases.takedown import render as rendering
from cases.takedown.models import LegalBasis, NoticeState
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review, update_sender
from cases.takedown.states import TRANSITIONS, move

ACTOR = Actor("test:notices")


def _draft(factory: sessionmaker[Session], world: Any, sender: dict[str, Any], basis: LegalBasis, **kw: Any) -> int:
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, basis, sender, **kw)
        return notice.id or 0


def test_notice_items_are_the_associations_own_evidence(
    factory: sessionmaker[Session], world: Any, sender: Any
) -> None:
    notice_id = _draft(factory, world, sender, LegalBasis.DMCA)
    with transaction(factory) as session:
        submit_for_review(session, ACTOR, notice_id)
        notice = get_notice(session, notice_id)
        text = notice.rendered_text or ""
    assert notice.state == NoticeState.IN_REVIEW
    assert next(line.strip() for line in text.splitlines() if "manga-raw.io/w1/" in line).startswith("- https://")
    assert text.count("https://manga-raw.io/w1/") == 3
    assert "secret-b" not in text  # association B's evidence never leaks into A's notice
    assert "penalty of perjury" in text and "/Hanako Yamada/" in text and "good faith belief" in text
    assert len(notice.rendered_sha256 or "") == 64


@pytest.mark.parametrize(
    ("basis", "drop", "expected"),
    [
        (LegalBasis.DMCA, ["signature", "good_faith"], ["sender.signature", "sender.good_faith"]),
        (LegalBasis.DMCA, ["accuracy_under_perjury"], ["sender.accuracy_under_perjury"]),
        (LegalBasis.DSA, ["explanation", "bona_fide"], ["sender.explanation", "sender.bona_fide"]),
        (LegalBasis.DSA, ["email"], ["sender.email"]),
        (LegalBasis.JP_PLA, ["address", "acts_as"], ["sender.address", "sender.acts_as"]),
        (LegalBasis.JP_PLA, ["truth_statement"], ["sender.truth_statement"]),
        (LegalBasis.SEARCH, ["good_faith", "signature"], ["sender.good_faith", "sender.signature"]),
    ],
)
def test_validator_names_every_missing_element(
    factory: sessionmaker[Session],
    world: Any,
    sender: dict[str, Any],
    basis: LegalBasis,
    drop: list[str],
    expected: list[str],
) -> None:
    incomplete = {k: v for k, v in sender.items() if k not in drop}
    notice_id = _draft(factory, world, incomplete, basis)
    with pytest.raises(InvalidInputError) as err, transaction(factory) as session:
        submit_for_review(session, ACTOR, notice_id)
    assert sorted(p.split(":")[0] for p in err.value.problems) == sorted(expected)
    with transaction(factory) as session:
        assert get_notice(session, notice_id).state == NoticeState.DRAFT
        update_sender(session, ACTOR, notice_id, {k: sender[k] for k in drop})
        assert submit_for_review(session, ACTOR, notice_id).state == NoticeState.IN_REVIEW


def test_an_raa_report_needs_proof_of_the_prior_report(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    with transaction(factory) as session:
        registrar_case = open_case(session, ACTOR, world.site_id, world.registrar_id)
        alone = draft_notice(session, ACTOR, registrar_case.id or 0, world.a_id, LegalBasis.RAA, sender)
    with pytest.raises(InvalidInputError) as err, transaction(factory) as session:
        submit_for_review(session, ACTOR, alone.id or 0)
    assert [p.split(":")[0] for p in err.value.problems] == ["prior_reports"]
    assert "proof of the prior report" in err.value.problems[0]
    with transaction(factory) as session:  # the host was sent a notice first: its date and hash are the proof
        host_notice = get_notice(session, _draft(factory, world, sender, LegalBasis.DMCA))
        submit_for_review(session, ACTOR, host_notice.id or 0)
        host_notice.state, host_notice.sent_at = NoticeState.SENT, dt.datetime.now(dt.UTC)
        get_notice(session, alone.id or 0).escalated_from_id = host_notice.id
    with transaction(factory) as session:
        text = submit_for_review(session, ACTOR, alone.id or 0).rendered_text or ""
    assert "Prior reports to the hosting provider" in text and (host_notice.rendered_sha256 or "x") in text


def test_dsa_links_each_url_to_its_work(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    notice_id = _draft(factory, world, sender, LegalBasis.DSA, items=[("https://manga-raw.io/orphan", None)])
    with pytest.raises(InvalidInputError) as err, transaction(factory) as session:
        submit_for_review(session, ACTOR, notice_id)
    assert err.value.problems == [
        "items: https://manga-raw.io/orphan is linked to no work "
        "(DSA Art. 16(2)(a): the explanation must concern each item's work)"
    ]


def test_search_delisting_checks_its_file_limits(sender: dict[str, Any]) -> None:
    from cases.takedown.basis_checks import SEARCH_MAX_URLS

    work = rendering.WorkView(1, "Title\nwith a break", "Holder", "https://publisher.example/1")
    items = [rendering.ItemView(f"https://a.example/{i}", work) for i in range(SEARCH_MAX_URLS + 1)]
    items.append(rendering.ItemView("https://a.example/" + "x" * 2100, work))
    context = rendering.NoticeContext(
        "search_delisting", "Google", "a.example", sender, items, "k", rendering.utc_today()
    )
    with pytest.raises(InvalidInputError) as err:
        rendering.render(context)
    problems = err.value.problems
    assert f"items: {SEARCH_MAX_URLS + 2} URLs; a delisting file takes at most {SEARCH_MAX_URLS}" in problems
    assert any(p.startswith("items: URL longer than 2048 characters") for p in problems)
    assert "works: the title of work 1 has a line break (it would break the file)" in problems
    assert len(problems) == 3


def test_sender_details_are_held_to_the_profiles_limits(sender: dict[str, Any]) -> None:
    work = rendering.WorkView(1, "Work", "Holder", "https://publisher.example/1")
    items = [rendering.ItemView("https://a.example/1", work)]
    context = rendering.NoticeContext(
        "dmca_512c3",
        "Host",
        "a.example",
        {**sender, "name": "n" * 301, "email": "not-an-address"},
        items,
        "k",
        rendering.utc_today(),
    )
    with pytest.raises(InvalidInputError) as err:
        rendering.render(context)
    assert sorted(p.split(":")[0] for p in err.value.problems) == ["sender.email", "sender.name"]


def test_statement_must_be_confirmed_not_just_present(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    notice_id = _draft(factory, world, {**sender, "bona_fide": "yes"}, LegalBasis.DSA)
    with pytest.raises(InvalidInputError, match=r"sender\.bona_fide"), transaction(factory) as session:
        submit_for_review(session, ACTOR, notice_id)


def test_search_delisting_file_format(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    notice_id = _draft(factory, world, sender, LegalBasis.SEARCH)
    with transaction(factory) as session:
        text = submit_for_review(session, ACTOR, notice_id).rendered_text or ""
    lines = text.strip().splitlines()
    assert lines[0].startswith("# Work W1")
    assert lines[1] == "# https://publisher.example/W1"
    assert lines[2:] == [f"https://manga-raw.io/w1/{i}" for i in range(3)]


def test_one_open_notice_per_recipient_and_basis(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    _draft(factory, world, sender, LegalBasis.DMCA)
    with pytest.raises(ConflictError, match="still open"):
        _draft(factory, world, sender, LegalBasis.DMCA)
    assert _draft(factory, world, sender, LegalBasis.DSA) > 0


def test_template_must_serve_the_basis(factory: sessionmaker[Session], world: Any, sender: Any) -> None:
    with pytest.raises(InvalidInputError, match="template"):
        _draft(factory, world, sender, LegalBasis.DSA, template="dmca_512c3")


def test_state_machine_refuses_skips_and_audits_moves(
    factory: sessionmaker[Session], world: Any, sender: Any, engine: Engine
) -> None:
    notice_id = _draft(factory, world, sender, LegalBasis.DMCA)
    with pytest.raises(ConflictError, match="cannot become sent"), transaction(factory) as session:
        move(session, get_notice(session, notice_id), NoticeState.SENT, ACTOR)
    path = [NoticeState.IN_REVIEW, NoticeState.APPROVED, NoticeState.SENDING, NoticeState.SENT, NoticeState.DELIVERED]
    path += [NoticeState.ACKNOWLEDGED, NoticeState.NO_RESPONSE, NoticeState.ESCALATED]
    with transaction(factory) as session:
        for state in path:
            move(session, get_notice(session, notice_id), state, ACTOR)
    with engine.connect() as conn:
        moves = conn.execute(
            sa.text(
                "SELECT new_value FROM audit_event WHERE entity_type = 'notice' AND field = 'state' "
                "AND entity_id = :id ORDER BY id"
            ),
            {"id": str(notice_id)},
        ).scalars()
        assert list(moves) == [s.value for s in path]
    assert TRANSITIONS[NoticeState.ESCALATED] == frozenset()
