"""The task queue's state, read the same way by ``/metrics`` and ``piratewatch queue status``.

What each number means (they were wrong before: "running" counted leased pairs, which the scheduler
sets when it *queues* a pair, and "due" left those out, so it read 0 while 1,441 jobs waited):

- **due**: (site, job) pairs whose due time has passed, whether queued or not: work owed now;
- **oldest due**: how long the longest-waiting due pair has been due (the backlog's age);
- **queued**: jobs waiting in the task queue (``todo``), by job kind, takedown included;
- **running**: jobs a worker is running now (``doing``); on the embedded store, where one process
  runs the jobs it leases, the leased pairs;
- **failing**: pairs whose last run failed (retried with back-off);
- **takedown lag**: how long the oldest approved notice has waited to be sent;
- **workers alive / stale**: workers whose heartbeat is recent / older than ``stalled_after``
  (the scheduler requeues a stale worker's jobs and deletes its row).

The task queue's tables are procrastinate's, read with plain SQL (this package imports no queue
library); on SQLite there is no task queue: those numbers are None here (the command shows "-")
and 0 in ``/metrics``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlmodel import Session, col

from cases.schedule.models import JobDue, JobKind
from cases.sites.models import Site, SiteStatus
from cases.sqlutil import is_postgres
from cases.takedown.models import Notice, NoticeState

#: the job label of the takedown job (beside the site job kinds)
TAKEDOWN = "takedown"
JOB_LABELS = (*(k.value for k in JobKind), TAKEDOWN)


@dataclass
class QueueStatus:
    """The queue at one moment (see the module's docstring for what each number means)."""

    due: dict[str, int] = field(default_factory=dict)
    oldest_due_seconds: dict[str, float] = field(default_factory=dict)
    failing: dict[str, int] = field(default_factory=dict)
    running: dict[str, int] = field(default_factory=dict)
    #: None: no task queue (the embedded store)
    queued: dict[str, int] | None = None
    workers_alive: int | None = None
    workers_stale: int | None = None
    approved_notices: int = 0
    takedown_lag_seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "due": self.due,
            "oldest_due_seconds": self.oldest_due_seconds,
            "queued": self.queued,
            "running": self.running,
            "failing": self.failing,
            "workers_alive": self.workers_alive,
            "workers_stale": self.workers_stale,
            "approved_notices": self.approved_notices,
            "takedown_lag_seconds": self.takedown_lag_seconds,
        }


def _age(now: dt.datetime, then: dt.datetime | None) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:  # SQLite's aggregate returns the text it stores, read back naive
        then = then.replace(tzinfo=dt.UTC)
    return max(0.0, (now - then).total_seconds())


def _pairs(session: Session, status: QueueStatus, now: dt.datetime) -> None:
    leased = sa.and_(col(JobDue.leased_until).is_not(None), col(JobDue.leased_until) >= now)
    is_due = col(JobDue.due_at) <= now
    rows = session.execute(
        sa.select(
            col(JobDue.job),
            sa.func.sum(sa.case((is_due, 1), else_=0)),
            sa.func.min(sa.case((is_due, col(JobDue.due_at)), else_=None)),
            sa.func.sum(sa.case((leased, 1), else_=0)),
            sa.func.sum(sa.case((col(JobDue.failures) > 0, 1), else_=0)),
        )
        .join(Site, col(Site.id) == col(JobDue.site_id))
        .where(col(Site.status).not_in([SiteStatus.MERGED.value, SiteStatus.CLOSED.value]))
        .group_by(col(JobDue.job))
    ).all()
    found = {str(job): (int(d or 0), oldest, int(r or 0), int(f or 0)) for job, d, oldest, r, f in rows}
    for kind in JobKind:
        d, oldest, r, f = found.get(kind.value, (0, None, 0, 0))
        status.due[kind.value] = d
        status.oldest_due_seconds[kind.value] = _age(now, _as_time(oldest))
        status.failing[kind.value] = f
        status.running[kind.value] = r  # the embedded runner's; the task queue's replace them below


def _as_time(value: object) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def _task_queue(session: Session, status: QueueStatus, stalled_after: float) -> None:
    if session.scalar(sa.text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")) is not True:
        return
    queued = dict.fromkeys(JOB_LABELS, 0)
    running = dict.fromkeys(JOB_LABELS, 0)
    rows = session.execute(
        sa.text(
            "SELECT CASE WHEN task_name = 'piratewatch.takedown' THEN 'takedown' ELSE args->>'kind' END AS job,"
            " status::text, count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') GROUP BY 1, 2"
        )
    ).all()
    for job, state, n in rows:
        if job not in queued:
            continue  # a task of another version: not ours to label
        (queued if state == "todo" else running)[job] += int(n)
    status.queued, status.running = queued, running
    alive, stale = session.execute(
        sa.text(
            "SELECT count(*) FILTER (WHERE last_heartbeat >= now() - make_interval(secs => :s)),"
            " count(*) FILTER (WHERE last_heartbeat < now() - make_interval(secs => :s)) FROM procrastinate_workers"
        ),
        {"s": stalled_after},
    ).one()
    status.workers_alive, status.workers_stale = int(alive), int(stale)


def queue_status(session: Session, now: dt.datetime, stalled_after: float = 60.0) -> QueueStatus:
    """The queue's state now: due pairs, queued and running jobs, workers, the takedown lag."""
    status = QueueStatus()
    _pairs(session, status, now)
    if is_postgres(session):
        _task_queue(session, status, stalled_after)
    count, oldest = session.execute(
        sa.select(sa.func.count(), sa.func.min(col(Notice.updated_at))).where(
            col(Notice.state) == NoticeState.APPROVED.value
        )
    ).one()
    status.approved_notices = int(count)
    # An approved notice's last change is its approval (the re-check's re-render happens as it is sent).
    status.takedown_lag_seconds = _age(now, _as_time(oldest))
    return status


def queue_families(status: QueueStatus) -> list[Metric]:
    """The queue's state as gauges."""

    def by_job(name: str, help_: str, values: dict[str, int] | dict[str, float], labels: tuple[str, ...]) -> Metric:
        family = GaugeMetricFamily(name, help_, labels=["job"])
        for job in labels:
            family.add_metric([job], float(values.get(job, 0)))
        return family

    kinds = tuple(k.value for k in JobKind)
    out = [
        by_job(
            "piratewatch_jobs_due", "Pairs (site, job) due now, queued or not: work owed, by job.", status.due, kinds
        ),
        by_job(
            "piratewatch_jobs_oldest_due_seconds",
            "How long the longest-waiting due pair has been due, by job.",
            status.oldest_due_seconds,
            kinds,
        ),
        by_job(
            "piratewatch_jobs_running",
            "Jobs running now (task queue: doing; embedded store: leased pairs), by job.",
            status.running,
            JOB_LABELS if status.queued is not None else kinds,
        ),
        by_job(
            "piratewatch_jobs_failing",
            "Pairs whose last run failed (retried with backoff), by job.",
            status.failing,
            kinds,
        ),
    ]
    # The embedded store has no task queue and no workers: it exports 0 for both (true, and the
    # dashboards' panels stay the same on either store).
    out.append(
        by_job("piratewatch_jobs_queued", "Jobs waiting in the task queue, by job.", status.queued or {}, JOB_LABELS)
    )
    approved = GaugeMetricFamily("piratewatch_takedown_approved_notices", "Approved notices not yet sent.")
    approved.add_metric([], float(status.approved_notices))
    lag = GaugeMetricFamily(
        "piratewatch_takedown_lag_seconds", "How long the oldest approved notice has waited to be sent (0: none waits)."
    )
    lag.add_metric([], status.takedown_lag_seconds)
    out += [approved, lag]
    alive = GaugeMetricFamily("piratewatch_workers_alive", "Workers whose heartbeat is recent.")
    alive.add_metric([], float(status.workers_alive or 0))
    stale = GaugeMetricFamily(
        "piratewatch_workers_stale", "Workers whose heartbeat stopped (their jobs are requeued, their rows deleted)."
    )
    stale.add_metric([], float(status.workers_stale or 0))
    return [*out, alive, stale]
