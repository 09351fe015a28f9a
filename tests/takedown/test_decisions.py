"""A recipient's rejection waits for the operator's decision (fix, escalate, close), in the store, over the
API and from the command line; one left undecided too long is escalated by upkeep, saying so."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from cases.audit.models import AuditEvent
from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.errors import ConflictError, InvalidInputError
from cases.infra.models import ResolutionSnapshot
from cases.sites.models import Domain
from cases.takedown.decisions import decide, escalate_undecided, undecided
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.escalation import escalate_overdue
from cases.takedown.models import ItemOutcome, LegalBasis, Notice, NoticeItem, NoticeState
from cases.takedown.recheck import Recheck
from cases.takedown.replies import record_reply
from cases.takedown.review import reject
from cases.takedown.senders import set_sender_profile
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from cases.takedown.statistics import yearly_counts
from cases.takedown.upkeep import has_work, run_upkeep
from piratewatch.cli import app

ACTOR = Actor("test:decisions")
S = NoticeState
runner = CliRunner()


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def _cdn_in_resolution(factory: sessionmaker[Session], site_id: int) -> None:
    with transaction(factory) as session:
        domain = session.exec(select(Domain.id).where(col(Domain.site_id) == site_id)).one()
        session.add(
            ResolutionSnapshot(
                site_id=site_id,
                domain_id=domain or 0,
                host_organisation="Bulletproof Hosting Ltd",
                cdn="Cloudflare, Inc.",
            )
        )


@pytest.fixture
async def rejected(factory: sessionmaker[Session], world: Any, approved_notice: int, tmp_path: Path) -> int:
    """Association A's DMCA notice to the host, sent, then refused by the host in a reply."""
    _cdn_in_resolution(factory, world.site_id)
    await send_notice(factory, ACTOR, FileChannel(tmp_path / "out"), approved_notice)
    with transaction(factory) as session:
        record_reply(session, ACTOR, approved_notice, "rejected", body="We need a sworn statement per URL.")
    return approved_notice


def _events(factory: sessionmaker[Session], notice_id: int) -> list[AuditEvent]:
    with factory() as session:
        return list(
            session.exec(
                select(AuditEvent).where(
                    col(AuditEvent.entity_type) == "notice", col(AuditEvent.entity_id) == str(notice_id)
                )
            )
        )


def _age_rejection(factory: sessionmaker[Session], notice_id: int, days: int) -> None:
    with transaction(factory) as session:
        notice = get_notice(session, notice_id)
        notice.rejected_at = utcnow() - dt.timedelta(days=days)
        session.add(notice)


async def test_a_rejection_waits_for_a_decision_instead_of_climbing(
    factory: sessionmaker[Session], rejected: int
) -> None:
    with factory() as session:
        notice = get_notice(session, rejected)
        assert notice.state == S.REJECTED and notice.decision is None
        assert notice.rejected_at is not None and utcnow() - notice.rejected_at < dt.timedelta(minutes=5)
        assert [n.id for n in undecided(session)] == [rejected]
    with transaction(factory) as session:  # the old ladder escalated it at once: now it waits
        assert escalate_overdue(session, ACTOR, utcnow() + dt.timedelta(days=13)) == []
        assert escalate_undecided(session, ACTOR, dt.timedelta(days=14), utcnow() + dt.timedelta(days=13)) == []
        assert get_notice(session, rejected).state == S.REJECTED
    with factory() as session:
        assert not has_work(session, decision_wait=dt.timedelta(days=14))
        assert has_work(session, decision_wait=dt.timedelta(days=14), now=utcnow() + dt.timedelta(days=15))


async def test_fix_drafts_the_notice_again_with_the_reason(
    factory: sessionmaker[Session], world: Any, rejected: int, sender: dict[str, Any]
) -> None:
    with transaction(factory) as session:  # the association fixes its profile: the new draft takes it
        set_sender_profile(session, ACTOR, world.a_id, {**sender, "phone": "+81 3 1234 5678"})
        item = session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == rejected)).first()
        assert item is not None
        item.outcome = ItemOutcome.ACTIONED  # one URL went down meanwhile: not sent again
        session.add(item)
    with transaction(factory) as session:
        taken = decide(session, ACTOR, rejected, "fix", "insufficient_evidence", note="asks for a sworn statement")
        old, new = get_notice(session, rejected), get_notice(session, taken.new_notice_id or 0)
        assert (taken.state, old.state, old.closed_at is not None) == ("superseded", S.SUPERSEDED, True)
        assert (old.decision, old.decision_reason, old.decision_note) == (
            "fix",
            "insufficient_evidence",
            "asks for a sworn statement",
        )
        assert old.decided_by == ACTOR.name and old.decided_at is not None
        assert (new.state, new.case_id, new.provider_id, new.legal_basis, new.template) == (
            S.DRAFT,
            old.case_id,
            old.provider_id,
            old.legal_basis,
            old.template,
        )
        assert new.idempotency_key != old.idempotency_key  # a new filing: never the one already made
        assert new.escalated_from_id == rejected and new.sender["phone"] == "+81 3 1234 5678"
        assert new.review_reason == (
            f"the recipient rejected notice {rejected} (insufficient evidence): asks for a sworn statement; "
            "fix this draft and submit it for review"
        )
        urls = sorted(i.url for i in session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == new.id)))
        assert urls == sorted({f"https://manga-raw.io/w1/{i}" for i in range(3)} - {item.url})
        with pytest.raises(ConflictError, match="superseded"):
            decide(session, ACTOR, rejected, "close", "other", note="twice")
        submit_for_review(session, ACTOR, new.id or 0)  # fixed: it goes to review as any draft
        assert new.state == S.IN_REVIEW
    changes = {(e.field, e.new_value) for e in _events(factory, rejected)}
    assert {("decision", "fix"), ("decision_reason", "insufficient_evidence"), ("state", "superseded")} <= changes
    with factory() as session:
        assert yearly_counts(session, utcnow().year)[0]["action"] == "No"  # the refusal still counts as one


async def test_escalate_takes_the_next_step_and_close_ends_it(
    factory: sessionmaker[Session], world: Any, rejected: int
) -> None:
    with transaction(factory) as session:
        taken = decide(session, ACTOR, rejected, "escalate", "wrong_recipient")
        assert (taken.state, taken.step) == ("escalated", "cdn")
        cdn = get_notice(session, taken.new_notice_id or 0)
        assert (cdn.provider_id, cdn.escalated_from_id, cdn.state) == (world.cdn_id, rejected, S.IN_REVIEW)
    # the CDN refuses too; the operator closes the matter with the reason
    with transaction(factory) as session:
        cdn = get_notice(session, taken.new_notice_id or 0)
        cdn.state, cdn.sent_at = S.ACKNOWLEDGED, utcnow()
        session.add(cdn)
        session.flush()
        record_reply(session, ACTOR, cdn.id or 0, "rejected", body="We are a pass-through network.")
        closed = decide(session, ACTOR, cdn.id or 0, "close", "disputes_infringement", note="disputed by the poster")
        assert closed.state == "closed" and closed.new_notice_id is None
        assert get_notice(session, cdn.id or 0).closed_at is not None
        assert undecided(session) == []
    assert ("state", "closed") in {(e.field, e.new_value) for e in _events(factory, taken.new_notice_id or 0)}


async def test_what_cannot_be_decided_is_refused_naming_why(
    factory: sessionmaker[Session], world: Any, rejected: int, sender: dict[str, Any]
) -> None:
    with transaction(factory) as session:
        for action, reason, note, template, field in [
            ("retry", "other", "x", None, "action"),
            ("close", "because", None, None, "reason"),
            ("close", "other", None, None, "note"),  # "other" says what it was
            ("close", "other", "   ", None, "note"),
            ("close", "other", "x" * 2001, None, "note"),
            ("close", "wrong_recipient", None, "dmca_512c3", "template"),
        ]:
            with pytest.raises(InvalidInputError) as refused:
                decide(session, ACTOR, rejected, action, reason, note=note, template=template)
            assert any(p.startswith(f"{field}:") for p in refused.value.problems), refused.value.problems
        with pytest.raises(InvalidInputError, match="template"), session.begin_nested():  # another basis's template
            decide(session, ACTOR, rejected, "fix", "needs_other_channel", template="dsa_art16")
        assert get_notice(session, rejected).state == S.REJECTED
        # a notice an operator rejected in review was never sent: no recipient's decision to take
        case = open_case(session, ACTOR, world.site_id, world.search_id)
        draft = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.DMCA, sender)
        submit_for_review(session, ACTOR, draft.id or 0)
        with pytest.raises(ConflictError, match="is in_review: a decision is taken on a notice its recipient rejected"):
            decide(session, ACTOR, draft.id or 0, "close", "other", note="x")
        reject(session, ACTOR, draft.id or 0, "wrong site")
        with pytest.raises(ConflictError, match="never sent"):
            decide(session, ACTOR, draft.id or 0, "escalate", "other", note="x")


async def test_upkeep_escalates_a_rejection_nobody_decided_on(
    factory: sessionmaker[Session], world: Any, rejected: int
) -> None:
    report = await run_upkeep(factory, ACTOR, {}, Recheck(timeout=1.0), decision_wait=dt.timedelta(days=3))
    assert report.undecided == [] and rejected not in report.escalated
    _age_rejection(factory, rejected, days=4)
    report = await run_upkeep(factory, ACTOR, {}, Recheck(timeout=1.0), decision_wait=dt.timedelta(days=3))
    (done,) = report.undecided
    assert (done.notice_id, done.action, done.state, done.step) == (rejected, "escalate", "escalated", "cdn")
    assert report.escalated[rejected] == done.new_notice_id
    with factory() as session:
        notice = get_notice(session, rejected)
        assert notice.decided_by == ACTOR.name and notice.decision_reason is None
        assert notice.decision_note is not None and notice.decision_note.startswith(
            "no decision within 3 days of the rejection ("
        )
        assert notice.decision_note.endswith("): escalated by upkeep")
    audit = {(e.field, e.new_value) for e in _events(factory, rejected)}
    assert ("decision", "escalate") in audit and ("state", "escalated") in audit
    assert any(f == "decision_note" and (v or "").endswith("escalated by upkeep") for f, v in audit)
    again = await run_upkeep(factory, ACTOR, {}, Recheck(timeout=1.0), decision_wait=dt.timedelta(days=3))
    assert again.undecided == []


async def test_a_rejection_kept_before_rejections_were_dated_is_escalated(
    factory: sessionmaker[Session], rejected: int
) -> None:
    with transaction(factory) as session:
        session.execute(sa.update(Notice).where(col(Notice.id) == rejected).values(rejected_at=None))
    with transaction(factory) as session:
        (done,) = escalate_undecided(session, ACTOR)
        assert done.notice_id == rejected
        assert "before rejections were dated" in (get_notice(session, rejected).decision_note or "")


# (body, the field the 422 must name): wrong types, unknown values, NUL, too long, fields the route lacks
HOSTILE: list[tuple[Any, str]] = [
    ({"action": "retry", "reason": "other", "note": "x"}, "action"),
    ({"action": ["fix"], "reason": "other", "note": "x"}, "action"),
    ({"reason": "other", "note": "x"}, "action"),
    ({"action": "close", "reason": 3}, "reason"),
    ({"action": "close", "reason": "other", "note": "a\u0000b"}, "body"),  # refused as the body is read
    ({"action": "close", "reason": "other", "note": "x" * 2001}, "note"),
    ({"action": "close", "reason": "other", "note": {"a": 1}}, "note"),
    ({"action": "fix", "reason": "other", "note": "x", "template": "../../etc"}, "template"),
    ({"action": "fix", "reason": "other", "note": "x", "template": "t" * 33}, "template"),
    ({"action": "close", "reason": "other", "note": "x", "decided_by": "someone else"}, "decided_by"),
    ({"action": "close", "reason": "other"}, "note"),  # "other" needs the note (the store's check)
    ({"action": "escalate", "reason": "wrong_recipient", "template": "dmca_512c3"}, "template"),
    (["close"], "body"),
]


async def test_the_decision_over_the_api(
    client: Any, tenants: Any, world: Any, rejected: int, factory: sessionmaker[Session]
) -> None:
    url = f"/api/v1/notices/{rejected}/decision"
    listed = client.get("/api/v1/rejections", headers=h(tenants.operator))
    assert listed.status_code == 200, listed.text
    (row,) = listed.json()
    assert (row["notice_id"], row["association_id"], row["reply"]) == (
        rejected,
        world.a_id,
        "We need a sworn statement per URL.",
    )
    assert dt.datetime.fromisoformat(row["escalates_at"]) - dt.datetime.fromisoformat(row["rejected_at"]) == (
        dt.timedelta(days=14)
    )
    for key in (tenants.a, tenants.b):  # both the notice's own association and another: operators' steps
        assert client.get("/api/v1/rejections", headers=h(key)).status_code == 403
        body = {"action": "close", "reason": "other", "note": "x"}
        assert client.post(url, json=body, headers=h(key)).status_code == 403
    for body, field in HOSTILE:
        answer = client.post(url, json=body, headers=h(tenants.operator))
        assert answer.status_code == 422, (body if len(str(body)) < 200 else field, answer.text[:300])
        assert field in json.dumps(answer.json()["detail"])[:2000], (field, answer.text[:300])
    raw = '{"action": "close", "reason": "other", "note": "\\ud800 x"}'  # a lone surrogate
    answer = client.post(url, content=raw, headers={**h(tenants.operator), "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    with factory() as session:
        assert get_notice(session, rejected).state == S.REJECTED  # nothing of the refused bodies was kept
    assert (
        client.post(
            "/api/v1/notices/999999/decision",
            json={"action": "close", "reason": "wrong_recipient"},
            headers=h(tenants.operator),
        ).status_code
        == 404
    )
    fixed = client.post(
        url,
        json={"action": "fix", "reason": "needs_other_channel", "note": "use the web form"},
        headers=h(tenants.operator),
    )
    assert fixed.status_code == 200, fixed.text
    answer = fixed.json()
    assert (answer["action"], answer["state"], answer["reason"]) == ("fix", "superseded", "needs_other_channel")
    again = client.post(url, json={"action": "close", "reason": "wrong_recipient"}, headers=h(tenants.operator))
    assert again.status_code == 409 and "superseded" in again.text
    # association A reads the decision on its own notice; B does not know the notice
    seen = client.get(f"/api/v1/notices/{rejected}", headers=h(tenants.a)).json()
    assert (seen["decision"], seen["decision_reason"], seen["decision_note"]) == (
        "fix",
        "needs_other_channel",
        "use the web form",
    )
    assert seen["decided_by"].startswith("key:")
    assert client.get(f"/api/v1/notices/{rejected}", headers=h(tenants.b)).status_code == 404
    draft = client.get(f"/api/v1/notices/{answer['new_notice_id']}", headers=h(tenants.a)).json()
    assert draft["state"] == "draft" and "use the web form" in draft["review_reason"]
    assert client.get("/api/v1/rejections", headers=h(tenants.operator)).json() == []


async def test_the_decision_from_the_command_line(
    db_url: str, factory: sessionmaker[Session], rejected: int, tmp_path: Path
) -> None:
    env = {
        "PIRATEWATCH_DATABASE_URL": db_url,
        "PIRATEWATCH_DATA_DIR": str(tmp_path),
        "PIRATEWATCH_NOTICES__REJECTION_DECISION_DAYS": "5",
    }
    listed = runner.invoke(app, ["notices", "rejections", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)
    assert row["notice_id"] == rejected
    assert dt.datetime.fromisoformat(row["escalates_at"]) - dt.datetime.fromisoformat(row["rejected_at"]) == (
        dt.timedelta(days=5)
    )
    shown = runner.invoke(app, ["notices", "rejections"], env=env)
    assert f"notice {rejected} (dmca_512c3): rejected" in shown.stdout and "notices decide" in shown.stdout
    bad = runner.invoke(app, ["notices", "decide", str(rejected), "--action", "retry", "--reason", "other"], env=env)
    assert bad.exit_code == 1 and "action: one of fix, escalate, close" in bad.output
    bad = runner.invoke(app, ["notices", "decide", str(rejected), "--action", "close", "--reason", "other"], env=env)
    assert bad.exit_code == 1 and "note:" in bad.output
    args = ["notices", "decide", str(rejected), "--action", "escalate", "--reason", "wrong_recipient"]
    done = runner.invoke(app, args, env=env)
    assert done.exit_code == 0, done.output
    assert f"notice {rejected}: escalated (wrong_recipient); notice " in done.stdout and " at cdn" in done.stdout
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 1 and "escalated" in again.output
    empty = runner.invoke(app, ["notices", "rejections"], env=env)
    assert "no rejection waits for a decision" in empty.stdout
