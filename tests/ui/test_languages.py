"""Japanese and English: Accept-Language chooses by default, the user's choice is remembered, dates follow
the language; and an operator's review in Japanese, by keyboard, in headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from piratewatch.web.ui.i18n import accepted, translations
from tests.ui.test_browser import CHROMIUM, CHROMIUM_ARGS, served, state_of  # noqa: F401
from tests.ui.test_operator_volume import shoot


def test_accept_language_is_read_by_quality_and_bounded() -> None:
    assert accepted("en;q=0.2, ja-JP;q=0.9, fr;q=0, de") == ["de", "ja_JP", "en"]
    assert accepted("x;q=bad") == [] and accepted("") == []
    assert len(accepted(",".join(["en"] * 500))) == 20


def test_every_message_has_its_japanese_text() -> None:
    """Every text of the templates (``_("...")``) and every message the views answer with or state name they
    show (``N_("...")``) has its Japanese text, and every state a notice can be in is among them."""
    import re
    from pathlib import Path

    from cases.takedown.models import NoticeState

    catalogue = translations("ja")
    ui = Path(__file__).resolve().parents[2] / "piratewatch" / "web" / "ui"
    ids = {m for f in ui.glob("templates/*.html") for m in re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', f.read_text())}
    marked = {m for f in ui.glob("*.py") for m in re.findall(r'\bN_\("((?:[^"\\]|\\.)*)"\)', f.read_text())}
    assert len(ids) > 150 and len(marked) > 50
    assert {s.value for s in NoticeState} <= marked
    assert "Notice {notice} approved: ready to send." in marked  # the flash messages are among them
    untranslated = sorted(
        i for i in ids | marked if catalogue.gettext(i) == i and i not in ("URL", "Message-ID", "CDN")
    )
    assert untranslated == []
    # a message's places survive translation, so filling them in cannot fail or lose a value
    for message in marked:
        assert set(re.findall(r"\{\w+[^}]*\}", message)) == set(re.findall(r"\{\w+[^}]*\}", catalogue.gettext(message)))


def said_templates() -> set[str]:
    """Every template the store and the UI give ``said()`` as a literal, found by reading their source."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found: set[str] = set()
    for source in [*(root / "cases").rglob("*.py"), *(root / "piratewatch").rglob("*.py")]:
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "said" and node.args:
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{source}: said() needs a literal"
                )
                found.add(first.value)
    return found


def test_every_message_of_the_store_and_every_word_of_its_vocabulary_has_its_japanese_text() -> None:
    """What the store says with ``said()`` (refusals, problems, stored reasons) and the words an audit trail or
    a stored answer holds (kinds, legal bases, outcomes, fields) are in the catalogue, places kept."""
    import re

    from cases.providers.models import ProviderKind
    from cases.takedown.models import ItemOutcome, LegalBasis
    from piratewatch.web.ui.i18n import TERMS

    catalogue = translations("ja")
    templates = said_templates()
    assert len(templates) > 30 and "notice {notice} is claimed by {holder}" in templates
    assert {k.value for k in ProviderKind} | {b.value for b in LegalBasis} | {o.value for o in ItemOutcome} <= {
        *TERMS,
        "pending",
        "dropped",
        "actioned",
        "still_live",
    }
    assert sorted(m for m in templates | set(TERMS) if catalogue.gettext(m) == m) == []
    for message in templates:
        assert set(re.findall(r"\{\w+[^}]*\}", message)) == set(re.findall(r"\{\w+[^}]*\}", catalogue.gettext(message)))


def test_a_store_message_is_said_in_the_readers_language_and_stays_english_elsewhere() -> None:
    """A refusal made with ``said()`` is English text (the API, the CLI and the logs), and a page says it in
    Japanese: template, nested message and state translated, an operator's name left as written."""
    from cases.errors import ConflictError, message_of
    from cases.messages import said
    from piratewatch.web.ui.i18n import say, term

    refusal = ConflictError(said("notice {notice} is {state}, not in review", notice=7, state="approved"))
    assert str(refusal) == "notice 7 is approved, not in review"
    ja = translations("ja").gettext
    assert say(message_of(refusal), ja) == "通知 7 は承認済みのため、レビュー中ではありません"
    nested = said(
        "notice {notice}: {why}",
        notice=3,
        why=said("notice {notice} is claimed by {holder}", notice=3, holder="approved"),
    )
    assert "approved" in say(nested, ja) and "通知 3" in say(nested, ja)  # a holder named like a state keeps its name
    assert term("dmca_512c3", ja) != "dmca_512c3" and term("my own reason", ja) == "my own reason"
    assert say("plain text", ja) == "plain text"


def test_the_language_follows_the_browser_until_the_user_chooses(ui_app: FastAPI) -> None:
    http = TestClient(ui_app)
    page = http.get("/ui/sign-in", headers={"Accept-Language": "ja,en;q=0.5"}).text
    assert '<html lang="ja">' in page and "サインイン" in page and "Sign in</button>" not in page
    page = http.get("/ui/sign-in", headers={"Accept-Language": "fr, en-GB;q=0.8"}).text
    assert '<html lang="en">' in page and "Sign in</button>" in page

    chosen = http.get("/ui/language", params={"to": "en", "next": "/ui/sign-in"}, follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/ui/sign-in"
    assert "pw_lang=en" in chosen.headers["set-cookie"] and "Path=/ui" in chosen.headers["set-cookie"]
    page = http.get("/ui/sign-in", headers={"Accept-Language": "ja"}).text
    assert '<html lang="en">' in page  # the choice wins over the browser's default
    elsewhere = http.get("/ui/language", params={"to": "ja", "next": "//evil.example/"}, follow_redirects=False)
    assert elsewhere.headers["location"] == "/ui"
    assert http.get("/ui/language", params={"to": "xx"}).status_code == 422


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_operator_reviews_in_japanese_by_keyboard(served: str, world: Any, tenants: Any, engine: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = chromium.new_context(locale="ja-JP")  # the browser asks for Japanese (Accept-Language)
        context.set_default_timeout(10_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(served + "/ui/queue")
        page.wait_for_url("**/ui/sign-in**")
        expect(page.locator("h1")).to_have_text("サインイン")
        page.fill("input[name=api_key]", tenants.operator)
        page.click("button[type=submit]")
        page.wait_for_url("**/ui/queue")
        expect(page.locator("h1")).to_have_text("レビュー待ちの通知")
        shoot(page, "queue-ja")
        expect(page.get_by_test_id("claim-next")).to_have_text("次の通知を担当する")
        page.keyboard.press("c")
        page.wait_for_url("**/ui/notices/*")
        notice_id = int(page.url.rsplit("/", 1)[1])
        expect(page.get_by_test_id("claim-expires")).to_contain_text("まで")
        page.keyboard.press("a")
        expect(page.locator("#notice [data-testid=state]").first).to_have_text("承認済み")
        assert state_of(engine, notice_id) == "approved"
        shoot(page, "notice-ja")
        page.goto(served + "/ui/sites")
        expect(page.locator("h1")).to_have_text("サイト")
        shoot(page, "sites-ja")
        page.goto(served + f"/ui/sites/{world.a_site}")
        expect(page.locator("h2").nth(3)).to_have_text("削除要請の案件")
        shoot(page, "site-ja")
        page.goto(served + f"/ui/notices/{notice_id}")

        page.get_by_test_id("language-en").click()  # the choice is remembered from then on
        expect(page.locator("h2").first).to_have_text("Rendered text")
        page.goto(served + "/ui/queue")
        expect(page.locator("h1")).to_have_text("Review queue")
        assert errors == []
        context.close()
        chromium.close()


def test_the_list_pages_the_flash_messages_and_the_states_speak_japanese(
    world: Any, tenants: Any, signed_in: Any
) -> None:
    ops = signed_in(tenants.operator)
    ops.http.cookies.set("pw_lang", "ja", path="/ui")
    sites = ops.get("/ui/sites").text
    assert "<h1>サイト</h1>" in sites and "初回確認" in sites and "稼働中" in sites and "First seen" not in sites
    site = ops.get(f"/ui/sites/{world.a_site}").text
    assert "削除要請の案件" in site and "登録と証拠" in site and "Takedown cases" not in site
    # a state is shown by its Japanese name
    assert 'data-state="in_review" data-testid="state">レビュー中</span>' in site
    providers = ops.get("/ui/providers").text
    assert "<h1>事業者</h1>" in providers and "事業者を追加" in providers and "Add a provider" not in providers
    provider = ops.get(f"/ui/providers/{world.host}").text
    assert "不正利用の通報窓口" in provider and "Bulletproof Hosting Ltd への通知" in provider
    notices = ops.get("/ui/notices", params={"state": "in_review"}).text
    assert "<h1>通知: レビュー中</h1>" in notices and "新しい順、1ページ100件。" in notices
    assert '<option value="in_review" selected>レビュー中</option>' in notices

    approved = ops.post(f"/ui/notices/{world.a_notice}/approve", htmx=True)
    assert approved.status_code == 200
    assert f"通知 {world.a_notice} を承認しました：送信できます。" in approved.text  # the flash, its place filled
    assert 'data-state="approved" data-testid="state">承認済み</span>' in approved.text
    nothing = ops.post("/ui/queue/approve", htmx=True)
    assert nothing.status_code == 422 and "先に承認する通知を選択してください。" in nothing.text

    ops.http.cookies.set("pw_lang", "en", path="/ui")
    english = ops.post(f"/ui/notices/{world.b_notice}/approve", htmx=True).text
    assert f"Notice {world.b_notice} approved: ready to send." in english and ">approved</span>" in english


def test_the_stores_refusals_and_the_audit_trail_speak_japanese(world: Any, tenants: Any, signed_in: Any) -> None:
    """A refusal the store raises, a bulk action's per-notice problems and the audit trail's fields and words
    are shown in Japanese on a Japanese page, and stay English on an English one (and in the API)."""
    ops = signed_in(tenants.operator)
    ops.http.cookies.set("pw_lang", "ja", path="/ui")
    assert ops.post(f"/ui/notices/{world.a_notice}/approve", htmx=True).status_code == 200
    again = ops.post(f"/ui/notices/{world.a_notice}/approve", htmx=True)
    assert again.status_code == 409
    assert f"通知 {world.a_notice} は承認済みのため、レビュー中ではありません" in again.text
    assert "not in review" not in again.text
    bulk = ops.post("/ui/queue/approve", data={"notice_ids": [str(world.a_notice)]}, htmx=True).text
    assert f"通知 {world.a_notice}: 通知 {world.a_notice} は承認済みのため、レビュー中ではありません" in bulk
    wrong = ops.get("/ui/queue", params={"legal_basis": "nonsense"})
    assert wrong.status_code == 422 and "法的根拠: 次のいずれかを指定してください" in wrong.text

    page = ops.get(f"/ui/notices/{world.a_notice}").text
    audit = page.split('data-testid="audit"', 1)[1]
    assert '<td data-testid="audit-field">状態</td>' in audit and "承認済み" in audit
    assert "legal basis" not in audit and "法的根拠" in audit  # a created notice's fields, by their names
    assert "DMCA §512(c)(3)" in page or "情報流通プラットフォーム対処法" in page or "DSA 第16条" in page

    ops.http.cookies.set("pw_lang", "en", path="/ui")
    english = ops.post(f"/ui/notices/{world.a_notice}/approve", htmx=True).text
    assert f"notice {world.a_notice} is approved, not in review" in english
    audit = ops.get(f"/ui/notices/{world.a_notice}").text.split('data-testid="audit"', 1)[1]
    assert '<td data-testid="audit-field">state</td>' in audit and "legal basis" in audit
