"""The task functions workers run. Each does work the one-process runner does, with the same code.

- :func:`site_job`: one (site, job) pair (resolve, crawl or estimate), if it is still due. Results
  and the next due time commit together (``piratewatch.jobs.runner.Runner``), and a pair that is no
  longer due is skipped, so a job retried after its worker died never stores its results twice.
- :func:`takedown` (on its own queue and worker slots): a round of ``cases.takedown.upkeep``, then
  it goes on sending notices approved meanwhile for ``takedown_run_seconds``: settle sends cut by a crash, send approved
  notices through the outbox (``cases.takedown.delivery.outbox``: a notice is taken with a conditional
  update committed before anything leaves, so two workers never send the same notice, and a send cut
  by SIGKILL is never repeated blindly), check whether sent URLs are gone, escalate overdue notices.

What a task needs (the store, the runner, the channel) is built once per worker process and reaches
the task through the job context (:class:`WorkerContext`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from procrastinate import JobContext
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.schedule.models import JobKind
from cases.takedown.delivery.channels import Channel
from cases.takedown.recheck import Recheck
from piratewatch.jobs.runner import Runner
from piratewatch.taskqueue import metrics

#: the key of the worker's context in procrastinate's ``additional_context``
CONTEXT_KEY = "piratewatch"


@dataclass
class WorkerContext:
    """What one worker process holds for its tasks."""

    factory: sessionmaker[Session]
    runner: Runner
    actor: Actor
    #: by name; a notice takes its recipient's channel (empty: this worker sends nothing)
    channels: dict[str, Channel]
    #: fetches notices' URLs: before sending (when `recheck_before_send`) and to check outcomes
    checker: Recheck
    recheck_before_send: bool
    notice_batch: int
    in_flight: dt.timedelta
    #: how long one takedown job keeps sending, and how often it looks for new approvals meanwhile
    takedown_run_seconds: float = 60.0
    takedown_poll_seconds: float = 1.0
    #: set when the worker is asked to stop: a takedown job ends its sending at once, not after its run
    stopping: asyncio.Event | None = None
    #: how long a recipient's rejection waits for an operator's decision before upkeep escalates it
    decision_wait: dt.timedelta = dt.timedelta(days=14)


def _context(context: JobContext) -> WorkerContext:
    worker: WorkerContext = context.additional_context[CONTEXT_KEY]
    return worker


async def site_job(context: JobContext, site_id: int, kind: str) -> dict[str, Any]:
    """Run one due (site, job) pair; returns what was done (kept as the job's log line)."""
    with metrics.tracked(kind):
        report = await _context(context).runner.run_pair(site_id, JobKind(kind))
    if report.failed:
        # Recorded on the pair (due again after a back-off); the job itself ends: no queue retry.
        metrics.JOBS.labels(kind, "failed").inc()
        return {"failed": report.failed}
    metrics.JOBS.labels(kind, "done" if report.done else "skipped").inc()
    return {"done": report.done}


async def takedown(context: JobContext) -> dict[str, Any]:
    """Takedown upkeep (settle, send, check outcomes, escalate), then continuous sending until the job's time is up.

    After the round, notices approved meanwhile are sent as they come (looked for every
    ``takedown_poll_seconds``) for ``takedown_run_seconds``: an approval waits neither for the next
    scheduler pass nor behind a batch. A notice this job already tried (its channel refused it) is
    left to the next job.
    """
    with metrics.tracked("takedown"):
        result = await _takedown(_context(context))
    metrics.JOBS.labels("takedown", "done").inc()
    metrics.NOTICES_SENT.inc(len(result["sent"]))
    return result


async def _takedown(worker: WorkerContext) -> dict[str, Any]:
    from cases.takedown.delivery.sending import send_approved
    from cases.takedown.models import NoticeState
    from cases.takedown.upkeep import run_upkeep

    deadline = time.monotonic() + worker.takedown_run_seconds
    report = await run_upkeep(
        worker.factory,
        worker.actor,
        worker.channels,
        worker.checker,
        recheck_before_send=worker.recheck_before_send,
        batch=worker.notice_batch,
        in_flight=worker.in_flight,
        decision_wait=worker.decision_wait,
    )
    sent = list(report.sent)
    tried = {s.notice_id for s in report.sends}
    recheck = worker.checker if worker.recheck_before_send else None
    stopping = worker.stopping or asyncio.Event()
    while worker.channels and time.monotonic() < deadline and not stopping.is_set():
        done = await send_approved(
            worker.factory, worker.actor, worker.channels, worker.notice_batch, recheck, skip=tried
        )
        if not done:
            with contextlib.suppress(TimeoutError):
                wait = min(worker.takedown_poll_seconds, max(0.0, deadline - time.monotonic()))
                await asyncio.wait_for(stopping.wait(), timeout=wait)
            continue
        tried.update(n.id for n in done if n.id is not None)
        sent += [n.id for n in done if n.id is not None and n.state == NoticeState.SENT]
    return {
        "settled": {str(k): v for k, v in report.settled.items()},
        "sent": sent,
        "checked": {str(k): v for k, v in report.checked.items()},
        "escalated": {str(k): v for k, v in report.escalated.items()},
        "clocks": {str(c.notice_id): c.state for c in report.clocks},
        "restored": list(report.restored),
    }
