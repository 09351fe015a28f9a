"""A notice whose every URL was dropped by the re-check: shown apart in the queue with its reason, its
kept text flagged on its page, and withdrawn in one click (rejected with the reason, audited)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.ui.test_browser import browser, page, served, sign_in  # noqa: F401  shared fixtures
from tests.ui.test_operator_volume import shoot
from tests.ui.test_queue_and_notices import rows_in_queue, state_of


def _dead_notice(world: Any, tenants: Any, signed_in: Any, submit_as: Any, draft_as: Any, evidence_site: str) -> int:
    """A notice approved, then sent: both its URLs answer 404, so the send's re-check sends it back to review."""
    site = submit_as(world.a_id, "A-7", "dead-raw.test", [f"{evidence_site}/gone/1", f"{evidence_site}/gone/2"])
    notice = draft_as(site, world.host, world.a_id)
    ops = signed_in(tenants.operator)
    assert ops.post(f"/ui/notices/{notice}/approve").status_code == 303
    back = ops.post(f"/ui/notices/{notice}/send", {"channel": "smtp"}, htmx=True)
    assert "No URL passed the re-check: the notice is back in review." in back.text
    return int(notice)


def _audit(engine: Engine, notice_id: int) -> list[tuple[str, str | None, str | None]]:
    with engine.connect() as conn:
        query = sa.text(
            "SELECT field, old_value, new_value FROM audit_event"
            " WHERE entity_type = 'notice' AND entity_id = :i ORDER BY id"
        )
        return [(str(f), o, n) for f, o, n in conn.execute(query, {"i": str(notice_id)})]


def test_the_queue_shows_a_dead_notice_apart_and_withdraws_it_in_one_click(
    world: Any, tenants: Any, signed_in: Any, submit_as: Any, draft_as: Any, evidence_site: str, engine: Engine
) -> None:
    dead = _dead_notice(world, tenants, signed_in, submit_as, draft_as, evidence_site)
    ops = signed_in(tenants.operator)
    queue = ops.get("/ui/queue").text
    assert dead in rows_in_queue(queue) and world.a_notice in rows_in_queue(queue)
    row = queue.split(f'<tr data-notice="{dead}">', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="dead-notice"' in row and "no live URL" in row
    assert "every URL failed the re-check" in row  # the reason it came back
    assert f'formaction="/ui/queue/{dead}/withdraw"' in row
    live_row = queue.split(f'<tr data-notice="{world.a_notice}">', 1)[1].split("</tr>", 1)[0]
    assert "no live URL" not in live_row and "withdraw" not in live_row  # a notice with live URLs is not offered it

    refused = ops.post(f"/ui/queue/{world.a_notice}/withdraw", htmx=True)  # forced past the page: the store decides
    assert refused.status_code == 409 and "still has a live URL" in refused.text
    assert state_of(engine, world.a_notice) == "in_review"

    withdrawn = ops.post(f"/ui/queue/{dead}/withdraw", htmx=True)
    assert withdrawn.status_code == 200 and f"Notice {dead} withdrawn: every URL is gone." in withdrawn.text
    assert dead not in rows_in_queue(withdrawn.text) and world.a_notice in rows_in_queue(withdrawn.text)
    assert state_of(engine, dead) == "rejected"
    trail = _audit(engine, dead)
    assert any(f == "rejection_reason" and n is not None and "every URL is gone" in n for f, _, n in trail)
    assert any(f == "state" and n is not None and "rejected" in n for f, _, n in trail)
    again = ops.post(f"/ui/queue/{dead}/withdraw", htmx=True)
    assert again.status_code == 409 and "not in review" in again.text


def test_a_dead_notices_page_flags_its_kept_text_and_withdraws_it(
    world: Any, tenants: Any, signed_in: Any, submit_as: Any, draft_as: Any, evidence_site: str, engine: Engine
) -> None:
    dead = _dead_notice(world, tenants, signed_in, submit_as, draft_as, evidence_site)
    ops = signed_in(tenants.operator)
    shown = ops.get(f"/ui/notices/{dead}").text
    note, text = shown.split('data-testid="no-live-url-note"', 1)[1].split('data-testid="rendered-text"', 1)
    assert "Every URL of this notice is gone" in note  # the note stands above the text
    assert f"{evidence_site}/gone/1" in text.split("</pre>", 1)[0]  # the kept text, not re-rendered empty
    assert f'action="/ui/notices/{dead}/withdraw"' in shown
    assert 'data-testid="approve" data-shortcut="a" disabled title="no live URL' in shown  # approving it is refused
    live = ops.get(f"/ui/notices/{world.a_notice}").text
    assert "no-live-url-note" not in live and f"/ui/notices/{world.a_notice}/withdraw" not in live
    assert 'data-testid="approve"' in live and 'disabled title="no live URL' not in live

    ops.http.cookies.set("pw_lang", "ja", path="/ui")
    assert "この通知のURLはすべて消えています" in ops.get(f"/ui/notices/{dead}").text
    withdrawn = ops.post(f"/ui/notices/{dead}/withdraw", htmx=True).text
    assert f"通知 {dead} を取り下げました：すべてのURLが消えています。" in withdrawn
    # the reason, on the page, in the reader's language (the store keeps it in English)
    assert (
        'data-state="rejected"' in withdrawn and 'data-testid="rejection-reason">すべてのURLが消えています' in withdrawn
    )
    assert state_of(engine, dead) == "rejected"
    plain = ops.post(f"/ui/notices/{world.a_notice}/withdraw")  # a plain form: refused the same way
    assert plain.status_code == 409 and state_of(engine, world.a_notice) == "in_review"


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_one_click_in_the_japanese_queue_withdraws_a_dead_notice(
    served: str,  # noqa: F811
    page: Any,  # noqa: F811
    world: Any,
    tenants: Any,
    signed_in: Any,
    submit_as: Any,
    draft_as: Any,
    evidence_site: str,
    engine: Engine,
) -> None:
    from playwright.sync_api import expect

    dead = _dead_notice(world, tenants, signed_in, submit_as, draft_as, evidence_site)
    sign_in(page, served, tenants.operator, "/ui/queue")
    page.context.add_cookies([{"name": "pw_lang", "value": "ja", "url": served + "/ui"}])
    page.reload()
    row = page.locator(f"#queue-table tr[data-notice='{dead}']")
    expect(row.get_by_test_id("no-live-url")).to_have_text("掲載中のURLなし")
    expect(row.get_by_test_id("review-reason")).to_have_text(
        "すべてのURLが再確認で除外されました"
    )  # the stored reason, in the reader's language
    shoot(page, "queue-dead-ja")
    row.get_by_test_id("withdraw").click()
    expect(page.get_by_test_id("flash")).to_contain_text(f"通知 {dead} を取り下げました")
    expect(page.locator(f"#queue-table tr[data-notice='{dead}']")).to_have_count(0)
    expect(page.locator(f"#queue-table tr[data-notice='{world.a_notice}']")).to_have_count(1)
    assert state_of(engine, dead) == "rejected" and state_of(engine, world.a_notice) == "in_review"
    assert page.console_errors == []
