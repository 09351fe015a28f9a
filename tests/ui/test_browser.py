"""End to end in headless Chromium (Debian's, driven by Playwright): the app served by uvicorn on loopback,
notices sent to a real local SMTP server. CI installs Chromium; without it these tests fail, never skip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from lab.http_util import ThreadedServer

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: install Debian's package (apt-get install chromium); "
            "the browser tests drive it and never download a browser of their own",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def served(ui_app: Any) -> Iterator[str]:
    """The whole app (API and UI) served by uvicorn on a loopback port."""
    server = ThreadedServer(ui_app).start()
    yield server.url
    server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.console_errors = []  # type: ignore[attr-defined]
    tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))  # type: ignore[attr-defined]
    yield tab
    context.close()


def sign_in(page: Any, base: str, key: str, start: str = "/ui") -> None:
    page.goto(base + start)
    page.wait_for_url("**/ui/sign-in**")
    page.fill("input[name=api_key]", key)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("[data-testid=who]")


def state_of(engine: Engine, notice_id: int) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT state FROM notice WHERE id = :i"), {"i": notice_id}).scalar_one())


def test_operator_claims_approves_and_sends_a_notice(
    page: Any, served: str, world: Any, tenants: Any, smtp_sink: Any, engine: Engine
) -> None:
    from playwright.sync_api import expect

    sign_in(page, served, tenants.operator, "/ui/queue")
    assert page.url == f"{served}/ui/queue"
    expect(page.locator(f"tr[data-notice='{world.a_notice}']")).to_be_visible()
    expect(page.locator(f"tr[data-notice='{world.b_notice}']")).to_be_visible()
    # Filtering swaps the table in place (htmx) and keeps the filter in the address bar.
    page.select_option("select[name=recipient_kind]", "host")
    expect(page.locator(f"tr[data-notice='{world.b_notice}']")).to_have_count(0)
    expect(page.locator(f"tr[data-notice='{world.a_notice}']")).to_be_visible()
    page.wait_for_url("**recipient_kind=host**")
    page.get_by_test_id("claim-next").click()
    page.wait_for_url(f"**/ui/notices/{world.a_notice}")
    expect(page.get_by_test_id("claimed-by")).to_contain_text("key:")
    expect(page.get_by_test_id("rendered-text")).to_contain_text(world.a_secret)
    page.get_by_test_id("approve").click()
    expect(page.locator("#notice [data-testid=state]").first).to_have_text("approved")
    expect(page.get_by_test_id("flash")).to_contain_text("approved: ready to send")
    page.once("dialog", lambda dialog: dialog.accept())  # "a legal notice cannot be taken back"
    page.get_by_test_id("send").click()
    expect(page.locator("#notice [data-testid=state]").first).to_have_text("sent")
    expect(page.get_by_test_id("flash")).to_contain_text("sent by smtp")
    expect(page.get_by_test_id("attempts")).to_contain_text("sent")
    assert state_of(engine, world.a_notice) == "sent"
    assert len(smtp_sink.messages) == 1 and smtp_sink.messages[0]["To"] == "abuse@host.example"
    assert page.console_errors == []  # nothing refused by the Content-Security-Policy, no script error


def test_operator_rejects_with_a_reason_and_bulk_approves(
    page: Any, served: str, world: Any, tenants: Any, engine: Engine
) -> None:
    from playwright.sync_api import expect

    sign_in(page, served, tenants.operator, f"/ui/notices/{world.b_notice}")
    page.fill("textarea[name=reason]", "The URLs lead to a licensed store")
    page.get_by_test_id("reject").click()
    expect(page.get_by_test_id("rejection-reason")).to_have_text("The URLs lead to a licensed store")
    page.click("nav >> text=Queue")
    page.check(f"tr[data-notice='{world.a_notice}'] input[type=checkbox]")
    page.get_by_test_id("bulk-approve").click()
    expect(page.get_by_test_id("flash")).to_contain_text(f"Approved 1 notice(s): {world.a_notice}.")
    expect(page.locator("#queue-table tr[data-notice]")).to_have_count(0)
    assert (state_of(engine, world.a_notice), state_of(engine, world.b_notice)) == ("approved", "rejected")
    assert page.console_errors == []


def test_an_association_sees_only_its_own(page: Any, served: str, world: Any, tenants: Any) -> None:
    from playwright.sync_api import expect

    sign_in(page, served, tenants.b)
    page.wait_for_url("**/ui/sites")
    expect(page.locator("main")).to_contain_text("anime-raw.test")
    expect(page.locator("main")).not_to_contain_text("manga-raw.test")
    expect(page.locator("nav")).not_to_contain_text("Queue")
    page.goto(f"{served}/ui/queue")
    expect(page.get_by_test_id("flash")).to_contain_text("this page is for operators")
    answer = page.goto(f"{served}/ui/notices/{world.a_notice}")
    assert answer is not None and answer.status == 404
    page.goto(f"{served}/ui/notices/{world.b_notice}")
    expect(page.get_by_test_id("rendered-text")).to_contain_text(world.b_secret)
    expect(page.locator("[data-testid=actions]")).to_have_count(0)


def _attacker_page(target: str) -> Starlette:
    async def form(_: Request) -> HTMLResponse:
        return HTMLResponse(
            f'<form method="post" action="{target}"><input name="reason" value="forged">'
            '<button id="go">Win a prize</button></form>'
        )

    return Starlette(routes=[Route("/", form)])


def test_a_page_elsewhere_cannot_act_for_a_signed_in_operator(
    page: Any, served: str, world: Any, tenants: Any, engine: Engine
) -> None:
    from playwright.sync_api import expect

    sign_in(page, served, tenants.operator)
    # Another origin on the same host (same site, so the Lax cookie does travel): only the token stops it.
    attacker = ThreadedServer(_attacker_page(f"{served}/ui/notices/{world.a_notice}/reject")).start()
    try:
        page.goto(attacker.url)
        with page.expect_response(f"{served}/ui/notices/{world.a_notice}/reject") as posted:
            page.click("#go")
        assert posted.value.status == 403
        expect(page.get_by_test_id("flash")).to_contain_text("security token is missing or wrong")
    finally:
        attacker.stop()
    assert state_of(engine, world.a_notice) == "in_review"
