"""``piratewatch run``: work through due jobs (resolve, crawl, estimate) with bounded concurrency.

State lives in the store (``job_due``), so several runners, restarts and kills are safe: a runner
claims due jobs with a lease, does the work, and writes the results together with the next due time
in one transaction. A runner killed mid-job commits nothing for it; when the lease ends, the job is
due again and re-runs. Crawls run in child processes (``crawlers.crawl``), so the concurrency here
is "how many crawl children at once".
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import transaction, utcnow
from cases.errors import PairDoneError
from cases.schedule.models import JobKind
from cases.schedule.services import ClaimedJob, claim_due, claim_pair, finish_job, schedule_sites
from crawlers.config import CrawlerSettings, TrafficSettings
from crawlers.traffic import Estimator, configured_estimators, month_of
from piratewatch.jobs.crawl import CrawlSummary, crawl_and_record, crawl_domain
from piratewatch.jobs.estimate import estimate_sites
from piratewatch.jobs.resolve import resolve_and_record
from resolver import Resolver, ResolverSettings

#: a failed job is tried again after this long (doubling with each failure, up to a day)
RETRY_AFTER = dt.timedelta(minutes=15)


@dataclass
class RunReport:
    """What one pass of the runner did."""

    done: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def count(self, kind: JobKind) -> None:
        self.done[kind.value] = self.done.get(kind.value, 0) + 1


@dataclass
class Runner:
    """Runs due jobs; each job kind is done by the same code as the one-off commands."""

    factory: sessionmaker[Session]
    crawler: CrawlerSettings
    traffic: TrafficSettings
    resolver: ResolverSettings | None = None
    actor: Actor = field(default_factory=lambda: Actor("system:scheduler"))
    #: a resolver kept open across jobs (a worker's: its caches outlive one job); None: one per batch
    open_resolver: Resolver | None = None
    #: the takedown work run after each pass (send approved notices, check outcomes, escalate); None: none
    upkeep: Callable[[], Awaitable[object]] | None = None
    #: the traffic sources asked by estimate jobs (None: those the traffic settings switch on)
    estimators: Sequence[Estimator] | None = None
    #: run after a crawl is stored, outside its transaction and its child (the captures of its new matches)
    after_crawl: Callable[[CrawlSummary], Awaitable[object]] | None = None

    def _every(self, kind: JobKind) -> dt.timedelta:
        hours = {
            JobKind.RESOLVE: self.crawler.resolve_every_hours,
            JobKind.CRAWL: self.crawler.crawl_every_hours,
            JobKind.ESTIMATE: self.crawler.estimate_every_hours,
        }[kind]
        return dt.timedelta(hours=hours)

    def _finisher(self, kind: JobKind, started: dt.datetime | None) -> Callable[[Session, int], None]:
        def finish(session: Session, site_id: int) -> None:
            finish_job(session, site_id, kind, utcnow() + self._every(kind), started=started)

        return finish

    def _failed(self, job: ClaimedJob, error: BaseException, report: RunReport) -> None:
        try:
            with transaction(self.factory) as session:
                row = finish_job(
                    session,
                    job.site_id,
                    job.job,
                    utcnow(),
                    error=f"{type(error).__name__}: {error}"[:2000],
                    started=job.claimed_at,
                )
                row.due_at = utcnow() + min(RETRY_AFTER * 2 ** (row.failures - 1), dt.timedelta(days=1))
        except PairDoneError:
            return  # another run did the job meanwhile: this run's failure does not matter
        report.failed.append(f"{job.job.value} site {job.site_id}: {error}")

    async def _crawl(self, job: ClaimedJob, report: RunReport) -> None:
        finish = self._finisher(JobKind.CRAWL, job.claimed_at)
        summary = await asyncio.to_thread(crawl_and_record, self.factory, self.crawler, job.site_id, self.actor, finish)
        report.count(JobKind.CRAWL)
        if self.after_crawl is not None and summary.new_matches:
            try:
                await self.after_crawl(summary)
            except Exception as exc:  # the crawl is stored and done: a capture failing does not undo it
                report.failed.append(f"captures after crawl of site {job.site_id}: {type(exc).__name__}: {exc}")

    async def _resolve(self, jobs: Sequence[ClaimedJob], report: RunReport) -> None:
        with self.factory() as session:
            names = {job.site_id: crawl_domain(session, job.site_id).fqdn for job in jobs}
        started = {job.site_id: job.claimed_at for job in jobs}
        finished: set[int] = set()

        def finish(session: Session, site_id: int) -> None:
            """The pair's completion, in the transaction that stores its snapshot."""
            if site_id in started and site_id not in finished:
                self._finisher(JobKind.RESOLVE, started[site_id])(session, site_id)
                finished.add(site_id)

        if self.open_resolver is not None:
            await resolve_and_record(
                self.factory, self.open_resolver, list(names.values()), self.actor, on_stored=finish
            )
        else:
            if self.resolver is None:
                raise RuntimeError("no resolver settings given")
            async with Resolver(self.resolver) as resolver:
                await resolve_and_record(self.factory, resolver, list(names.values()), self.actor, on_stored=finish)
        for job in jobs:
            if job.site_id not in finished:
                # No snapshot committed for it (its domain left the site meanwhile, another run stored
                # it first): the pair is finished on its own, each in its own transaction.
                try:
                    with transaction(self.factory) as session:
                        finish(session, job.site_id)
                except PairDoneError:
                    continue
            report.count(JobKind.RESOLVE)

    async def _estimate(self, jobs: Sequence[ClaimedJob], report: RunReport) -> None:
        finish = self._finisher(JobKind.ESTIMATE, min((j.claimed_at for j in jobs if j.claimed_at), default=None))
        sites = [job.site_id for job in jobs]
        await estimate_sites(
            self.factory,
            self.estimators if self.estimators is not None else configured_estimators(self.traffic),
            sites,
            month_of(utcnow()),
            self.actor,
            finish,
        )
        for _ in jobs:
            report.count(JobKind.ESTIMATE)

    async def run_once(self, kinds: Sequence[JobKind]) -> RunReport:
        """Do every job due now (claiming in batches of ``concurrency``), then the takedown upkeep, and return."""
        report = RunReport()
        lease = dt.timedelta(seconds=self.crawler.lease_seconds)
        with transaction(self.factory) as session:
            schedule_sites(session, kinds)
        while True:
            with transaction(self.factory) as session:
                claimed = claim_due(session, kinds, self.crawler.concurrency, lease)
            if not claimed:
                break
            await self.run_claimed(claimed, report)
        if self.upkeep is not None:
            try:
                await self.upkeep()
            except Exception as exc:  # a bad channel or a store hiccup: reported, retried next pass
                report.failed.append(f"takedown upkeep: {type(exc).__name__}: {exc}")
        return report

    async def run_claimed(self, claimed: Sequence[ClaimedJob], report: RunReport) -> None:
        """Run jobs this runner holds; a failure is recorded on its job (retried later), not raised."""
        batches: dict[JobKind, list[ClaimedJob]] = {}
        for job in claimed:
            batches.setdefault(job.job, []).append(job)
        tasks = [(job, self._crawl(job, report)) for job in batches.get(JobKind.CRAWL, [])]
        for kind, runner in ((JobKind.RESOLVE, self._resolve), (JobKind.ESTIMATE, self._estimate)):
            if batches.get(kind):
                group = batches[kind]
                tasks.append((group[0], runner(group, report)))
        results = await asyncio.gather(*(t for _, t in tasks), return_exceptions=True)
        for (job, _), result in zip(tasks, results, strict=True):
            if isinstance(result, PairDoneError):
                continue  # another run stored this job's results; ours rolled back
            if isinstance(result, BaseException):
                group = batches[job.job] if job.job != JobKind.CRAWL else [job]
                for member in group:
                    self._failed(member, result, report)

    async def run_pair(self, site_id: int, kind: JobKind) -> RunReport:
        """Run one (site, job) pair now if it is still due (a worker's task; see ``claim_pair``)."""
        report = RunReport()
        with transaction(self.factory) as session:
            job = claim_pair(session, site_id, kind, dt.timedelta(seconds=self.crawler.lease_seconds))
        if job is not None:
            await self.run_claimed([job], report)
        return report

    async def run_forever(self, kinds: Sequence[JobKind], poll_seconds: float = 60.0) -> None:
        """Keep every site fresh until cancelled."""
        while True:
            await self.run_once(kinds)
            await asyncio.sleep(poll_seconds)
