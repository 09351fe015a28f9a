"""Settings of the task queue (``PIRATEWATCH_QUEUE__*``): workers, the scheduler, recovery."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

JobName = Literal["resolve", "crawl", "estimate"]


def _every_job() -> list[JobName]:
    return ["resolve", "crawl", "estimate"]


class QueueSettings(BaseModel):
    """How workers and the scheduler share the due work."""

    #: jobs one worker runs at once (a crawl is a child process; the other jobs wait on the network)
    concurrency: int = Field(default=4, ge=1)
    #: job kinds the scheduler defers
    jobs: list[JobName] = Field(default_factory=_every_job)
    #: seconds between the scheduler's passes
    scheduler_interval_seconds: float = Field(default=10.0, gt=0)
    #: live sites get their missing due times at most this often (a pass over every site)
    schedule_sites_seconds: float = Field(default=300.0, gt=0)
    #: due pairs deferred in one transaction (a pass defers batches until nothing is due)
    defer_batch: int = Field(default=500, ge=1)
    #: seconds between a worker's polls for jobs (new jobs also wake it at once through LISTEN/NOTIFY)
    poll_seconds: float = Field(default=5.0, gt=0)
    #: a worker's heartbeat, and how long without one before its running jobs are given to others
    heartbeat_seconds: float = Field(default=10.0, gt=0)
    stalled_after_seconds: float = Field(default=60.0, gt=0)
    #: a job that raised (the database went away, a bug) is retried this often, waiting 2, 4, 8 … s
    max_attempts: int = Field(default=5, ge=1)
    #: seconds a stopping worker waits for its running jobs before aborting them (they are retried)
    shutdown_grace_seconds: float = Field(default=60.0, ge=0)
    #: seconds before a worker or the scheduler reconnects after losing the database
    reconnect_seconds: float = Field(default=2.0, gt=0)
    #: a file touched while the process is healthy (a worker: its database answers; the scheduler: a
    #: pass succeeded), for container health checks; empty: none
    alive_file: str = ""
    #: how workers send approved notices: "auto" (each by its recipient's channel: e-mail, API or file),
    #: one channel (smtp, api, file), or "" to leave them to `piratewatch notices send`
    notice_channel: str = "auto"
    #: notices one outbox job sends at most (the scheduler queues the next one)
    notice_batch: int = Field(default=100, ge=1)
    #: re-check every URL of a notice just before sending it
    recheck_before_send: bool = True
    #: a send still `sending` after this long was cut by a crash: the outbox settles it
    in_flight_seconds: float = Field(default=300.0, gt=0)
