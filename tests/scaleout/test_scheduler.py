"""The scheduler's passes on PostgreSQL (no workers): each due pair queued once, leases renewed
without duplicate jobs, one takedown job at a time, a dead worker's job requeued; and a pair run twice
stores its results once (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import make_engine, session_factory, transaction, utcnow
from cases.errors import PairDoneError
from cases.schedule.models import JobKind
from cases.schedule.services import claim_pair, finish_job, schedule_sites
from crawlers.config import CrawlerSettings, TrafficSettings
from piratewatch.config import QueueSettings, get_settings
from piratewatch.jobs.runner import Runner
from piratewatch.taskqueue.app import SITE_JOB, TAKEDOWN, build_app
from piratewatch.taskqueue.scheduler import Scheduler

from ..conftest import _truncate_postgres
from .cluster import approve_notices, submit


@pytest.fixture
def pg(postgres_database: str) -> Any:
    _truncate_postgres(postgres_database)
    engine = make_engine(postgres_database)
    yield postgres_database, engine, session_factory(engine)
    engine.dispose()


def association(factory: sessionmaker[Session]) -> int:
    from cases.audit.services import Actor
    from cases.tenants.services import create_association

    with transaction(factory) as session:
        return create_association(session, "Association A", Actor("test")).id or 0


def scheduler(url: str, factory: sessionmaker[Session], **queue: Any) -> Scheduler:
    settings = get_settings(database_url=url)
    return Scheduler(
        factory=factory,
        defer_app=build_app(settings, with_tasks=False),
        admin_app=build_app(settings, with_tasks=False),
        settings=QueueSettings(jobs=["crawl", "estimate"], **queue),
        lease=dt.timedelta(minutes=30),
    )


async def one_pass(s: Scheduler) -> Any:
    async with s.admin_app.open_async():
        return await s.run_pass()


def jobs(engine: sa.engine.Engine) -> list[tuple[str, str | None, str]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text("SELECT task_name, queueing_lock, status FROM procrastinate_jobs ORDER BY id")
            )
        ]


@pytest.mark.postgres
async def test_each_due_pair_is_queued_once_even_when_its_lease_runs_out(pg: Any) -> None:
    url, engine, factory = pg
    sites = submit(factory, association(factory), ["a.test", "b.test", "c.test"])
    s = scheduler(url, factory, notice_channel="")
    first = await one_pass(s)
    assert first.deferred == {"crawl": 3, "estimate": 3}
    locks = {lock for _, lock, _ in jobs(engine)}
    assert locks == {f"{k}:{site}" for k in ("crawl", "estimate") for site in sites}
    assert all(name == SITE_JOB and status == "todo" for name, _, status in jobs(engine))

    again = await one_pass(s)
    assert again.deferred == {} and len(jobs(engine)) == 6  # leases held: nothing claimed

    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE job_due SET leased_until = now() - interval '1 second'"))
    expired = await one_pass(s)
    assert expired.already_queued == 6 and len(jobs(engine)) == 6  # re-claimed, refused by the queueing lock


@pytest.mark.postgres
async def test_one_takedown_job_waits_at_a_time(pg: Any) -> None:
    url, engine, factory = pg
    a = association(factory)
    approve_notices(factory, a, submit(factory, a, ["a.test", "b.test"]))
    s = scheduler(url, factory)
    assert (await one_pass(s)).takedown
    assert (await one_pass(s)).takedown
    assert [j for j in jobs(engine) if j[0] == TAKEDOWN] == [(TAKEDOWN, "takedown", "todo")]


@pytest.mark.postgres
async def test_a_dead_workers_job_goes_back_to_the_queue(pg: Any) -> None:
    url, engine, factory = pg
    submit(factory, association(factory), ["a.test"])
    s = scheduler(url, factory, notice_channel="", stalled_after_seconds=5)
    await one_pass(s)
    with engine.begin() as conn:
        worker = conn.execute(
            sa.text(
                "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 minute') RETURNING id"
            )
        ).scalar_one()
        job = conn.execute(
            sa.text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w WHERE id = (SELECT min(id) FROM procrastinate_jobs) RETURNING id"
            ),
            {"w": worker},
        ).scalar_one()
    report = await one_pass(s)
    assert report.recovered == [job]
    with engine.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT status FROM procrastinate_jobs WHERE id = :j"), {"j": job}).scalar_one()
            == "todo"
        )


async def test_a_pair_run_twice_stores_its_results_once(factory: sessionmaker[Session], tmp_path: Path) -> None:
    site = submit(factory, association(factory), ["a.test"])[0]
    ranks = tmp_path / "ranks.csv"
    ranks.write_text("10,a.test\n")
    with transaction(factory) as session:
        schedule_sites(session, [JobKind.ESTIMATE])
    runner = Runner(factory, CrawlerSettings(), TrafficSettings(rank_list_path=ranks))
    first = await runner.run_pair(site, JobKind.ESTIMATE)
    second = await runner.run_pair(site, JobKind.ESTIMATE)  # a retried job after its first run committed
    assert first.done == {"estimate": 1} and second.done == {} and not second.failed
    with factory() as session:
        assert session.scalar(sa.text("SELECT count(*) FROM traffic_estimate")) == 1


def test_a_run_that_lost_its_claim_cannot_finish(factory: sessionmaker[Session]) -> None:
    site = submit(factory, association(factory), ["a.test"])[0]
    with transaction(factory) as session:
        schedule_sites(session, [JobKind.CRAWL])
    lease = dt.timedelta(minutes=5)
    with transaction(factory) as session:
        late = claim_pair(session, site, JobKind.CRAWL, lease)  # a run that will be thought dead
    with transaction(factory) as session:
        retry = claim_pair(session, site, JobKind.CRAWL, lease)
    assert late is not None and retry is not None
    with transaction(factory) as session:
        finish_job(session, site, JobKind.CRAWL, utcnow() + dt.timedelta(days=1), started=retry.claimed_at)
    with pytest.raises(PairDoneError), transaction(factory) as session:
        finish_job(session, site, JobKind.CRAWL, utcnow() + dt.timedelta(days=1), started=late.claimed_at)
