"""An operator's day in headless Chromium: counts per notice, select-all and bulk send behind the same
confirmation as one send, a colleague's claim shown with its expiry, taken over and released (audited),
and review by keyboard alone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import transaction
from cases.takedown import claims, review
from tests.ui.test_browser import browser, page, served, sign_in, state_of  # noqa: F401  shared fixtures

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

COLLEAGUE = Actor("key:999")


def claim_events(engine: Engine, notice_id: int) -> list[tuple[str, str | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT actor, old_value, new_value FROM audit_event WHERE entity_type = 'notice' "
                "AND entity_id = :i AND field = 'claimed_by' ORDER BY id"
            ),
            {"i": str(notice_id)},
        ).all()
    return [(str(a), o, n) for a, o, n in rows]


def test_bulk_send_with_select_all_behind_one_confirmation(
    page: Any,  # noqa: F811
    served: str,  # noqa: F811
    world: Any,
    tenants: Any,
    factory: sessionmaker[Session],
    engine: Engine,
    smtp_sink: Any,
) -> None:
    from playwright.sync_api import expect

    with transaction(factory) as session:
        assert review.bulk_approve(session, Actor("test:ui"), [world.a_notice, world.b_notice])[1] == {}
    sign_in(page, served, tenants.operator, "/ui/queue")
    shoot(page, "queue-approved")
    approved = page.locator("#approved-table")
    a_row = approved.locator(f"tr[data-notice='{world.a_notice}']")
    expect(a_row.get_by_test_id("urls")).to_have_text("2")
    expect(a_row.get_by_test_id("live")).to_have_text("2")
    expect(approved.locator(f"tr[data-notice='{world.b_notice}'] [data-testid=urls]")).to_have_text("1")
    approved.get_by_test_id("select-all").check()
    expect(approved.locator("tbody input[name=notice_ids]:checked")).to_have_count(2)

    messages: list[str] = []
    page.once("dialog", lambda d: (messages.append(d.message), d.dismiss()))
    page.get_by_test_id("bulk-send").click()
    page.wait_for_timeout(300)
    assert messages and "cannot be taken back" in messages[0]
    assert (state_of(engine, world.a_notice), state_of(engine, world.b_notice)) == ("approved", "approved")

    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("bulk-send").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Sent 2 notice(s) by smtp")
    expect(page.locator("#approved-table tr[data-notice]")).to_have_count(0)
    assert (state_of(engine, world.a_notice), state_of(engine, world.b_notice)) == ("sent", "sent")
    assert sorted(m["To"] for m in smtp_sink.messages) == ["abuse@cdn.example", "abuse@host.example"]
    assert page.console_errors == []
    shoot(page, "queue-after-bulk-send")


def test_a_colleagues_claim_is_shown_taken_over_and_released(
    page: Any,  # noqa: F811
    served: str,  # noqa: F811
    world: Any,
    tenants: Any,
    factory: sessionmaker[Session],
    engine: Engine,
) -> None:
    from playwright.sync_api import expect

    with transaction(factory) as session:
        claims.take_over(session, COLLEAGUE, world.a_notice)
    sign_in(page, served, tenants.operator, f"/ui/notices/{world.a_notice}")
    expect(page.get_by_test_id("claimed-by")).to_contain_text("key:999")
    expect(page.get_by_test_id("claim-expires")).to_contain_text("until")
    expect(page.get_by_test_id("approve")).to_be_disabled()  # no 409 to discover: the button says so
    shoot(page, "notice-claimed-by-colleague")

    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("take-over").click()
    expect(page.get_by_test_id("flash")).to_contain_text("taken over from key:999")
    expect(page.get_by_test_id("claimed-by")).not_to_contain_text("key:999")
    expect(page.get_by_test_id("approve")).to_be_enabled()
    page.get_by_test_id("release").click()
    expect(page.get_by_test_id("flash")).to_contain_text("released")
    expect(page.get_by_test_id("claimed-by")).to_contain_text("—")

    events = claim_events(engine, world.a_notice)
    assert [e[0] for e in events][:1] == ["key:999"] and len(events) == 3
    me = events[1][0]
    assert events[1] == (me, "key:999", me) and events[2] == (me, me, None) and me != "key:999"
    assert page.console_errors == []


def test_review_by_keyboard(
    page: Any,  # noqa: F811
    served: str,  # noqa: F811
    world: Any,
    tenants: Any,
    engine: Engine,
    smtp_sink: Any,
) -> None:
    from playwright.sync_api import expect

    sign_in(page, served, tenants.operator, "/ui/queue")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#queue-table tr.current input[type=checkbox]")).to_be_checked()
    page.keyboard.press("c")  # claim next
    page.wait_for_url("**/ui/notices/*")
    first = int(page.url.rsplit("/", 1)[1])
    page.keyboard.press("a")  # approve
    expect(page.locator("#notice [data-testid=state]").first).to_have_text("approved")
    page.once("dialog", lambda d: d.accept())
    page.keyboard.press("s")  # send, behind the same confirmation
    expect(page.locator("#notice [data-testid=state]").first).to_have_text("sent")
    page.keyboard.press("n")  # the next notice
    page.wait_for_url(lambda url: url.endswith(f"/ui/notices/{({world.a_notice, world.b_notice} - {first}).pop()}"))
    page.keyboard.press("r")  # the reason box takes the keys now: typing "a" must not approve
    page.keyboard.type("a licensed store")
    expect(page.locator("#notice [data-testid=state]").first).to_have_text("in_review")
    page.get_by_test_id("reject").click()
    expect(page.get_by_test_id("rejection-reason")).to_have_text("a licensed store")
    assert state_of(engine, first) == "sent" and len(smtp_sink.messages) == 1
    assert page.console_errors == []


def shoot(tab: Any, name: str) -> None:
    """A screenshot of the page into $PIRATEWATCH_SCREENSHOTS, when set (to look at pages one changes)."""
    folder = os.environ.get("PIRATEWATCH_SCREENSHOTS")
    if folder:
        tab.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
