"""A job's results and its completion commit together: a worker killed right after the commit of a
job's results, before anything else, leaves nothing for the retried job to do again.

The kill is simulated in-process, on the real store (SQLite and PostgreSQL): once the transaction that
stored a result (a snapshot, a crawl, an estimate) has committed, the "process" dies (every further
commit fails, as if the worker had been SIGKILLed). Then, as procrastinate does with a dead worker's
job, the same pair is run again by a new runner. Before the fix a resolve job's completion was a
second transaction, so the retry stored a second snapshot and counted the resolution twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.counters.queries import all_counts
from cases.db import transaction, utcnow
from cases.schedule.models import JobDue, JobKind
from cases.schedule.services import schedule_sites
from crawlers.config import CrawlerSettings, TrafficSettings
from piratewatch.jobs.runner import Runner

from ..crawlers.conftest import sites_lab  # noqa: F401 - the fixture pirate sites, for the crawl job
from ..resolver.conftest import lab  # noqa: F401 - the DNS/RDAP lab, for the resolve job
from .cluster import submit


class Killed(BaseException):
    """The worker process died (SIGKILL): nothing it does from now on reaches the store.

    A BaseException, like the signal's end of a process: the runner's own error handling (which
    records a failed job on its pair) must not see it as a job's failure.
    """


@dataclass
class KillAfterCommit:
    """Kills the 'process' once a transaction that added rows to `table` has committed."""

    table: str
    baseline: int = 0
    dead: bool = False
    kills: int = 0

    def after_begin(self, session: Session, *_: Any) -> None:
        if self.dead:
            raise Killed("the worker is dead: it reaches the store no more")

    def before_commit(self, session: Session) -> None:
        count = session.execute(sa.text(f"SELECT count(*) FROM {self.table}")).scalar_one()
        session.info["results_committed"] = count > self.baseline

    def after_commit(self, session: Session) -> None:
        if session.info.pop("results_committed", False) and not self.kills:
            self.dead = True
            self.kills += 1
            raise Killed(f"killed right after the commit of the {self.table} row")


@pytest.fixture
def kill_after_commit(factory: sessionmaker[Session]) -> Iterator[Any]:
    made: list[KillAfterCommit] = []

    def arm(table: str) -> KillAfterCommit:
        with factory() as session:
            killer = KillAfterCommit(table, session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
        sa.event.listen(factory, "after_begin", killer.after_begin)
        sa.event.listen(factory, "before_commit", killer.before_commit)
        sa.event.listen(factory, "after_commit", killer.after_commit)
        made.append(killer)
        return killer

    yield arm
    for killer in made:
        sa.event.remove(factory, "after_begin", killer.after_begin)
        sa.event.remove(factory, "before_commit", killer.before_commit)
        sa.event.remove(factory, "after_commit", killer.after_commit)


def _association(factory: sessionmaker[Session]) -> int:
    from cases.audit.services import Actor
    from cases.tenants.services import create_association

    with transaction(factory) as session:
        return create_association(session, "Association A", Actor("test")).id or 0


def _rows(factory: sessionmaker[Session], table: str) -> int:
    with factory() as session:
        return int(session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def _counter(factory: sessionmaker[Session], name: str, labels: str = "") -> float:
    with factory() as session:
        return sum(v for n, lab_, v in all_counts(session) if n == name and lab_ == labels)


async def _run_killed_then_retried(runner_of: Any, killer: KillAfterCommit, site: int, kind: JobKind) -> None:
    """Run the pair, die right after its results commit, then run it again as the requeued job."""
    with pytest.raises(Killed):
        await runner_of().run_pair(site, kind)
    assert killer.kills == 1, "the job never committed a result"
    killer.dead = False  # a new worker process
    retried = await runner_of().run_pair(site, kind)
    assert retried.done == {} and not retried.failed  # the pair was completed with its results


def _pair(factory: sessionmaker[Session], site: int, kind: JobKind) -> JobDue:
    with factory() as session:
        row = session.get(JobDue, (site, kind.value))
        assert row is not None
        return row


async def test_a_resolve_job_killed_after_its_commit_stores_one_snapshot(
    factory: sessionmaker[Session],
    kill_after_commit: Any,
    lab: Any,  # noqa: F811
) -> None:
    site = submit(factory, _association(factory), ["google.com"])[0]
    with transaction(factory) as session:
        schedule_sites(session, [JobKind.RESOLVE])
    killer = kill_after_commit("resolution_snapshot")
    await _run_killed_then_retried(
        lambda: Runner(factory, CrawlerSettings(), TrafficSettings(), resolver=lab.settings()),
        killer,
        site,
        JobKind.RESOLVE,
    )
    assert _rows(factory, "resolution_snapshot") == 1
    assert _counter(factory, "resolution_duration_seconds_count") == 1
    assert (
        _counter(factory, "resolutions", "outcome=complete") + _counter(factory, "resolutions", "outcome=partial") == 1
    )
    assert _pair(factory, site, JobKind.RESOLVE).due_at > utcnow()  # done: due again only after a day


async def test_an_estimate_job_killed_after_its_commit_stores_one_estimate(
    factory: sessionmaker[Session], kill_after_commit: Any, tmp_path: Path
) -> None:
    site = submit(factory, _association(factory), ["a.test"])[0]
    ranks = tmp_path / "ranks.csv"
    ranks.write_text("10,a.test\n")
    with transaction(factory) as session:
        schedule_sites(session, [JobKind.ESTIMATE])
    killer = kill_after_commit("traffic_estimate")
    await _run_killed_then_retried(
        lambda: Runner(factory, CrawlerSettings(), TrafficSettings(rank_list_path=ranks)),
        killer,
        site,
        JobKind.ESTIMATE,
    )
    assert _rows(factory, "traffic_estimate") == 1
    assert _counter(factory, "estimates", "outcome=stored") == 1
    # the source's counts were committed with the estimate, not in a transaction of their own before it
    assert _counter(factory, "traffic_source_estimates", "source=rank") == 1
    assert _pair(factory, site, JobKind.ESTIMATE).due_at > utcnow()


async def test_a_crawl_job_killed_after_its_commit_stores_one_crawl(
    factory: sessionmaker[Session],
    kill_after_commit: Any,
    sites_lab: Any,  # noqa: F811
) -> None:
    site = submit(factory, _association(factory), ["truyenvn.test"])[0]
    with transaction(factory) as session:
        schedule_sites(session, [JobKind.CRAWL])
    killer = kill_after_commit("site_crawl")
    await _run_killed_then_retried(
        lambda: Runner(factory, sites_lab.config(), TrafficSettings()), killer, site, JobKind.CRAWL
    )
    assert _rows(factory, "site_crawl") == 1
    assert _counter(factory, "crawls", "outcome=ok") + _counter(factory, "crawls", "outcome=failed") == 1
    assert _pair(factory, site, JobKind.CRAWL).due_at > utcnow()
