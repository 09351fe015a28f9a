"""Cloudflare's abuse-reports API: the lab stand-in (lab.cloudflare_api) holds the published schema, and the
channel files each report once, even when an answer is lost, a send is retried or a sender crashes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cases.audit.services import Actor
from cases.db import transaction
from cases.errors import DeliveryError, InvalidInputError
from cases.takedown import render as rendering
from cases.takedown.delivery.channels import OutgoingNotice
from cases.takedown.delivery.cloudflare import CloudflareChannel
from cases.takedown.delivery.outbox import begin_send, reconcile
from cases.takedown.delivery.sending import send_notice
from cases.takedown.models import DeliveryAttempt, LegalBasis, NoticeState
from cases.takedown.services import get_notice
from lab.cloudflare_api import CloudflareAbuseApi, dmca_problems
from lab.http_util import ThreadedServer

ACTOR = Actor("test:cloudflare")


@pytest.fixture
def cloudflare() -> Iterator[tuple[CloudflareAbuseApi, str]]:
    api = CloudflareAbuseApi()
    server: ThreadedServer = api.serve()
    yield api, server.url + "/client/v4"
    server.stop()


def channel_for(url: str, timeout: float = 5) -> CloudflareChannel:
    return CloudflareChannel(url, "lab-account", "lab-token", timeout=timeout)


def _approved(factory: sessionmaker[Session], world: Any, sender: dict[str, Any]) -> int:
    from cases.takedown.review import approve
    from cases.takedown.services import draft_notice, open_case, submit_for_review

    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.cdn_id)
        notice = draft_notice(
            session, ACTOR, case.id or 0, world.a_id, LegalBasis.DMCA, sender, template="cloudflare_abuse_dmca"
        )
        submit_for_review(session, ACTOR, notice.id or 0)
        approve(session, ACTOR, notice.id or 0)
        return notice.id or 0


def _context(sender: dict[str, Any], items: list[rendering.ItemView]) -> rendering.NoticeContext:
    return rendering.NoticeContext(
        "cloudflare_abuse_dmca", "Cloudflare", "a.example", sender, items, "key-1", rendering.utc_today()
    )


def test_reports_follow_the_published_abuse_dmca_schema(sender: dict[str, Any]) -> None:
    work = rendering.WorkView(1, "Work One", "Publisher K.K.", "https://publisher.example/1")
    other = rendering.WorkView(2, "Work Two", None, None)
    items = [rendering.ItemView(f"https://a.example/{i}", work) for i in range(300)]
    items += [rendering.ItemView("https://b.example/x", work), rendering.ItemView("https://a.example/y", other)]
    text, _ = rendering.render(_context(sender, items))
    reports = json.loads(text)["reports"]
    # one report per (host, work), at most 250 URLs each, URLs one newline-separated string
    shape = [(r["urls"].split("\n")[0].split("/")[2], r["original_work"], r["urls"].count("\n") + 1) for r in reports]
    assert shape == [
        ("a.example", "Work One https://publisher.example/1", 250),
        ("a.example", "Work One https://publisher.example/1", 50),
        ("b.example", "Work One https://publisher.example/1", 1),
        ("a.example", "Work Two", 1),
    ]
    first = reports[0]
    assert first["agent_name"] == "Publisher K.K."  # the copyright holder, not the sender
    assert reports[3]["agent_name"] == "Association A"  # no holder recorded: the association itself
    assert first["email2"] == first["email"] == "legal@association-a.example"
    assert first["signature"] == first["name"] == "Hanako Yamada"
    assert (first["address1"], first["city"], first["state"], first["country"]) == (
        "1-2-3 Chiyoda, Tokyo 100-0001, Japan",
        "Chiyoda-ku",
        "Tokyo",
        "JP",
    )
    assert first["agree"] == 1 and first["host_notification"] == first["owner_notification"] == "send"
    assert not {"host", "reference", "title"} & set(first)  # no field the schema lacks
    assert all(dmca_problems(r) == [] for r in reports)  # the stand-in accepts every one


def test_the_validator_names_what_the_schema_refuses(sender: dict[str, Any]) -> None:
    long_holder = rendering.WorkView(1, "T" * 300, "H" * 61, None)
    items = [rendering.ItemView("https://a.example/1", long_holder)]
    bad = {**sender, "city": "", "address": "x" * 101, "phone": "+81 3 0000 0000 ext. 12345"}
    with pytest.raises(InvalidInputError) as refused:
        rendering.render(_context(bad, items))
    problems = "\n".join(refused.value.problems)
    assert "sender.city: required by Cloudflare's abuse_dmca report" in problems
    assert "sender.address: longer than 100 characters (Cloudflare's address1)" in problems
    assert "work.rights_holder: longer than 60 characters (Cloudflare's agent_name)" in problems
    assert "work.title and work.url: longer than 255 characters (Cloudflare's original_work)" in problems
    assert "sender.phone: longer than 20 characters (Cloudflare's tele)" in problems
    with pytest.raises(InvalidInputError, match=r"sender\.signature: required by dmca_512c3"):
        rendering.render(_context({**sender, "signature": ""}, items[:1]))


def test_the_stand_in_refuses_what_the_real_api_refuses(cloudflare: tuple[CloudflareAbuseApi, str]) -> None:
    api, url = cloudflare
    good = {
        "act": "abuse_dmca",
        "name": "N",
        "signature": "N",
        "email": "a@b.example",
        "email2": "a@b.example",
        "agent_name": "Holder",
        "original_work": "Work",
        "address1": "1 Street",
        "city": "C",
        "state": "S",
        "country": "JP",
        "urls": "https://a.example/1\nhttps://a.example/2",
        "agree": 1,
        "host_notification": "send",
        "owner_notification": "send",
    }
    path = f"{url}/accounts/lab-account/abuse-reports/abuse_dmca"
    auth = {"Authorization": "Bearer lab-token"}
    cases = {
        "urls as a list": {**good, "urls": ["https://a.example/1"]},
        "missing email2": {k: v for k, v in good.items() if k != "email2"},
        "agent_name too long": {**good, "agent_name": "x" * 61},
        "invented field": {**good, "reference": "key"},
        "two hosts": {**good, "urls": "https://a.example/1\nhttps://b.example/1"},
        "251 URLs": {**good, "urls": "\n".join(f"https://a.example/{i}" for i in range(251))},
        "anonymous": {**good, "host_notification": "send-anon"},
        "agree false": {**good, "agree": True},
        "email2 differs": {**good, "email2": "c@d.example"},
    }
    with httpx.Client(timeout=5) as client:
        for what, body in cases.items():
            answer = client.post(path, json=body, headers=auth)
            assert answer.status_code == 400, what
            assert answer.json()["success"] is False and answer.json()["errors"], what
        assert client.post(path, json=good).status_code == 403  # no token
        assert client.post(f"{url}/accounts/other/abuse-reports/abuse_dmca", json=good, headers=auth).status_code == 403
        assert not api.reports
        accepted = client.post(path, json=good, headers=auth)
        assert accepted.status_code == 200 and accepted.json()["result"] == "success"
        listed = client.get(
            f"{url}/accounts/lab-account/abuse-reports", params={"domain": "a.example", "reference": "x"}, headers=auth
        ).json()
    # an unknown filter filters nothing, as with the real API: never rely on one
    (report,) = listed["result"]["reports"]
    assert report["type"] == "DMCA" and report["urls"] == ["https://a.example/1", "https://a.example/2"]


async def test_a_filing_whose_answer_is_lost_is_retried_and_reconciled_not_filed_twice(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], cloudflare: tuple[CloudflareAbuseApi, str]
) -> None:
    api, url = cloudflare
    notice_id = _approved(factory, world, sender)
    # The API files the report, but its answer never comes (the client gives up after 0.5 s), and
    # the listing that would tell fails too: the notice goes back to approved, the doubt recorded.
    api.lose_answers, api.answer_delay = 1, 1.5
    calls: list[str] = []

    class Recording(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            calls.append(f"{request.method} {request.url.path}")
            if request.method == "POST":
                api.list_unavailable = 1  # the listing right after the lost answer fails
            return await super().handle_async_request(request)

    lossy = CloudflareChannel(url, "lab-account", "lab-token", timeout=0.5, transport=Recording())
    first = await send_notice(factory, ACTOR, lossy, notice_id)
    assert first.state == NoticeState.APPROVED
    assert len(api.reports) == 1 and len(api.received) == 1
    assert calls == [
        "GET /client/v4/accounts/lab-account/abuse-reports",
        "POST /client/v4/accounts/lab-account/abuse-reports/abuse_dmca",
        "GET /client/v4/accounts/lab-account/abuse-reports",
    ]
    # The retry lists the account's reports first, finds the one filed, and files nothing.
    retried = await send_notice(factory, ACTOR, channel_for(url), notice_id)
    assert retried.state == NoticeState.SENT
    assert len(api.reports) == 1 and len(api.received) == 1  # one filing, for ever
    with transaction(factory) as session:
        rows = session.exec(
            select(DeliveryAttempt).where(col(DeliveryAttempt.notice_id) == notice_id).order_by(col(DeliveryAttempt.id))
        ).all()
    assert [a.state for a in rows] == ["failed", "sent"]
    assert "no answer to the filing" in (rows[0].error or "")
    assert rows[1].response["reports"][0]["filed"] == "found on the account"
    assert rows[1].response["reports"][0]["report_id"] == api.reports[0]["id"]


async def test_a_lost_answer_is_reconciled_in_the_same_send(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], cloudflare: tuple[CloudflareAbuseApi, str]
) -> None:
    api, url = cloudflare
    api.lose_answers, api.answer_delay = 1, 1.5
    notice = await send_notice(factory, ACTOR, channel_for(url, timeout=0.5), _approved(factory, world, sender))
    assert notice.state == NoticeState.SENT
    assert len(api.reports) == 1 and len(api.received) == 1


async def test_a_crash_after_filing_is_settled_by_listing_the_account(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], cloudflare: tuple[CloudflareAbuseApi, str]
) -> None:
    api, url = cloudflare
    channel = channel_for(url)
    notice_id = _approved(factory, world, sender)
    with transaction(factory) as session:
        started = begin_send(session, ACTOR, notice_id, "api")
    assert await channel.lookup(started.outgoing) is False  # nothing filed yet
    await channel.send(started.outgoing)  # then "crash": finish_send never runs
    assert await reconcile(factory, ACTOR, {"api": channel}, older_than=dt.timedelta(0)) == {notice_id: "sent"}
    assert len(api.reports) == 1
    with transaction(factory) as session:
        assert get_notice(session, notice_id).state == NoticeState.SENT


async def test_a_half_filed_notice_files_only_what_is_missing(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], cloudflare: tuple[CloudflareAbuseApi, str]
) -> None:
    from cases.intake.services import submit_sites

    from .conftest import site_in

    with transaction(factory) as session:  # a second work on the site: two reports in the notice
        submit_sites(session, ACTOR, world.a_id, [site_in("A-2", ["https://manga-raw.io/w2/1"], "W2")], via="api")
    api, url = cloudflare
    notice_id = _approved(factory, world, sender)
    with transaction(factory) as session:
        assert len(json.loads(get_notice(session, notice_id).rendered_text or "")["reports"]) == 2

    class SecondRefused(httpx.AsyncHTTPTransport):
        posts = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                SecondRefused.posts += 1
                if SecondRefused.posts == 2:
                    api.unavailable = 1
            return await super().handle_async_request(request)

    flaky = CloudflareChannel(url, "lab-account", "lab-token", timeout=5, transport=SecondRefused())
    assert (await send_notice(factory, ACTOR, flaky, notice_id)).state == NoticeState.APPROVED
    assert len(api.reports) == 1
    assert (await send_notice(factory, ACTOR, channel_for(url), notice_id)).state == NoticeState.SENT
    assert len(api.reports) == 2 and len(api.received) == 3  # the first report was not filed again
    assert {r["urls"][0] for r in api.reports} == {"https://manga-raw.io/w1/0", "https://manga-raw.io/w2/1"}


async def test_other_reports_on_the_account_are_not_taken_for_the_notice(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], cloudflare: tuple[CloudflareAbuseApi, str]
) -> None:
    api, url = cloudflare
    channel = channel_for(url)
    notice_id = _approved(factory, world, sender)
    with transaction(factory) as session:
        outgoing = begin_send(session, ACTOR, notice_id, "api").outgoing
    other = json.loads(outgoing.text)["reports"][0] | {"urls": "https://manga-raw.io/other"}
    async with httpx.AsyncClient(timeout=5) as client:
        answer = await client.post(
            f"{url}/accounts/lab-account/abuse-reports/abuse_dmca",
            json=other,
            headers={"Authorization": "Bearer lab-token"},
        )
    assert answer.json()["result"] == "success"
    assert await channel.lookup(outgoing) is False  # same domain and sender, other URLs: not this notice
    api.list_unavailable = 1
    assert await channel.lookup(outgoing) is None  # the listing cannot be read: unknown, never "sent"


async def test_a_refusal_files_nothing_and_names_the_reason(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], cloudflare: tuple[CloudflareAbuseApi, str]
) -> None:
    api, url = cloudflare
    wrong_token = CloudflareChannel(url, "lab-account", "not-the-token", timeout=5)
    notice_id = _approved(factory, world, sender)
    assert (await send_notice(factory, ACTOR, wrong_token, notice_id)).state == NoticeState.APPROVED
    with transaction(factory) as session:
        (attempt,) = session.exec(select(DeliveryAttempt).where(col(DeliveryAttempt.notice_id) == notice_id)).all()
    assert "Authentication error" in (attempt.error or "") and not api.reports


class HostileApi:
    """A server at Cloudflare's paths whose listing answers `listing` (bytes) and counts the filings."""

    def __init__(self, listing: bytes) -> None:
        self.listing, self.posts = listing, 0

    async def list(self, request: Request) -> Response:
        return Response(self.listing, media_type="application/json")

    async def create(self, request: Request) -> JSONResponse:
        self.posts += 1
        return JSONResponse({"success": True, "errors": [], "messages": [], "result": "success"})

    def app(self) -> Starlette:
        prefix = "/client/v4/accounts/{account_id}/abuse-reports"
        return Starlette(
            routes=[Route(prefix, self.list, methods=["GET"]), Route(prefix + "/{kind}", self.create, methods=["POST"])]
        )


def _outgoing(sender: dict[str, Any]) -> OutgoingNotice:
    work = rendering.WorkView(1, "Work One", "Publisher K.K.", "https://publisher.example/1")
    text, _ = rendering.render(_context(sender, [rendering.ItemView("https://a.example/1", work)]))
    return OutgoingNotice(1, "key-1", "<key-1@x>", "Cloudflare", None, "s", text, "application/json")


@pytest.mark.parametrize(
    "listing",
    [
        b"<html>502 Bad Gateway</html>",
        b'{"success": true, "result": {"reports": "nope"}}',
        b'{"success": true, "result": null}',
        b'{"success": false, "errors": [{"message": "\\u0000\\u001b[31m"}]}',
        b"[1, 2, 3]",
        b'{"success": true, "result": {"reports": [' + b'{"urls": ["x"]},' * 200 + b"{}]}}",  # over the cap
    ],
)
async def test_an_unreadable_listing_files_nothing(
    listing: bytes, sender: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.takedown.delivery import cloudflare as module

    monkeypatch.setattr(module, "MAX_ANSWER_BYTES", 2000)
    api = HostileApi(listing)
    with ThreadedServer(api.app()) as server:
        channel = CloudflareChannel(server.url + "/client/v4", "acc", "t", timeout=5)
        with pytest.raises(DeliveryError, match="will not be filed again"):
            await channel.send(_outgoing(sender))
        assert await channel.lookup(_outgoing(sender)) is None  # unknown, never "the recipient has it"
    assert api.posts == 0


async def test_hostile_listed_reports_are_not_taken_for_ours(sender: dict[str, Any]) -> None:
    hostile = (
        b'{"success": true, "result": {"reports": [{"urls": [{"a": 1}], "submitter": 5}, '
        b'{"urls": "https://a.example/1"}, 7, {"urls": ["https://a.example/1"], "id": {"x": 1}, '
        b'"submitter": {"email": "someone@else.example"}}]}}'
    )
    api = HostileApi(hostile)
    with ThreadedServer(api.app()) as server:
        channel = CloudflareChannel(server.url + "/client/v4", "acc", "t", timeout=5)
        assert await channel.lookup(_outgoing(sender)) is False
        answer = await channel.send(_outgoing(sender))
    assert api.posts == 1 and answer["reports"] == [
        {"domain": "a.example", "urls": 1, "filed": "now", "report_id": None}
    ]
