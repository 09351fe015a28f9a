"""Per-site job due times: which jobs are due, claiming them, and finishing them.

A job is claimed with a lease (a short transaction), the work runs outside any transaction, and
the results are written together with the next due time in one transaction
(:func:`finish_job`). A runner killed mid-job commits nothing: when the lease ends the job is due
again and runs again, so work is neither lost nor stored twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.base import table_of
from cases.db import utcnow
from cases.errors import PairDoneError
from cases.schedule.models import JobDue, JobKind
from cases.sites.models import Site, SiteStatus
from cases.sqlutil import insert_ignore


@dataclass(frozen=True)
class ClaimedJob:
    """A job this runner holds until `leased_until`."""

    site_id: int
    job: JobKind
    leased_until: dt.datetime
    #: when this runner took the job (a run that started earlier than another's finish is stale)
    claimed_at: dt.datetime | None = None
    #: the pair never ran (a site just submitted): queued ahead of the refreshes
    first_run: bool = False


def schedule_sites(session: Session, kinds: Sequence[JobKind], now: dt.datetime | None = None) -> None:
    """Give every live site (not merged, not closed) a due time for each job kind it lacks (due now)."""
    now = now or utcnow()
    site_ids = session.scalars(
        sa.select(col(Site.id)).where(col(Site.status).not_in([SiteStatus.MERGED, SiteStatus.CLOSED]))
    ).all()
    rows = [{"site_id": s, "job": k.value, "due_at": now, "failures": 0} for s in site_ids for k in kinds]
    insert_ignore(session, table_of(JobDue), rows, ["site_id", "job"])


def schedule_new_sites(session: Session, kinds: Sequence[JobKind], now: dt.datetime | None = None) -> int:
    """Give live sites that lack a due time for some job kind one (due now); returns how many pairs were added.

    Unlike :func:`schedule_sites`, this reads only the sites missing a pair (an anti-join on the
    primary key of ``job_due``), so the scheduler runs it on every pass: a site submitted a moment
    ago has its jobs queued on the next pass, not minutes later.
    """
    now = now or utcnow()
    due = table_of(JobDue)
    site = table_of(Site)
    rows: list[dict[str, object]] = []
    for kind in kinds:
        missing = sa.select(site.c.id).where(
            site.c.status.not_in([SiteStatus.MERGED.value, SiteStatus.CLOSED.value]),
            ~sa.exists().where(due.c.site_id == site.c.id, due.c.job == kind.value),
        )
        rows += [{"site_id": s, "job": kind.value, "due_at": now, "failures": 0} for s in session.scalars(missing)]
    if rows:
        insert_ignore(session, due, rows, ["site_id", "job"])
    return len(rows)


def claim_due(
    session: Session, kinds: Sequence[JobKind], limit: int, lease: dt.timedelta, now: dt.datetime | None = None
) -> list[ClaimedJob]:
    """Claim up to `limit` due jobs, oldest due first, whose lease (if any) has ended."""
    now = now or utcnow()
    rows = list(
        session.scalars(
            sa.select(JobDue)
            .join(Site, col(Site.id) == col(JobDue.site_id))
            .where(
                # a merged or closed site has nothing left to refresh
                col(Site.status).not_in([SiteStatus.MERGED, SiteStatus.CLOSED]),
                col(JobDue.job).in_([k.value for k in kinds]),
                col(JobDue.due_at) <= now,
                sa.or_(col(JobDue.leased_until).is_(None), col(JobDue.leased_until) < now),
            )
            .order_by(col(JobDue.due_at))
            .limit(limit)
            # PostgreSQL: two runners never claim the same row; SQLite: BEGIN IMMEDIATE serialises.
            .with_for_update(skip_locked=True, of=JobDue)
        )
    )
    until = now + lease
    for row in rows:
        row.leased_until = until
    return [
        ClaimedJob(r.site_id, JobKind(r.job), until, now, first_run=r.last_done_at is None and r.failures == 0)
        for r in rows
    ]


def claim_pair(
    session: Session, site_id: int, job: JobKind, lease: dt.timedelta, now: dt.datetime | None = None
) -> ClaimedJob | None:
    """Take one (site, job) pair for running if it is still due; None when it was done meanwhile.

    The task queue's unit of work: the queue already guarantees that one job per pair runs at a
    time (its lock), so a lease set when the pair was queued does not stop this claim; it is
    extended to cover the run. A pair that is no longer due (a retried job whose first run had
    committed) is skipped, so a job that runs twice stores its results once.
    """
    now = now or utcnow()
    row = session.scalars(
        sa.select(JobDue)
        .join(Site, col(Site.id) == col(JobDue.site_id))
        .where(
            col(JobDue.site_id) == site_id,
            col(JobDue.job) == job.value,
            col(JobDue.due_at) <= now,
            col(Site.status).not_in([SiteStatus.MERGED, SiteStatus.CLOSED]),
        )
        .with_for_update(of=JobDue)
    ).first()
    if row is None:
        return None
    row.leased_until = now + lease
    return ClaimedJob(row.site_id, JobKind(row.job), row.leased_until, now)


def finish_job(
    session: Session,
    site_id: int,
    job: JobKind,
    next_due: dt.datetime,
    error: str | None = None,
    *,
    started: dt.datetime | None = None,
) -> JobDue:
    """Set the next due time and release the lease (in the transaction that stores the job's results).

    With `started` (when this run claimed the pair), the row is locked and :class:`PairDoneError`
    raised if another run finished the pair since: two runs of one pair never both store results.
    """
    row = session.get(JobDue, (site_id, job.value), with_for_update=started is not None)
    if started is not None and row is not None and row.due_at > started:
        raise PairDoneError(f"{job.value} of site {site_id} was done by another run")
    if row is None:
        row = JobDue(site_id=site_id, job=job, failures=0)
        session.add(row)
    row.due_at = next_due
    row.leased_until = None
    row.last_error = error
    if error is None:
        row.last_done_at = utcnow()
        row.failures = 0
    else:
        row.failures += 1
    return row
