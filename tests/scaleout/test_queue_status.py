"""The queue's numbers mean what they say: due pairs whether queued or not, queued and running jobs
of the task queue, the takedown lag, workers alive and stale (dead workers' rows removed by the
scheduler); the same numbers in ``/metrics``, ``piratewatch queue status`` and a worker's own ``/metrics``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from typer.testing import CliRunner

from cases.db import transaction, utcnow
from cases.schedule.models import JobKind
from cases.schedule.services import claim_due, schedule_sites
from crawlers.config import CrawlerSettings, TrafficSettings
from exporters.metrics.collector import render
from exporters.metrics.queue import queue_families, queue_status
from lab.http_util import free_port
from piratewatch.cli import app
from piratewatch.jobs.runner import Runner
from piratewatch.taskqueue import metrics
from piratewatch.taskqueue.tasks import CONTEXT_KEY, WorkerContext, site_job

from .cluster import submit
from .test_scheduler import association, one_pass, pg, scheduler  # noqa: F401 - the PostgreSQL fixture
from .test_takedown_queue import _approve, _in_review


def _exposition(session: Session) -> str:
    return render(queue_families(queue_status(session, utcnow()))).decode()


@pytest.mark.postgres
async def test_queued_jobs_count_as_due_and_queued_not_running(pg: Any) -> None:  # noqa: F811
    url, engine, factory = pg
    a = association(factory)
    sites = submit(factory, a, ["a.test", "b.test", "c.test"])
    notice = _in_review(factory, a, sites[:1])[0]
    s = scheduler(url, factory, notice_channel="")
    await one_pass(s)  # every pair queued (and leased by the scheduler): none of them runs yet
    with factory() as session:
        state = queue_status(session, utcnow())
    assert state.due == {"resolve": 0, "crawl": 3, "estimate": 3}  # queued is still due: work owed
    assert state.queued == {"resolve": 0, "crawl": 3, "estimate": 3, "takedown": 0}
    assert state.running == {"resolve": 0, "crawl": 0, "estimate": 0, "takedown": 0}
    assert state.oldest_due_seconds["crawl"] >= 0 and state.workers_alive == 0

    with engine.begin() as conn:  # a live worker runs one crawl; a dead one left its row behind
        alive = conn.execute(sa.text("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")).scalar_one()
        conn.execute(
            sa.text("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '10 minutes')")
        )
        conn.execute(
            sa.text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w"
                " WHERE id = (SELECT min(id) FROM procrastinate_jobs WHERE lock LIKE 'crawl:%')"
            ),
            {"w": alive},
        )
    _approve(factory, notice)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE notice SET updated_at = now() - interval '90 seconds' WHERE id = :n"), {"n": notice}
        )
    with factory() as session:
        state = queue_status(session, utcnow())
        text = _exposition(session)
    assert state.running["crawl"] == 1 and state.queued is not None and state.queued["crawl"] == 2
    assert (state.workers_alive, state.workers_stale) == (1, 1)
    assert state.approved_notices == 1 and 85 <= state.takedown_lag_seconds <= 150
    assert 'piratewatch_jobs_queued{job="crawl"} 2.0' in text
    assert 'piratewatch_jobs_running{job="crawl"} 1.0' in text
    assert "piratewatch_workers_stale 1.0" in text and "piratewatch_takedown_lag_seconds" in text

    report = await one_pass(scheduler(url, factory, notice_channel="", stalled_after_seconds=60))
    assert len(report.pruned) == 1 and "1 dead worker(s) removed" in str(report)
    with factory() as session:
        assert queue_status(session, utcnow()).workers_stale == 0


def test_the_embedded_store_counts_leased_pairs_as_running(factory: sessionmaker[Session]) -> None:
    sites = submit(factory, association(factory), ["a.test", "b.test"])
    with transaction(factory) as session:
        schedule_sites(session, [JobKind.CRAWL])
        claim_due(session, [JobKind.CRAWL], 1, dt.timedelta(minutes=5))  # `piratewatch run` took one
    with factory() as session:
        state = queue_status(session, utcnow())
    if factory.kw["bind"].dialect.name == "sqlite":
        assert state.queued is None and state.workers_alive is None
        assert state.running["crawl"] == 1
    assert state.due["crawl"] == len(sites)


def test_queue_status_command(db_url: str, factory: sessionmaker[Session], tmp_path: Path) -> None:
    submit(factory, association(factory), ["a.test"])
    with transaction(factory) as session:
        schedule_sites(session, [JobKind.ESTIMATE])
    env = {"PIRATEWATCH_DATABASE_URL": db_url, "PIRATEWATCH_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(app, ["queue", "status", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["due"]["estimate"] == 1
    table = CliRunner().invoke(app, ["queue", "status"], env=env)
    assert table.exit_code == 0 and "estimate" in table.stdout and "approved notice(s) waiting" in table.stdout


async def test_a_worker_serves_its_own_metrics(factory: sessionmaker[Session], tmp_path: Path) -> None:
    site = submit(factory, association(factory), ["a.test"])[0]
    ranks = tmp_path / "ranks.csv"
    ranks.write_text("10,a.test\n")
    with transaction(factory) as session:
        schedule_sites(session, [JobKind.ESTIMATE])
    context = WorkerContext(
        factory=factory,
        runner=Runner(factory, CrawlerSettings(), TrafficSettings(rank_list_path=ranks)),
        actor=metrics_actor(),
        channels={},
        checker=None,  # type: ignore[arg-type] - a site job never checks notices' URLs
        recheck_before_send=False,
        notice_batch=1,
        in_flight=dt.timedelta(minutes=5),
    )
    port = free_port()
    server = metrics.serve(port, "127.0.0.1")
    try:
        before = metrics.JOBS.labels("estimate", "done")._value.get()
        job = SimpleNamespace(additional_context={CONTEXT_KEY: context})
        assert await site_job(job, site, "estimate") == {"done": {"estimate": 1}}  # type: ignore[arg-type]
        assert await site_job(job, site, "estimate") == {"done": {}}  # type: ignore[arg-type] - no longer due
        async with httpx.AsyncClient(timeout=5) as client:
            page = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    finally:
        server.shutdown()
    assert f'piratewatch_worker_jobs_total{{job="estimate",outcome="done"}} {before + 1}' in page
    assert 'piratewatch_worker_jobs_total{job="estimate",outcome="skipped"}' in page
    assert 'piratewatch_worker_jobs_running{job="estimate"} 0.0' in page
    assert "process_resident_memory_bytes" in page


def metrics_actor() -> Any:
    from cases.audit.services import Actor

    return Actor("test:worker-metrics")
