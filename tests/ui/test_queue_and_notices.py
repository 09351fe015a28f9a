"""The queue and a notice's page through the app: filters, claim, approve, reject, bulk approve, send."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine


def rows(html: str, table: str | None = None) -> list[int]:
    """The notice ids listed in a page's table rows (in the table of that id only, if given)."""
    if table is not None:
        html = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return [int(i) for i in re.findall(r'<tr data-notice="(\d+)">', html)]


def rows_in_queue(html: str) -> list[int]:
    return rows(html, "queue-table")


def state_of(engine: Engine, notice_id: int) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT state FROM notice WHERE id = :i"), {"i": notice_id}).scalar_one())


def test_the_queue_lists_notices_in_review_with_filters(world: Any, tenants: Any, signed_in: Any, factory: Any) -> None:
    from cases.db import transaction, utcnow
    from cases.takedown.models import Notice

    with transaction(factory) as session:
        notice = session.get(Notice, world.a_notice)
        assert notice is not None
        notice.due_at = utcnow() + dt.timedelta(hours=10)
    ops = signed_in(tenants.operator)
    assert sorted(rows(ops.get("/ui/queue").text, "queue-table")) == sorted([world.a_notice, world.b_notice])
    assert rows_in_queue(ops.get("/ui/queue", params={"association_id": world.a_id}).text) == [world.a_notice]
    assert rows_in_queue(ops.get("/ui/queue", params={"recipient_kind": "cdn"}).text) == [world.b_notice]
    assert rows_in_queue(ops.get("/ui/queue", params={"legal_basis": "dsa_art16"}).text) == []
    assert rows_in_queue(ops.get("/ui/queue", params={"due_within_hours": "24"}).text) == [world.a_notice]
    assert rows_in_queue(ops.get("/ui/queue", params={"due_within_hours": "4"}).text) == []
    shown = ops.get("/ui/queue", params={"recipient_kind": "cdn", "association_id": ""}).text
    assert '<option value="cdn" selected>' in shown
    bad = ops.get("/ui/queue", params={"recipient_kind": "pirate"})
    assert bad.status_code == 422 and "recipient kind: must be one of" in bad.text


def test_claim_next_gives_two_operators_different_notices(
    world: Any, tenants: Any, signed_in: Any, ui_app: Any
) -> None:
    first, second = signed_in(tenants.operator), signed_in(tenants.admin)
    one = first.post("/ui/queue/claim")
    two = second.post("/ui/queue/claim")
    assert one.status_code == two.status_code == 303
    claimed = {one.headers["location"], two.headers["location"]}
    assert claimed == {f"/ui/notices/{world.a_notice}", f"/ui/notices/{world.b_notice}"}
    page = first.get(one.headers["location"]).text
    assert re.search(r'data-testid="claimed-by">key:\d+\s*<span class="muted" data-testid="claim-expires">until ', page)
    nothing = first.post("/ui/queue/claim")
    assert nothing.status_code == 200 and "Nothing is waiting for review" in nothing.text
    # the notice the other operator holds cannot be approved from here
    held_by_second = int(two.headers["location"].rsplit("/", 1)[1])
    refused = first.post(f"/ui/notices/{held_by_second}/approve", htmx=True)
    assert refused.status_code == 409 and "is claimed by" in refused.text


def test_claim_respects_the_filters(world: Any, tenants: Any, signed_in: Any) -> None:
    ops = signed_in(tenants.operator)
    answer = ops.post("/ui/queue/claim", {"recipient_kind": "cdn"})
    assert answer.headers["location"] == f"/ui/notices/{world.b_notice}"


def test_approve_and_reject_from_the_notice_page(world: Any, tenants: Any, signed_in: Any, engine: Engine) -> None:
    ops = signed_in(tenants.operator)
    approved = ops.post(f"/ui/notices/{world.a_notice}/approve", htmx=True)
    assert approved.status_code == 200 and "approved: ready to send" in approved.text
    assert 'data-testid="send"' in approved.text  # the page swapped in now offers sending
    assert state_of(engine, world.a_notice) == "approved"
    again = ops.post(f"/ui/notices/{world.a_notice}/approve", htmx=True)
    assert again.status_code == 409 and "not in review" in again.text
    no_reason = ops.post(f"/ui/notices/{world.b_notice}/reject", {"reason": "   "}, htmx=True)
    assert no_reason.status_code == 422 and "a rejection needs a reason" in no_reason.text
    assert state_of(engine, world.b_notice) == "in_review"
    rejected = ops.post(f"/ui/notices/{world.b_notice}/reject", {"reason": "URLs point at a licensed store"})
    assert rejected.status_code == 303 and rejected.headers["location"] == f"/ui/notices/{world.b_notice}"
    page = ops.get(rejected.headers["location"]).text
    assert 'data-testid="rejection-reason">URLs point at a licensed store<' in page
    assert state_of(engine, world.b_notice) == "rejected"
    assert ops.get("/ui/notices/999999").status_code == 404


def test_bulk_approve_reports_what_it_could_not_do(world: Any, tenants: Any, signed_in: Any, engine: Engine) -> None:
    ops = signed_in(tenants.operator)
    ops.post(f"/ui/notices/{world.b_notice}/reject", {"reason": "duplicate"})
    answer = ops.post("/ui/queue/approve", {"notice_ids": [world.a_notice, world.b_notice, 424242]}, htmx=True)
    assert answer.status_code == 200
    assert f"Approved 1 notice(s): {world.a_notice}." in answer.text
    assert f"notice {world.b_notice}: notice {world.b_notice} is rejected, not in review" in answer.text
    assert "notice 424242: notice 424242 not found" in answer.text
    assert state_of(engine, world.a_notice) == "approved"
    assert rows(answer.text, "queue-table") == []  # the queue swapped in is empty now
    assert rows(answer.text, "approved-table") == [world.a_notice]  # ... and the notice waits to be sent
    assert 'class="flash partial"' in answer.text  # partly done: neither a success nor a failure
    none = ops.post("/ui/queue/approve", {})
    assert none.status_code == 422 and "Tick the notices" in none.text


def test_a_notice_page_shows_text_hash_items_and_audit(
    world: Any, tenants: Any, signed_in: Any, engine: Engine
) -> None:
    with engine.connect() as conn:
        digest = conn.execute(sa.text("SELECT rendered_sha256 FROM notice WHERE id = :i"), {"i": world.a_notice}).one()[
            0
        ]
    page = signed_in(tenants.operator).get(f"/ui/notices/{world.a_notice}").text
    assert f'data-testid="sha256">{digest}<' in page
    assert "DMCA" in page and "/Hanako Yamada/" in page  # the rendered text
    assert page.count(world.a_secret) >= 4  # two items, each in the text and in the items table
    assert "Work WA" in page  # the work's title beside each item
    assert "create notice" in page and "in_review" in page  # audit trail: created, then queued


def test_send_goes_through_the_outbox_once(
    world: Any, tenants: Any, signed_in: Any, engine: Engine, smtp_sink: Any
) -> None:
    ops = signed_in(tenants.operator)
    ops.post(f"/ui/notices/{world.a_notice}/approve")
    sent = ops.post(f"/ui/notices/{world.a_notice}/send", {"channel": "smtp"}, htmx=True)
    assert sent.status_code == 200 and f"Notice {world.a_notice} sent by smtp." in sent.text
    assert 'data-testid="state">sent<' in sent.text
    assert state_of(engine, world.a_notice) == "sent"
    (message,) = smtp_sink.messages
    assert message["To"] == "abuse@host.example"
    with engine.connect() as conn:
        key = conn.execute(sa.text("SELECT idempotency_key FROM notice WHERE id = :i"), {"i": world.a_notice}).one()[0]
    assert message["X-Piratewatch-Idempotency-Key"] == key
    assert f"&lt;{key}@piratewatch.invalid&gt;" in sent.text  # the delivery attempt's Message-ID
    # A second click, or a second operator, cannot send it again.
    twice = ops.post(f"/ui/notices/{world.a_notice}/send", {"channel": "smtp"}, htmx=True)
    assert twice.status_code == 409 and "not approved" in twice.text
    assert len(smtp_sink.messages) == 1
    unknown = ops.post(f"/ui/notices/{world.b_notice}/send", {"channel": "fax"}, htmx=True)
    assert unknown.status_code == 422 and "channel: must be one of file, smtp" in unknown.text


def test_urls_failing_the_recheck_are_dropped_before_sending(
    world: Any, tenants: Any, signed_in: Any, submit_as: Any, draft_as: Any, evidence_site: str, smtp_sink: Any
) -> None:
    site = submit_as(world.a_id, "A-9", "mirror-raw.test", [f"{evidence_site}/live/1", f"{evidence_site}/gone/2"])
    notice = draft_as(site, world.host, world.a_id)
    ops = signed_in(tenants.operator)
    ops.post(f"/ui/notices/{notice}/approve")
    page = ops.post(f"/ui/notices/{notice}/send", {"channel": "smtp"}, htmx=True).text
    assert "sent by smtp" in page
    assert "no longer live: HTTP 404" in page  # the dropped item keeps its reason
    body = smtp_sink.messages[0].get_payload(decode=True).decode()
    assert f"{evidence_site}/live/1" in body and "/gone/2" not in body


def test_an_interrupted_email_waits_for_an_operators_answer(
    world: Any, tenants: Any, signed_in: Any, factory: Any, engine: Engine, smtp_sink: Any
) -> None:
    import asyncio
    import datetime as dt

    from cases.audit.services import Actor
    from cases.db import transaction
    from cases.takedown.delivery.channels import SmtpChannel
    from cases.takedown.delivery.outbox import begin_send, reconcile

    ops = signed_in(tenants.operator)
    ops.post(f"/ui/notices/{world.a_notice}/approve")
    # A sender took the notice and died before recording the outcome: the attempt stays "sending".
    with transaction(factory) as session:
        begin_send(session, Actor("test:crashed-worker"), world.a_notice, "smtp")
    page = ops.get(f"/ui/notices/{world.a_notice}").text
    assert "Check interrupted sends" in page
    fresh = ops.post(f"/ui/notices/{world.a_notice}/settle", htmx=True)
    assert "Nothing to settle for this notice yet" in fresh.text  # younger than the in-flight window
    channel = SmtpChannel("127.0.0.1", smtp_sink.port, "n@piratewatch.test")
    decisions = asyncio.run(reconcile(factory, Actor("test"), {"smtp": channel}, older_than=dt.timedelta(0)))
    assert decisions == {world.a_notice: "unconfirmed"}
    page = ops.get(f"/ui/notices/{world.a_notice}").text
    assert "nobody can tell whether it left" in page
    answer = ops.post(f"/ui/notices/{world.a_notice}/confirm", {"was_sent": "no"}, htmx=True)
    assert answer.status_code == 200 and f"Notice {world.a_notice} is now approved." in answer.text
    assert smtp_sink.messages == []  # nothing was sent behind the operator's back
    assert state_of(engine, world.a_notice) == "approved"


def test_a_draft_is_rendered_and_queued_or_told_what_it_lacks(
    world: Any, tenants: Any, signed_in: Any, draft_as: Any, factory: Any, engine: Engine
) -> None:
    from cases.audit.services import Actor
    from cases.db import transaction
    from cases.takedown.services import update_sender

    notice = draft_as(world.a_site, world.cdn, world.a_id, submit=False)
    with transaction(factory) as session:
        update_sender(session, Actor("test"), notice, {"signature": "", "good_faith": False})
    ops = signed_in(tenants.operator)
    refused = ops.post(f"/ui/notices/{notice}/submit", htmx=True)
    assert refused.status_code == 422
    assert "sender.signature" in refused.text and "sender.good_faith" in refused.text
    assert state_of(engine, notice) == "draft"
    with transaction(factory) as session:
        update_sender(session, Actor("test"), notice, {"signature": "/H. Y./", "good_faith": True})
    done = ops.post(f"/ui/notices/{notice}/submit", htmx=True)
    assert done.status_code == 200 and "queued for review" in done.text
    assert state_of(engine, notice) == "in_review"


def test_the_notices_list_filters_by_state(world: Any, tenants: Any, signed_in: Any) -> None:
    ops = signed_in(tenants.operator)
    ops.post(f"/ui/notices/{world.b_notice}/reject", {"reason": "no"})
    assert rows(ops.get("/ui/notices", params={"state": "rejected"}).text) == [world.b_notice]
    assert sorted(rows(ops.get("/ui/notices").text)) == sorted([world.a_notice, world.b_notice])
    assert "rejected: 1" in ops.get("/ui/notices").text
    assert ops.get("/ui/notices", params={"state": "lost"}).status_code == 422


def test_lists_come_a_page_at_a_time_by_cursor(
    world: Any, tenants: Any, signed_in: Any, engine: Engine, factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.takedown.list_pages import notices_page, queue_page
    from cases.takedown.review import QueueFilters, list_queue
    from cases.tenants.roles import Role
    from cases.tenants.services import Principal
    from piratewatch.web.ui import queue_views

    with engine.begin() as conn:  # one notice with no due date: it comes last, after the dated ones
        conn.execute(sa.text("UPDATE notice SET due_at = NULL WHERE id = :i"), {"i": world.a_notice})
    with factory() as session:
        expected = [n.id for n in list_queue(session, QueueFilters(), 100)]
        walked: list[int] = []
        cursor = None
        for _ in range(5):
            result = queue_page(session, QueueFilters(), 1, cursor)
            walked += [n.id for n in result.notices]
            cursor = result.next_cursor
            if cursor is None:
                break
        everyone = Principal(0, 0, Role.ADMIN)
        first = notices_page(session, everyone, None, 1)
        second = notices_page(session, everyone, None, 1, first.next_cursor)
    assert walked == expected == [world.b_notice, world.a_notice]
    assert [n.id for n in first.notices + second.notices] == sorted([world.a_notice, world.b_notice], reverse=True)
    assert second.next_cursor is None

    monkeypatch.setattr(queue_views, "QUEUE_PAGE", 1)
    ops = signed_in(tenants.operator)
    page_one = ops.get("/ui/queue").text
    assert rows_in_queue(page_one) == [world.b_notice]
    link = re.search(r'data-testid="next-page" href="([^"]+)"', page_one)
    assert link
    page_two = ops.get(link.group(1).replace("&amp;", "&")).text
    assert rows_in_queue(page_two) == [world.a_notice] and 'data-testid="next-page"' not in page_two
    assert ops.get("/ui/queue", params={"cursor": "not-a-cursor"}).status_code == 422
