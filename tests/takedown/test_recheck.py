"""The pre-send re-check against a real local HTTP server: live, gone, redirected to a legitimate page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from cases.audit.services import Actor
from cases.db import transaction
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.models import ItemOutcome, LegalBasis, NoticeItem, NoticeState
from cases.takedown.recheck import Finding, Recheck, check_urls
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from cases.works.models import Work
from lab.http_util import ThreadedServer

ACTOR = Actor("test:recheck")


def _pages() -> Starlette:
    async def live(_: Request) -> Response:
        return PlainTextResponse("chapter 1 of Work W1")

    async def gone(_: Request) -> Response:
        return PlainTextResponse("not found", status_code=404)

    async def seized(_: Request) -> Response:
        return RedirectResponse("/legit/store", status_code=301)

    async def store(_: Request) -> Response:
        return PlainTextResponse("the publisher's own store")

    async def loop(_: Request) -> Response:
        return RedirectResponse("/loop", status_code=302)

    async def removed(_: Request) -> Response:
        # the host replaced the chapter with a notice page that still answers 200
        return HTMLResponse("<html><title>Work W1 - read free</title><body>This content was removed.</body></html>")

    async def hidden(_: Request) -> Response:
        # the title survives only in a script and a comment: nothing a reader sees
        return HTMLResponse('<script>var t="Work W1";</script><!-- Work W1 --><p>Nothing here</p>')

    return Starlette(
        routes=[
            Route("/live", live),
            Route("/gone", gone),
            Route("/seized", seized),
            Route("/legit/store", store),
            Route("/loop", loop),
            Route("/removed", removed),
            Route("/hidden", hidden),
        ]
    )


@pytest.fixture(scope="module")
def pages() -> Iterator[str]:
    server = ThreadedServer(_pages()).start()
    yield server.url
    server.stop()


async def test_check_urls_gives_a_reason_for_each_failure(pages: str) -> None:
    policy = Recheck(allow_list=[f"{pages}/legit/"], timeout=5, max_redirects=3)
    urls = [f"{pages}/live", f"{pages}/gone", f"{pages}/seized", f"{pages}/loop", "http://127.0.0.1:9/closed"]
    found = await check_urls(policy, urls)
    assert found[0] is None
    assert found[1] == Finding("no longer live: HTTP 404", gone=True)
    assert found[2] == Finding(f"redirects to an allow-listed legitimate page: {pages}/legit/store", gone=True)
    # a redirect loop or a refused connection keeps a URL out of a notice, but proves no takedown
    assert found[3] == Finding("more than 3 redirects", gone=False)
    assert found[4] is not None and found[4].reason.startswith("unreachable: ConnectError") and not found[4].gone


async def test_a_page_that_no_longer_shows_the_work_is_dropped(pages: str) -> None:
    policy = Recheck(timeout=5)
    urls = [f"{pages}/live", f"{pages}/removed", f"{pages}/hidden", f"{pages}/live"]
    titles = [["Work W1"], ["Work W1"], ["Work W1"], []]
    found = await check_urls(policy, urls, titles)
    reasons = [f.reason if f else None for f in found]
    assert reasons[0] is None and all(f.gone for f in found if f)
    # the <title> still names the work, but a title element is what the page is called, not what it shows
    assert reasons[1] == "no longer shows the work: none of its titles is on the page"
    assert reasons[2] == "no longer shows the work: none of its titles is on the page"
    assert reasons[3] is None  # an item without a work: only liveness is checked


async def test_failing_items_are_dropped_before_sending(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], pages: str, tmp_path: Any
) -> None:
    urls = [f"{pages}/live", f"{pages}/gone", f"{pages}/seized"]
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        draft = draft_notice(
            session, ACTOR, case.id or 0, world.a_id, LegalBasis.DMCA, sender, items=[(u, None) for u in urls]
        )
        notice_id = draft.id or 0
    # DMCA needs the works: give the items one (the evidence's own work).
    with transaction(factory) as session:
        from cases.works.models import Work

        work = session.exec(select(Work).where(col(Work.association_id) == world.a_id)).first()
        assert work is not None
        for item in session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id)):
            item.work_id = work.id
            session.add(item)
    with transaction(factory) as session:
        submit_for_review(session, ACTOR, notice_id)
        approve(session, ACTOR, notice_id)
        before = get_notice(session, notice_id).rendered_sha256
    policy = Recheck(allow_list=[f"{pages}/legit/"], timeout=5)
    notice = await send_notice(factory, ACTOR, FileChannel(tmp_path), notice_id, recheck=policy)
    assert notice.state == NoticeState.SENT
    text = notice.rendered_text or ""
    assert f"{pages}/live" in text
    assert f"{pages}/gone" not in text and f"{pages}/seized" not in text
    assert notice.rendered_sha256 != before
    with transaction(factory) as session:
        outcomes = {
            i.url: (i.outcome, i.outcome_reason)
            for i in session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id))
        }
    assert outcomes[f"{pages}/live"] == (ItemOutcome.PENDING, None)
    assert outcomes[f"{pages}/gone"] == (ItemOutcome.DROPPED, "no longer live: HTTP 404")
    assert outcomes[f"{pages}/seized"][0] == ItemOutcome.DROPPED


def _w1(session: Session, association_id: int) -> int:
    """Association A's work W1 (a DSA notice links each URL to its work)."""
    work = session.exec(select(Work).where(col(Work.association_id) == association_id, col(Work.ref) == "W1")).one()
    return work.id or 0


async def test_notice_with_no_live_url_goes_back_to_review(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], pages: str, tmp_path: Any
) -> None:
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        draft = draft_notice(
            session,
            ACTOR,
            case.id or 0,
            world.a_id,
            LegalBasis.DSA,
            sender,
            items=[(f"{pages}/gone", _w1(session, world.a_id))],
        )
        submit_for_review(session, ACTOR, draft.id or 0)
        approve(session, ACTOR, draft.id or 0)
    notice = await send_notice(factory, ACTOR, FileChannel(tmp_path / "out"), draft.id or 0, recheck=Recheck(timeout=5))
    assert notice.state == NoticeState.IN_REVIEW
    assert not (tmp_path / "out").exists()


async def test_later_check_marks_gone_urls_actioned(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], pages: str, tmp_path: Any
) -> None:
    from cases.takedown.replies import check_outcomes

    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        w1 = _w1(session, world.a_id)
        urls = [(f"{pages}/live", w1), (f"{pages}/gone", w1)]
        draft = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.DSA, sender, items=urls)
        submit_for_review(session, ACTOR, draft.id or 0)
        approve(session, ACTOR, draft.id or 0)
    await send_notice(factory, ACTOR, FileChannel(tmp_path / "out"), draft.id or 0)
    assert await check_outcomes(factory, ACTOR, draft.id or 0, Recheck(timeout=5)) == NoticeState.PARTIALLY_ACTIONED
    with transaction(factory) as session:
        outcomes = {
            i.url: i.outcome for i in session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == draft.id))
        }
    assert outcomes == {f"{pages}/live": ItemOutcome.STILL_LIVE, f"{pages}/gone": ItemOutcome.ACTIONED}


async def test_recheck_through_the_ssrf_guard_refuses_private_addresses(pages: str) -> None:
    from resolver import ResolverSettings, guarded_transport

    guarded = Recheck(timeout=5, transport_factory=lambda: guarded_transport(ResolverSettings(), verify=False))
    reasons = [
        f.reason if f else None
        for f in await check_urls(guarded, [f"{pages}/live", "http://169.254.169.254/latest/meta-data/"])
    ]
    assert all(r is not None and r.startswith("unreachable: ConnectError: refusing to connect") for r in reasons), (
        reasons
    )
    allowed = Recheck(
        timeout=5,
        transport_factory=lambda: guarded_transport(ResolverSettings(allow_networks=["127.0.0.0/8"]), verify=False),
    )
    assert await check_urls(allowed, [f"{pages}/live", f"{pages}/live"]) == [
        None,
        None,
    ]  # the factory makes a fresh one


async def test_a_server_error_is_not_a_takedown(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], pages: str, tmp_path: Any
) -> None:
    from cases.takedown.replies import check_outcomes

    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        w1 = _w1(session, world.a_id)
        urls = [(f"{pages}/live", w1), (f"{pages}/gone", w1), ("http://127.0.0.1:9/down-for-now", w1)]
        draft = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.DSA, sender, items=urls)
        submit_for_review(session, ACTOR, draft.id or 0)
        approve(session, ACTOR, draft.id or 0)
    await send_notice(factory, ACTOR, FileChannel(tmp_path / "out"), draft.id or 0)
    assert await check_outcomes(factory, ACTOR, draft.id or 0, Recheck(timeout=5)) == NoticeState.PARTIALLY_ACTIONED
    with transaction(factory) as session:
        items = {
            i.url: (i.outcome, i.outcome_reason)
            for i in session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == draft.id))
        }
    outcome, reason = items["http://127.0.0.1:9/down-for-now"]
    assert outcome == ItemOutcome.PENDING and (reason or "").startswith("could not tell: unreachable")
    assert items[f"{pages}/gone"][0] == ItemOutcome.ACTIONED


def _pages_toggle() -> tuple[Starlette, dict[str, bool]]:
    """A page whose liveness the test switches: 404 while ``state["up"]`` is false."""
    state = {"up": False}

    async def flaky(_: Request) -> Response:
        if state["up"]:
            return PlainTextResponse("chapter 1 of Work W1")
        return PlainTextResponse("not found", status_code=404)

    async def live(_: Request) -> Response:
        return PlainTextResponse("chapter 1 of Work W1")

    return Starlette(routes=[Route("/flaky", flaky), Route("/live", live)]), state


def _draft_in_review(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], urls: list[str], provider_id: int | None = None
) -> int:
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, provider_id or world.host_id)
        draft = draft_notice(
            session, ACTOR, case.id or 0, world.a_id, LegalBasis.DSA, sender, items=[(u, None) for u in urls]
        )
        submit_for_review(session, ACTOR, draft.id or 0)
        return draft.id or 0


async def test_a_notice_the_recheck_emptied_cannot_be_approved_again(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], pages: str, tmp_path: Any
) -> None:
    from cases.errors import ConflictError
    from cases.takedown.review import bulk_approve

    notice_id = _draft_in_review(factory, world, sender, [f"{pages}/gone", f"{pages}/seized"])
    other_id = _draft_in_review(factory, world, sender, [f"{pages}/live"], world.registrar_id)
    with transaction(factory) as session:
        approve(session, ACTOR, notice_id)
    policy = Recheck(allow_list=[f"{pages}/legit/"], timeout=5)
    notice = await send_notice(factory, ACTOR, FileChannel(tmp_path / "out"), notice_id, recheck=policy)
    assert notice.state == NoticeState.IN_REVIEW
    with pytest.raises(ConflictError, match=r"no live item.*HTTP 404"), transaction(factory) as session:
        approve(session, ACTOR, notice_id)
    with transaction(factory) as session:
        approved, refused = bulk_approve(session, ACTOR, [notice_id, other_id])
        assert get_notice(session, notice_id).state == NoticeState.IN_REVIEW
    assert approved == [other_id]
    assert list(refused) == [notice_id] and "no live item" in refused[notice_id]
    assert not (tmp_path / "out").exists()


async def test_every_item_is_judged_again_and_the_text_follows_the_live_ones(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Any
) -> None:
    app, state = _pages_toggle()
    server = ThreadedServer(app).start()
    try:
        flaky, live = f"{server.url}/flaky", f"{server.url}/live"
        notice_id = _draft_in_review(factory, world, sender, [flaky, live])
        with transaction(factory) as session:
            approve(session, ACTOR, notice_id)
        policy = Recheck(timeout=5)
        from cases.takedown.recheck import recheck_notice

        # first send's re-check: the flaky page is down, so it is dropped and left out of the text
        assert await recheck_notice(factory, ACTOR, notice_id, policy) == {flaky: "no longer live: HTTP 404"}
        with factory() as session:
            text = get_notice(session, notice_id).rendered_text or ""
        assert flaky not in text and live in text
        # the page is back: the next re-check (of every item, not only pending ones) lists it again
        state["up"] = True
        assert await recheck_notice(factory, ACTOR, notice_id, policy) == {}
        sent = await send_notice(factory, ACTOR, FileChannel(tmp_path / "out"), notice_id, recheck=policy)
        assert sent.state == NoticeState.SENT
        assert flaky in (sent.rendered_text or "") and live in (sent.rendered_text or "")
        with factory() as session:
            outcomes = {
                i.url: i.outcome for i in session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id))
            }
        assert outcomes == {flaky: ItemOutcome.PENDING, live: ItemOutcome.PENDING}
    finally:
        server.stop()
