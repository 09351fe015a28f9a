"""Takedown upkeep on its own: send approved notices, check sent URLs, escalate what nobody acted on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.infra.models import ResolutionSnapshot
from cases.sites.models import Domain
from cases.takedown.delivery.channels import FileChannel, SmtpChannel
from cases.takedown.models import LegalBasis, Notice, NoticeItem, NoticeState
from cases.takedown.recheck import Recheck
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from cases.takedown.upkeep import has_work, run_upkeep
from lab.http_util import ThreadedServer

ACTOR = Actor("test:upkeep")


class Pages:
    """Chapter pages of work W1 that a host can take down while the test runs."""

    def __init__(self) -> None:
        self.gone: set[str] = set()

    async def page(self, request: Request) -> Response:
        if request.url.path in self.gone:
            return PlainTextResponse("removed", status_code=404)
        return PlainTextResponse(f"Work W1 {request.url.path}")


@pytest.fixture
def pages() -> Iterator[tuple[Pages, str]]:
    state = Pages()
    server = ThreadedServer(Starlette(routes=[Route("/{path:path}", state.page)])).start()
    yield state, server.url
    server.stop()


def _approved(factory: sessionmaker[Session], world: Any, sender: dict[str, Any], urls: list[str]) -> int:
    with transaction(factory) as session:
        work_id = session.scalars(
            sa.text("SELECT id FROM work WHERE association_id = :a").bindparams(a=world.a_id)
        ).one()
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        notice = draft_notice(
            session, ACTOR, case.id or 0, world.a_id, LegalBasis.DMCA, sender, items=[(u, work_id) for u in urls]
        )
        submit_for_review(session, ACTOR, notice.id or 0)
        approve(session, ACTOR, notice.id or 0)
        session.add(  # the resolution names a CDN: the ladder's next step
            ResolutionSnapshot(
                site_id=world.site_id,
                domain_id=session.exec(select(Domain.id).where(col(Domain.site_id) == world.site_id)).one() or 0,
                host_organisation="Bulletproof Hosting Ltd",
                cdn="Cloudflare, Inc.",
            )
        )
        return notice.id or 0


def _age_checks(factory: sessionmaker[Session], notice_id: int, by: dt.timedelta) -> None:
    with transaction(factory) as session:
        session.execute(
            sa.update(NoticeItem).where(col(NoticeItem.notice_id) == notice_id).values(checked_at=utcnow() - by)
        )


async def test_upkeep_sends_checks_and_escalates(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], pages: Any, smtp_sink: Any, tmp_path: Any
) -> None:
    state, base = pages
    notice_id = _approved(factory, world, sender, [f"{base}/w1/1", f"{base}/w1/2"])
    channels = {"smtp": SmtpChannel("127.0.0.1", smtp_sink.port, "n@piratewatch.test"), "file": FileChannel(tmp_path)}
    checker = Recheck(timeout=5)
    with factory() as session:
        assert has_work(session)  # an approved notice waits
    report = await run_upkeep(factory, ACTOR, channels, checker)
    assert report.sent == [notice_id] and len(smtp_sink.messages) == 1
    assert report.checked == {} and report.escalated == {}  # just re-checked before sending; not due yet
    with factory() as session:
        assert not has_work(session)

    # a day later the host took one page down: the check finds it; the notice is partly actioned
    state.gone.add("/w1/1")
    _age_checks(factory, notice_id, dt.timedelta(days=1, minutes=1))
    report = await run_upkeep(factory, ACTOR, channels, checker)
    assert report.checked == {notice_id: NoticeState.PARTIALLY_ACTIONED.value}
    assert report.escalated == {}  # the host still has time for the rest
    assert len(smtp_sink.messages) == 1  # nothing sent twice

    # the deadline passes with one page still up: the rest climbs to the CDN, with only that page
    with transaction(factory) as session:
        notice = get_notice(session, notice_id)
        notice.due_at = utcnow() - dt.timedelta(minutes=1)
        session.add(notice)
    report = await run_upkeep(factory, ACTOR, channels, checker)
    [(escalated, new_id)] = report.escalated.items()
    assert escalated == notice_id and new_id is not None
    with factory() as session:
        assert get_notice(session, notice_id).state == NoticeState.ESCALATED
        new = session.get(Notice, new_id)
        assert new is not None and new.provider_id == world.cdn_id and new.state == NoticeState.IN_REVIEW
        urls = session.scalars(sa.select(col(NoticeItem.url)).where(col(NoticeItem.notice_id) == new_id)).all()
    assert urls == [f"{base}/w1/2"]


async def test_upkeep_without_channels_sends_nothing(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], pages: Any
) -> None:
    _, base = pages
    notice_id = _approved(factory, world, sender, [f"{base}/w1/1"])
    report = await run_upkeep(factory, ACTOR, {}, Recheck(timeout=5))
    assert report.sent == []
    with factory() as session:
        assert get_notice(session, notice_id).state == NoticeState.APPROVED


async def test_the_runner_keeps_takedowns_moving_after_each_pass(factory: sessionmaker[Session]) -> None:
    from crawlers.config import CrawlerSettings, TrafficSettings
    from piratewatch.jobs.runner import Runner

    rounds: list[int] = []

    async def upkeep() -> None:
        rounds.append(1)
        if len(rounds) == 2:
            raise ConnectionError("smtp server down")

    runner = Runner(factory, CrawlerSettings(), TrafficSettings(), upkeep=upkeep)
    assert (await runner.run_once([])).failed == []
    second = await runner.run_once([])
    assert rounds == [1, 1] and second.failed == ["takedown upkeep: ConnectionError: smtp server down"]
