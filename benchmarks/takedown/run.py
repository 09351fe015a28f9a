"""Approval-to-sent latency under a large crawl backlog, on PostgreSQL with real worker processes.

BACKLOG sites each have a due estimate job (the real job: read the site, stream a local rank list,
store the estimate and the next due time); the scheduler defers them all, then NOTICES notices are
approved one every APPROVE_EVERY seconds while the workers work through the backlog. Figures:

- approval to sent: from an approval's commit to its notice's ``sent_at`` (p50, p95, max), with the
  number of site jobs still waiting when the first and the last notice were approved;
- site jobs done per second meanwhile (the backlog is not starved by the takedown slots).

The notices go out through the ``file`` channel (no relay to measure) with the pre-send re-check off
(their URLs are not real). Run: ``python -m benchmarks takedown`` (BACKLOG=10000, NOTICES=40,
WORKERS=2, CONCURRENCY=4, TAKEDOWN_CONCURRENCY=1; TAKEDOWN_CONCURRENCY=0 shares the site-job slots,
as before the takedown queue).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from benchmarks.fixtures import SENDER
from benchmarks.intake.run import fresh_postgres
from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.migrations import upgrade
from cases.providers.services import add_provider
from cases.takedown.models import LegalBasis
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, open_case, submit_for_review
from cases.tenants.services import create_association

BACKLOG = int(os.environ.get("BACKLOG", "10000"))
NOTICES = int(os.environ.get("NOTICES", "40"))
APPROVE_EVERY = float(os.environ.get("APPROVE_EVERY", "0.5"))
WORKERS = int(os.environ.get("WORKERS", "2"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "4"))
TAKEDOWN_CONCURRENCY = int(os.environ.get("TAKEDOWN_CONCURRENCY", "1"))
ACTOR = Actor("bench")


def seed(url: str, ranks: Path) -> tuple[sessionmaker[Session], list[int]]:
    """BACKLOG sites for estimate jobs, and NOTICES more sites with a notice in review each."""
    upgrade(url)
    factory = session_factory(make_engine(url))
    hosts = [f"bench-{i}.test" for i in range(BACKLOG)]
    ranks.write_text("".join(f"{i + 1},{h}\n" for i, h in enumerate(hosts)))
    with transaction(factory) as session:
        association = create_association(session, "Bench", ACTOR).id or 0
    for start in range(0, BACKLOG, 1000):
        with transaction(factory) as session:
            submit_sites(
                session,
                ACTOR,
                association,
                [SiteIn(domains=[h], source_ref=h) for h in hosts[start : start + 1000]],
                via="api",
            )
    notice_sites = [
        SiteIn.model_validate(
            {
                "source_ref": f"notice-{i}",
                "domains": [f"pirate-{i}.test"],
                "works": [{"ref": "W1", "titles": {"en": "Work One"}, "content_type": "manga"}],
                "evidence": [{"url": f"https://pirate-{i}.test/w/1", "work_ref": "W1"}],
            }
        )
        for i in range(NOTICES)
    ]
    notices = []
    with transaction(factory) as session:
        results, _ = submit_sites(session, ACTOR, association, notice_sites, via="api")
        # No abuse address: its notices take the file channel (web-form upload), written, not relayed.
        host = add_provider(
            session, ACTOR, "Bulletproof Hosting Ltd", "host", abuse_form_url="https://host.example/abuse"
        )
        for result in results:
            assert result is not None
            case = open_case(session, ACTOR, result.site_id, host.id or 0)
            notice = draft_notice(session, ACTOR, case.id or 0, association, LegalBasis.DMCA, dict(SENDER))
            submit_for_review(session, ACTOR, notice.id or 0)
            notices.append(notice.id or 0)
    # The notices' own sites get no jobs: the backlog is the estimate jobs of the others.
    with transaction(factory) as session:
        session.execute(sa.text("UPDATE site SET status = 'closed' WHERE id IN (SELECT site_id FROM notice)"))
    return factory, notices


def waiting_jobs(engine: sa.engine.Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' AND task_name = 'piratewatch.site_job'"
                )
            ).scalar_one()
        )


def done_jobs(engine: sa.engine.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM job_due WHERE last_done_at IS NOT NULL")).scalar_one())


def main() -> None:
    print(
        f"takedown: {BACKLOG} estimate jobs queued, {NOTICES} notices approved every {APPROVE_EVERY} s, "
        f"{WORKERS} worker(s) x {CONCURRENCY} site slots + {TAKEDOWN_CONCURRENCY} takedown slot(s)"
    )
    url = fresh_postgres("pw_bench_takedown")
    with tempfile.TemporaryDirectory() as tmp:
        ranks = Path(tmp) / "ranks.csv"
        factory, notices = seed(url, ranks)
        engine = make_engine(url)
        variables = {
            **os.environ,
            "PIRATEWATCH_DATABASE_URL": url,
            "PIRATEWATCH_DATA_DIR": str(Path(tmp) / "data"),
            "PIRATEWATCH_TRAFFIC__RANK_LIST_PATH": str(ranks),
            "PIRATEWATCH_QUEUE__JOBS": '["estimate"]',
            "PIRATEWATCH_QUEUE__NOTICE_CHANNEL": "file",
            "PIRATEWATCH_NOTICES__RECHECK_BEFORE_SEND": "false",
            "PIRATEWATCH_QUEUE__CONCURRENCY": str(CONCURRENCY),
            "PIRATEWATCH_QUEUE__TAKEDOWN_CONCURRENCY": str(TAKEDOWN_CONCURRENCY),
        }
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "piratewatch", command, "--log-level", "warning"],
                env=variables,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for command in ["scheduler", *["worker"] * WORKERS]
        ]
        try:
            deadline = time.monotonic() + 300
            while waiting_jobs(engine) < BACKLOG * 0.9 and time.monotonic() < deadline:
                time.sleep(0.5)
            backlog_first = waiting_jobs(engine)
            done_before, started = done_jobs(engine), time.monotonic()
            approved_at: dict[int, dt.datetime] = {}
            for notice_id in notices:
                with transaction(factory) as session:
                    approve(session, ACTOR, notice_id)
                approved_at[notice_id] = dt.datetime.now(dt.UTC)
                time.sleep(APPROVE_EVERY)
            backlog_last = waiting_jobs(engine)
            sent: dict[int, dt.datetime] = {}
            while len(sent) < len(notices) and time.monotonic() < deadline + 600:
                with engine.connect() as conn:
                    rows = conn.execute(sa.text("SELECT id, sent_at FROM notice WHERE sent_at IS NOT NULL")).all()
                sent = {int(i): s for i, s in rows}
                time.sleep(0.2)
            jobs_per_second = (done_jobs(engine) - done_before) / (time.monotonic() - started)
        finally:
            for p in processes:
                p.terminate()
            for p in processes:
                p.wait(timeout=90)
        engine.dispose()
    latencies = sorted((sent[n] - approved_at[n]).total_seconds() for n in notices if n in sent)
    missing = len(notices) - len(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else float("nan")
    print(
        f"  approval to sent: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s "
        f"({len(latencies)} sent, {missing} not sent); site jobs waiting: {backlog_first} at the first approval, "
        f"{backlog_last} at the last; site jobs meanwhile {jobs_per_second:,.0f}/s; load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
