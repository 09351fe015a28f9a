"""A runner killed in the middle of a crawl stores nothing for it; the next runner does the job once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.schedule.models import JobDue, JobKind
from lab.sites import HOSTS


def wait_for(condition: Callable[[], bool], timeout: float) -> None:
    """Until `condition()` holds or `timeout` s pass (the caller asserts which)."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_killed_runner_leaves_the_job_due_and_it_runs_once_later(
    db_url: str, engine: Engine, factory: Any, tenants: Any, sites_lab: Any
) -> None:
    with transaction(factory) as session:
        submit_sites(session, Actor("test"), tenants.a_id, [SiteIn(domains=["hostile.test"])], via="api")
    env = {
        **os.environ,
        "PIRATEWATCH_DATABASE_URL": db_url,
        "PIRATEWATCH_CRAWLER__ALLOW_NETWORKS": '["127.0.0.0/8"]',
        "PIRATEWATCH_CRAWLER__HOST_OVERRIDES": json.dumps(dict.fromkeys(HOSTS, "127.0.0.1")),
        "PIRATEWATCH_CRAWLER__START_URL_TEMPLATE": f"http://{{host}}:{sites_lab.server.port}/",
        "PIRATEWATCH_CRAWLER__DELAY_SECONDS": "0",
        "PIRATEWATCH_CRAWLER__TIMEOUT_SECONDS": "2",  # the slow-drip page keeps the crawl busy for a while
        "PIRATEWATCH_CRAWLER__MAX_BYTES": "131072",
        "PIRATEWATCH_CRAWLER__LEASE_SECONDS": "1",
    }
    command = [sys.executable, "-m", "piratewatch", "run", "--once", "--job", "crawl"]
    slow_before = sites_lab.sites.slow_started  # the lab is shared: other tests crawled it before
    # its own process group, so the crawl child it starts is killed with it
    runner = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def count(table: str) -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())

    def leased() -> bool:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT leased_until FROM job_due WHERE job = 'crawl'")).scalar() is not None

    def lease_ended() -> bool:
        """Whether the crawl's lease is over by this clock (the next runner's: same machine, same clock)."""
        with factory() as session:
            until = session.scalar(sa.select(col(JobDue.leased_until)).where(col(JobDue.job) == JobKind.CRAWL.value))
        return until is not None and until < utcnow()

    wait_for(lambda: leased() or runner.poll() is not None, 30)
    assert leased() and runner.poll() is None, "the runner never claimed the job"
    # the crawl child is running now, mid-way: it asked for the slow-drip page, which keeps it busy for seconds
    wait_for(lambda: sites_lab.sites.slow_started > slow_before or runner.poll() is not None, 60)
    assert sites_lab.sites.slow_started > slow_before and runner.poll() is None, "the crawl never reached the slow page"
    os.killpg(runner.pid, signal.SIGKILL)
    runner.wait()
    assert count("site_crawl") == 0  # nothing half-stored

    wait_for(lease_ended, 10)  # the dead runner's lease ends (PIRATEWATCH_CRAWLER__LEASE_SECONDS=1)
    assert lease_ended(), "the dead runner's lease did not end"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and "1 crawl" in done.stdout, done.stderr
    assert count("site_crawl") == 1
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT leased_until, last_done_at FROM job_due WHERE job = 'crawl'")).one()
    assert row[0] is None and row[1] is not None
