"""Takedown work never waits behind site jobs: its own queue and priority, a job that keeps sending
notices approved while it runs, and a site submitted mid-run queued on the next pass, ahead of the
refresh backlog."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import transaction
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.models import LegalBasis, NoticeState
from cases.takedown.recheck import Recheck
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from crawlers.config import CrawlerSettings, TrafficSettings
from piratewatch.jobs.runner import Runner
from piratewatch.taskqueue.app import PRIORITY_FIRST_RUN, PRIORITY_REFRESH, PRIORITY_TAKEDOWN, TAKEDOWN, TAKEDOWN_QUEUE
from piratewatch.taskqueue.tasks import CONTEXT_KEY, WorkerContext, takedown

from ..conftest import SENDER
from .cluster import submit
from .test_scheduler import association, one_pass, pg, scheduler  # noqa: F401 - the PostgreSQL fixture

ACTOR = Actor("test:takedown-queue")


def _in_review(factory: sessionmaker[Session], association_id: int, site_ids: list[int]) -> list[int]:
    from cases.providers.services import add_provider

    ids = []
    with transaction(factory) as session:
        host = add_provider(session, ACTOR, "Bulletproof Hosting Ltd", "host", abuse_email="abuse@host.example")
        for site_id in site_ids:
            case = open_case(session, ACTOR, site_id, host.id or 0)
            notice = draft_notice(session, ACTOR, case.id or 0, association_id, LegalBasis.DMCA, dict(SENDER))
            submit_for_review(session, ACTOR, notice.id or 0)
            ids.append(notice.id or 0)
    return ids


def _approve(factory: sessionmaker[Session], notice_id: int) -> None:
    from cases.takedown.review import approve

    with transaction(factory) as session:
        approve(session, ACTOR, notice_id)


@pytest.mark.postgres
async def test_the_takedown_job_has_its_own_queue_and_the_log_says_when_one_waits(pg: Any) -> None:  # noqa: F811
    url, engine, factory = pg
    a = association(factory)
    for notice_id in _in_review(factory, a, submit(factory, a, ["a.test", "b.test"])):
        _approve(factory, notice_id)
    s = scheduler(url, factory)
    first, second = await one_pass(s), await one_pass(s)
    assert first.takedown_state == "queued" and "takedown queued" in str(first)
    # the first still waits: the pass says so instead of claiming to queue another
    assert second.takedown_state == "already waiting" and "takedown already waiting" in str(second)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT queue_name, priority FROM procrastinate_jobs WHERE task_name = :t"), {"t": TAKEDOWN}
        ).all()
    assert [tuple(r) for r in rows] == [(TAKEDOWN_QUEUE, PRIORITY_TAKEDOWN)]


@pytest.mark.postgres
async def test_a_site_submitted_mid_run_is_queued_on_the_next_pass_ahead_of_refreshes(pg: Any) -> None:  # noqa: F811
    url, engine, factory = pg
    a = association(factory)
    old = submit(factory, a, ["old-1.test", "old-2.test"])
    s = scheduler(url, factory, notice_channel="")  # the full pass over every site: once per 300 s
    await one_pass(s)
    with engine.begin() as conn:  # the old sites' jobs ran once and are due again: a refresh backlog
        conn.execute(sa.text("DELETE FROM procrastinate_jobs"))
        conn.execute(
            sa.text(
                "UPDATE job_due SET last_done_at = now(), due_at = now() - interval '1 minute', leased_until = NULL"
            )
        )
    new = submit(factory, a, ["new.test"])[0]
    report = await one_pass(s)  # well within schedule_sites_seconds
    assert report.new_pairs == 2 and report.deferred == {"crawl": 3, "estimate": 3}
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT lock, priority FROM procrastinate_jobs")).all()
    priorities = {lock: priority for lock, priority in rows}
    assert priorities[f"crawl:{new}"] == priorities[f"estimate:{new}"] == PRIORITY_FIRST_RUN
    assert {priorities[f"crawl:{site}"] for site in old} == {PRIORITY_REFRESH}
    with engine.connect() as conn:  # procrastinate's own order: the new site's jobs are fetched first
        first = (
            conn.execute(sa.text("SELECT lock FROM procrastinate_jobs ORDER BY priority DESC, id LIMIT 2"))
            .scalars()
            .all()
        )
    assert sorted(first) == sorted([f"crawl:{new}", f"estimate:{new}"])


async def test_a_takedown_job_sends_notices_approved_while_it_runs(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    a = association(factory)
    early, late = _in_review(factory, a, submit(factory, a, ["a.test", "b.test"]))
    _approve(factory, early)
    context = WorkerContext(
        factory=factory,
        runner=Runner(factory, CrawlerSettings(), TrafficSettings()),
        actor=ACTOR,
        channels={"smtp": FileChannel(tmp_path / "out"), "file": FileChannel(tmp_path / "out")},
        checker=Recheck(timeout=2),
        recheck_before_send=False,
        notice_batch=10,
        in_flight=dt.timedelta(minutes=5),
        takedown_run_seconds=4.0,
        takedown_poll_seconds=0.1,
    )
    job = asyncio.create_task(takedown(SimpleNamespace(additional_context={CONTEXT_KEY: context})))  # type: ignore[arg-type]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the first round sent the early notice
        with factory() as session:
            if get_notice(session, early).state == NoticeState.SENT:
                break
        await asyncio.sleep(0.05)
    approved_at = time.monotonic()
    await asyncio.to_thread(_approve, factory, late)
    while time.monotonic() < deadline:
        with factory() as session:
            if get_notice(session, late).state == NoticeState.SENT:
                break
        await asyncio.sleep(0.05)
    waited = time.monotonic() - approved_at
    result = await job
    assert sorted(result["sent"]) == sorted([early, late])
    # sent by the same job, within its poll (no scheduler pass, no new job): well under the job's run
    assert waited < 3.0, waited


async def test_a_stopping_worker_ends_its_takedown_job_at_once(factory: sessionmaker[Session], tmp_path: Path) -> None:
    stop = asyncio.Event()
    context = WorkerContext(
        factory=factory,
        runner=Runner(factory, CrawlerSettings(), TrafficSettings()),
        actor=ACTOR,
        channels={"file": FileChannel(tmp_path / "out")},
        checker=Recheck(timeout=2),
        recheck_before_send=False,
        notice_batch=10,
        in_flight=dt.timedelta(minutes=5),
        takedown_run_seconds=30.0,
        takedown_poll_seconds=5.0,
        stopping=stop,
    )
    started = time.monotonic()
    job = asyncio.create_task(takedown(SimpleNamespace(additional_context={CONTEXT_KEY: context})))  # type: ignore[arg-type]
    await asyncio.sleep(0.5)
    stop.set()  # SIGTERM: the job stops looking for notices instead of running out its 30 s
    assert (await asyncio.wait_for(job, timeout=10))["sent"] == []
    assert time.monotonic() - started < 5
