"""The task functions workers run. Each does work the one-process runner does, with the same code.

- :func:`site_job`: one (site, job) pair (resolve, crawl or estimate), if it is still due. Results
  and the next due time commit together (``piratewatch.jobs.runner.Runner``), and a pair that is no
  longer due is skipped, so a job retried after its worker died never stores its results twice.
- :func:`takedown`: a round of ``cases.takedown.upkeep``: settle sends cut by a crash, send approved
  notices through the outbox (``cases.takedown.delivery.outbox``: a notice is taken with a conditional
  update committed before anything leaves, so two workers never send the same notice, and a send cut
  by SIGKILL is never repeated blindly), check whether sent URLs are gone, escalate overdue notices.

What a task needs (the store, the runner, the channel) is built once per worker process and reaches
the task through the job context (:class:`WorkerContext`).
"""

from __future__ import annotations

import datetime as dt
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


def _context(context: JobContext) -> WorkerContext:
    worker: WorkerContext = context.additional_context[CONTEXT_KEY]
    return worker


async def site_job(context: JobContext, site_id: int, kind: str) -> dict[str, Any]:
    """Run one due (site, job) pair; returns what was done (kept as the job's log line)."""
    report = await _context(context).runner.run_pair(site_id, JobKind(kind))
    if report.failed:
        # Recorded on the pair (due again after a back-off); the job itself ends: no queue retry.
        return {"failed": report.failed}
    return {"done": report.done}


async def takedown(context: JobContext) -> dict[str, Any]:
    """One round of takedown upkeep: settle, send up to ``notice_batch`` notices, check outcomes, escalate."""
    from cases.takedown.upkeep import run_upkeep

    worker = _context(context)
    report = await run_upkeep(
        worker.factory,
        worker.actor,
        worker.channels,
        worker.checker,
        recheck_before_send=worker.recheck_before_send,
        batch=worker.notice_batch,
        in_flight=worker.in_flight,
    )
    return {
        "settled": {str(k): v for k, v in report.settled.items()},
        "sent": report.sent,
        "checked": {str(k): v for k, v in report.checked.items()},
        "escalated": {str(k): v for k, v in report.escalated.items()},
    }
