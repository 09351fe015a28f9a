"""Workers benchmark on PostgreSQL: 1, 2 and 3 worker processes on synthetic lab work.

The work is the real estimate job (read a site, stream a local rank list, store an estimate and the
next due time) for SITES sites, deferred by the scheduler in one pass. Figures:

- defer rate: due pairs marked and deferred per second by one scheduler pass;
- throughput: jobs done per second by N workers (from the first job done to the last);
- queue latency: with idle workers, from a pair being deferred to its job being done (p50, p95).

Run: ``python -m benchmarks workers`` (SITES=300 for a quicker look; WORKERS=1,2,3; CONCURRENCY=4).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from benchmarks.intake.run import fresh_postgres
from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.migrations import upgrade
from cases.tenants.services import create_association
from piratewatch.config import get_settings
from piratewatch.taskqueue.app import build_app
from piratewatch.taskqueue.scheduler import Scheduler

SITES = int(os.environ.get("SITES", "1000"))
WORKERS = [int(w) for w in os.environ.get("WORKERS", "1,2,3").split(",")]
CONCURRENCY = int(os.environ.get("CONCURRENCY", "4"))
LATENCY_SAMPLES = 20


def seed(url: str, ranks: Path) -> None:
    upgrade(url)
    factory = session_factory(make_engine(url))
    hosts = [f"bench-{i}.test" for i in range(SITES)]
    ranks.write_text(
        "".join(f"{i + 1},{h}\n" for i, h in enumerate([*hosts, *(f"other-{j}.test" for j in range(20000))]))
    )
    with transaction(factory) as session:
        association = create_association(session, "Bench", Actor("bench")).id or 0
    for start in range(0, SITES, 500):
        with transaction(factory) as session:
            submit_sites(
                session,
                Actor("bench"),
                association,
                [SiteIn(domains=[h], source_ref=h) for h in hosts[start : start + 500]],
                via="api",
            )


def env(url: str, ranks: Path, data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PIRATEWATCH_DATABASE_URL": url,
        "PIRATEWATCH_DATA_DIR": str(data),
        "PIRATEWATCH_TRAFFIC__RANK_LIST_PATH": str(ranks),
        "PIRATEWATCH_QUEUE__JOBS": '["estimate"]',
        "PIRATEWATCH_QUEUE__NOTICE_CHANNEL": "",
        "PIRATEWATCH_QUEUE__CONCURRENCY": str(CONCURRENCY),
    }


def scheduler_for(variables: dict[str, str]) -> Scheduler:
    saved = dict(os.environ)
    os.environ.update(variables)
    try:
        settings = get_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return Scheduler(
        factory=session_factory(make_engine(settings.effective_database_url)),
        defer_app=build_app(settings, with_tasks=False),
        admin_app=build_app(settings, with_tasks=False),
        settings=settings.queue,
        lease=dt.timedelta(seconds=settings.crawler.lease_seconds),
    )


async def one_pass(scheduler: Scheduler) -> float:
    async with scheduler.admin_app.open_async():
        start = time.perf_counter()
        report = await scheduler.run_pass()
        elapsed = time.perf_counter() - start
    assert sum(report.deferred.values()) > 0, report
    return elapsed


def done(engine: sa.engine.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM job_due WHERE last_done_at IS NOT NULL")).scalar_one())


def run(workers: int) -> None:
    url = fresh_postgres(f"pw_bench_workers_{workers}")
    with tempfile.TemporaryDirectory() as tmp:
        ranks = Path(tmp) / "ranks.csv"
        seed(url, ranks)
        variables = env(url, ranks, Path(tmp) / "data")
        scheduler = scheduler_for(variables)
        defer_seconds = asyncio.run(one_pass(scheduler))
        engine = make_engine(url)
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "piratewatch", "worker", "--log-level", "warning"],
                env=variables,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            deadline = time.monotonic() + 600
            while done(engine) < SITES and time.monotonic() < deadline:
                time.sleep(0.2)
            with engine.connect() as conn:
                first, last = conn.execute(sa.text("SELECT min(last_done_at), max(last_done_at) FROM job_due")).one()
            throughput = (SITES - 1) / max((last - first).total_seconds(), 1e-6)
            latencies = asyncio.run(latency(scheduler, engine))
        finally:
            for p in processes:
                p.terminate()
            for p in processes:
                p.wait(timeout=60)
        engine.dispose()
    print(
        f"  {workers} worker(s) x {CONCURRENCY}: {SITES} estimate jobs, {throughput:,.0f} jobs/s; "
        f"defer pass {SITES / defer_seconds:,.0f} pairs/s; queue latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {statistics.quantiles(latencies, n=20)[-1] * 1000:.0f} ms; load {os.getloadavg()[0]:.1f}"
    )


async def latency(scheduler: Scheduler, engine: sa.engine.Engine) -> list[float]:
    """Seconds from deferring one due pair (workers idle) to its job being done."""
    samples = []
    async with scheduler.admin_app.open_async():
        for i in range(LATENCY_SAMPLES):
            with engine.begin() as conn:
                site = conn.execute(
                    sa.text("SELECT site_id FROM job_due ORDER BY site_id OFFSET :i LIMIT 1"), {"i": i}
                ).scalar_one()
                conn.execute(
                    sa.text("UPDATE job_due SET due_at = now() - interval '1 second' WHERE site_id = :s"), {"s": site}
                )
            start = time.perf_counter()
            await scheduler.run_pass()
            while True:
                with engine.connect() as conn:
                    due = conn.execute(
                        sa.text("SELECT due_at FROM job_due WHERE site_id = :s"), {"s": site}
                    ).scalar_one()
                if due > dt.datetime.now(dt.UTC):
                    break
                await asyncio.sleep(0.002)
            samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    print(f"workers: {SITES} sites, estimate jobs, workers {WORKERS}, concurrency {CONCURRENCY} each")
    for workers in WORKERS:
        run(workers)


if __name__ == "__main__":
    main()
