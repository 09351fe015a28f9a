"""``piratewatch scheduler``: turn due work into jobs, and give the jobs of dead workers to others.

Each pass:

1. sites that lack a due time for a job kind get one (every pass, an anti-join: a site submitted a
   moment ago is queued on the next pass, its first jobs with a priority above the refreshes'); a
   full pass over every site runs every ``schedule_sites_seconds``;
2. due (site, job) pairs are taken from ``job_due`` (``FOR UPDATE SKIP LOCKED``, marked queued with
   a lease) and a job is deferred for each **in the same transaction**, on the same connection: a
   pair is marked queued if and only if its job exists. Each job carries a queueing lock
   (``kind:site``), so even a pair whose lease ran out while its job waited is never queued twice,
   and a lock of the same name, so two jobs of one pair never run at once;
3. when takedown upkeep has work (approved notices, a send cut by a crash, URLs due for an outcome
   check, overdue notices), one takedown job is queued on the takedown queue (its own worker
   slots, ``takedown_concurrency``), unless one is already waiting: the log says which;
4. jobs left ``doing`` by a worker whose heartbeat stopped (killed, machine lost) go back to the
   queue (procrastinate's stalled-job detection), and another worker runs them; then the dead
   workers' rows are deleted (a job whose worker row is gone still counts as stalled).

Several schedulers may run (each pass's claims skip the rows another holds); one is enough.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from procrastinate import App
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import transaction
from cases.schedule.models import JobKind
from cases.schedule.services import ClaimedJob, claim_due, schedule_new_sites, schedule_sites
from cases.takedown.decisions import DEFAULT_DECISION_WAIT
from cases.takedown.upkeep import has_work as takedown_has_work
from piratewatch.config import QueueSettings
from piratewatch.taskqueue.app import (
    PRIORITY_FIRST_RUN,
    PRIORITY_REFRESH,
    PRIORITY_TAKEDOWN,
    SITE_JOB,
    SITE_QUEUE,
    TAKEDOWN,
    TAKEDOWN_QUEUE,
)

log = logging.getLogger("piratewatch.scheduler")

#: after a pass that deferred at least this many jobs, the queue table's statistics are refreshed
ANALYZE_AFTER = 1000


@dataclass
class PassReport:
    """What one scheduler pass did."""

    deferred: dict[str, int] = field(default_factory=dict)
    already_queued: int = 0
    #: pairs of sites that had none (new submissions), added this pass
    new_pairs: int = 0
    #: takedown upkeep has work
    takedown: bool = False
    #: ... and a takedown job was already waiting, so none was queued
    takedown_waiting: bool = False
    recovered: list[int] = field(default_factory=list)
    #: rows of dead workers (no heartbeat for ``stalled_after_seconds``) deleted after their jobs were requeued
    pruned: list[int] = field(default_factory=list)

    @property
    def takedown_state(self) -> str:
        """What the pass did about takedown work: queued, already waiting, or idle (nothing to do)."""
        if not self.takedown:
            return "idle"
        return "already waiting" if self.takedown_waiting else "queued"

    def __str__(self) -> str:
        jobs = ", ".join(f"{n} {k}" for k, n in sorted(self.deferred.items())) or "nothing"
        return (
            f"deferred {jobs}; {self.already_queued} already queued; {self.new_pairs} new pair(s); "
            f"takedown {self.takedown_state}; {len(self.recovered)} stalled job(s) requeued; "
            f"{len(self.pruned)} dead worker(s) removed"
        )


def pair_lock(kind: JobKind | str, site_id: int) -> str:
    """The queueing lock and lock of a (site, job) pair's jobs."""
    return f"{JobKind(kind).value}:{site_id}"


def _site_job(claimed: ClaimedJob) -> Job:
    lock = pair_lock(claimed.job, claimed.site_id)
    return Job(
        id=None,
        queue=SITE_QUEUE,
        priority=PRIORITY_FIRST_RUN if claimed.first_run else PRIORITY_REFRESH,
        task_name=SITE_JOB,
        lock=lock,
        queueing_lock=lock,
        task_kwargs={"site_id": claimed.site_id, "kind": claimed.job.value},
    )


def _defer_in(session: Session, app: App, jobs: list[Job]) -> int:
    """Defer `jobs` on the session's own connection (inside its transaction); returns how many were new."""
    # procrastinate defers through any psycopg connection it is given: ours, so the job rows and the
    # job_due marks commit or roll back together.
    # Savepoints through SQLAlchemy's Connection (emitted at once; the Session's are lazy and would
    # never be sent, since procrastinate talks to the driver connection directly).
    sa_connection = session.connection()
    connection = sa_connection.connection.driver_connection
    try:
        with sa_connection.begin_nested():
            app.job_manager.batch_defer_jobs(jobs, connection=connection)
        return len(jobs)
    except AlreadyEnqueued:
        pass
    # A job of one of these pairs is still waiting (its lease ran out first): one by one, skipping it.
    new = 0
    for job in jobs:
        try:
            with sa_connection.begin_nested():
                app.job_manager.batch_defer_jobs([job], connection=connection)
            new += 1
        except AlreadyEnqueued:
            continue
    return new


def defer_due_pairs(
    factory: sessionmaker[Session], app: App, kinds: list[JobKind], lease: dt.timedelta, batch: int, report: PassReport
) -> None:
    """Mark due pairs queued and defer their jobs, a batch per transaction, until nothing is due."""
    while True:
        with transaction(factory) as session:
            claimed = claim_due(session, kinds, batch, lease)
            if not claimed:
                return
            new = _defer_in(session, app, [_site_job(c) for c in claimed])
        for c in claimed:
            report.deferred[c.job.value] = report.deferred.get(c.job.value, 0) + 1
        report.already_queued += len(claimed) - new
        if len(claimed) < batch:
            return


def defer_takedown(
    factory: sessionmaker[Session], app: App, decision_wait: dt.timedelta = DEFAULT_DECISION_WAIT
) -> tuple[bool, bool]:
    """Queue one takedown job when a round would do something (at most one waits at a time).

    Returns (has work, queued): queued is False when a takedown job was already waiting.
    """
    with transaction(factory) as session:
        if not takedown_has_work(session, decision_wait=decision_wait):
            return False, False
        job = Job(
            id=None,
            queue=TAKEDOWN_QUEUE,
            priority=PRIORITY_TAKEDOWN,
            task_name=TAKEDOWN,
            lock=None,
            queueing_lock="takedown",
            task_kwargs={},
        )
        return True, _defer_in(session, app, [job]) == 1


async def requeue_stalled(app: App, stalled_after: float) -> list[int]:
    """Put the jobs of workers without a recent heartbeat back in the queue; returns their ids."""
    requeued = []
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
        try:
            await app.job_manager.retry_job(job)
        except Exception as exc:  # finished or retried by someone else meanwhile: nothing to do
            log.debug("stalled job %s not requeued: %s", job.id, exc)
            continue
        assert job.id is not None
        requeued.append(job.id)
    return requeued


@dataclass
class Scheduler:
    """The scheduler's passes; `defer_app` is never opened (it defers on our connection), `admin_app` is."""

    factory: sessionmaker[Session]
    defer_app: App
    admin_app: App
    settings: QueueSettings
    lease: dt.timedelta
    #: how long a recipient's rejection waits for a decision (``NoticeSettings.rejection_decision_days``)
    decision_wait: dt.timedelta = DEFAULT_DECISION_WAIT
    _last_schedule: float = float("-inf")

    async def run_pass(self) -> PassReport:
        """One pass: schedule sites (now and then), defer due pairs and takedown upkeep, requeue stalled jobs."""
        report = PassReport()
        kinds = [JobKind(k) for k in self.settings.jobs]
        if time.monotonic() - self._last_schedule >= self.settings.schedule_sites_seconds:
            await asyncio.to_thread(self._schedule_sites, kinds)
            self._last_schedule = time.monotonic()
        else:
            report.new_pairs = await asyncio.to_thread(self._schedule_new_sites, kinds)
        await asyncio.to_thread(
            defer_due_pairs, self.factory, self.defer_app, kinds, self.lease, self.settings.defer_batch, report
        )
        if sum(report.deferred.values()) >= ANALYZE_AFTER:
            await asyncio.to_thread(self._analyze_queue)
        if self.settings.notice_channel:
            work, queued = await asyncio.to_thread(defer_takedown, self.factory, self.defer_app, self.decision_wait)
            report.takedown, report.takedown_waiting = work, work and not queued
        report.recovered = await requeue_stalled(self.admin_app, self.settings.stalled_after_seconds)
        # Only now, their jobs requeued: a dead worker's row would otherwise linger (and count) for ever.
        report.pruned = list(
            await self.admin_app.job_manager.prune_stalled_workers(self.settings.stalled_after_seconds)
        )
        return report

    def _schedule_sites(self, kinds: list[JobKind]) -> None:
        with transaction(self.factory) as session:
            schedule_sites(session, kinds)

    def _analyze_queue(self) -> None:
        """Refresh the planner's statistics of the jobs table after a large defer.

        Until autovacuum gets to it, PostgreSQL believes the table holds the few rows it had: with
        10,000 jobs just deferred, procrastinate's fetch (an anti-join on the lock) was planned as a
        sort of every waiting job and took 4 s per job instead of 0.3 ms (benchmarks/takedown).
        """
        with transaction(self.factory) as session:
            session.execute(sa.text("ANALYZE procrastinate_jobs"))

    def _schedule_new_sites(self, kinds: list[JobKind]) -> int:
        with transaction(self.factory) as session:
            return schedule_new_sites(session, kinds)


async def run_scheduler(scheduler: Scheduler, stop: asyncio.Event, *, once: bool = False) -> None:
    """Run passes every ``scheduler_interval_seconds`` until `stop`; reconnect when the database goes away."""
    while not stop.is_set():
        try:
            async with scheduler.admin_app.open_async():
                while not stop.is_set():
                    report = await scheduler.run_pass()
                    log.info("%s", report)
                    touch_alive(scheduler.settings.alive_file)
                    if once:
                        return
                    await _sleep(stop, scheduler.settings.scheduler_interval_seconds)
        except Exception as exc:  # the database restarted or is unreachable: wait, then carry on
            if once:
                raise
            log.warning("scheduler pass failed (%s: %s); retrying", type(exc).__name__, str(exc).splitlines()[0][:300])
            await _sleep(stop, scheduler.settings.reconnect_seconds)


def touch_alive(path: str) -> None:
    """Mark the process healthy now (the container's health check reads the file's time)."""
    if path:
        Path(path).touch()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
