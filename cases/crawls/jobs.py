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
from cases.crawls.models import JobDue, JobKind
from cases.db import utcnow
from cases.sites.models import Site, SiteStatus
from cases.sqlutil import insert_ignore


@dataclass(frozen=True)
class ClaimedJob:
    """A job this runner holds until `leased_until`."""

    site_id: int
    job: JobKind
    leased_until: dt.datetime


def schedule_sites(session: Session, kinds: Sequence[JobKind], now: dt.datetime | None = None) -> None:
    """Give every live site (not merged, not closed) a due time for each job kind it lacks (due now)."""
    now = now or utcnow()
    site_ids = session.scalars(
        sa.select(col(Site.id)).where(col(Site.status).not_in([SiteStatus.MERGED, SiteStatus.CLOSED]))
    ).all()
    rows = [{"site_id": s, "job": k.value, "due_at": now, "failures": 0} for s in site_ids for k in kinds]
    insert_ignore(session, table_of(JobDue), rows, ["site_id", "job"])


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
    return [ClaimedJob(r.site_id, JobKind(r.job), until) for r in rows]


def finish_job(session: Session, site_id: int, job: JobKind, next_due: dt.datetime, error: str | None = None) -> JobDue:
    """Set the next due time and release the lease (in the transaction that stores the job's results)."""
    row = session.get(JobDue, (site_id, job.value))
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
