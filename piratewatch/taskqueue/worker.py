"""``piratewatch worker``: run jobs from the task queue until stopped, through database restarts.

procrastinate fetches jobs (``FOR UPDATE SKIP LOCKED``), writes a heartbeat, retries a job that
raised, and deletes a job once it succeeded. What it does not do is outlive its database: when
PostgreSQL restarts, its heartbeat or fetch fails and the worker stops. This module runs it in a
loop: a worker that stopped without being asked to is started again (fresh connections) after
``reconnect_seconds``. Jobs it was running are given to another worker by the scheduler once its
heartbeat is stale, and their pairs are re-run only if their results were not committed.

SIGTERM or Ctrl-C stops fetching, lets running jobs finish for ``shutdown_grace_seconds``, then
aborts them (they are retried elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
from typing import Any

from procrastinate import App

from cases.audit.services import Actor
from cases.takedown.delivery.channels import Channel
from piratewatch.config import Settings
from piratewatch.services import Services
from piratewatch.taskqueue import metrics
from piratewatch.taskqueue.app import SITE_QUEUE, TAKEDOWN_QUEUE, build_app
from piratewatch.taskqueue.scheduler import touch_alive
from piratewatch.taskqueue.tasks import CONTEXT_KEY, WorkerContext

log = logging.getLogger("piratewatch.worker")


def worker_name() -> str:
    """This worker's name in logs: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _channels(services: Services) -> dict[str, Channel]:
    """The channels this worker sends approved notices through: every configured one ("auto", each notice
    by its recipient), only the one named, or none ("")."""
    wanted = services.settings.queue.notice_channel
    channels = services.channels if wanted else {}
    return dict(channels) if wanted == "auto" else {k: v for k, v in channels.items() if k == wanted}


async def _keep_alive(app: App, path: str, every: float) -> None:
    """Touch the alive file while the database answers (a health check reads its age)."""
    if not path:
        return
    while True:
        with contextlib.suppress(Exception):
            if await app.check_connection_async():
                touch_alive(path)
        await asyncio.sleep(every)


async def _run_once(app: App, settings: Settings, context: WorkerContext, name: str, stop: asyncio.Event) -> None:
    q = settings.queue
    common: dict[str, Any] = {
        "install_signal_handlers": False,  # ours set `stop`; see run_worker
        "additional_context": {CONTEXT_KEY: context},
        "fetch_job_polling_interval": q.poll_seconds,
        "update_heartbeat_interval": q.heartbeat_seconds,
        "stalled_worker_timeout": q.stalled_after_seconds,
        "shutdown_graceful_timeout": q.shutdown_grace_seconds,
        "delete_jobs": "successful",
    }
    async with app.open_async():
        # Two procrastinate workers in one process: site jobs on their slots, takedown jobs on
        # theirs, so an approved notice never waits for a crawl slot to free up.
        # Without takedown slots, the site-job slots serve every queue (takedown jobs included).
        site_queues: dict[str, Any] = {"queues": [SITE_QUEUE]} if q.takedown_concurrency else {}
        workers = {
            asyncio.create_task(app.run_worker_async(name=name, concurrency=q.concurrency, **site_queues, **common))
        }
        if q.takedown_concurrency:
            workers.add(
                asyncio.create_task(
                    app.run_worker_async(
                        name=f"{name}/takedown", concurrency=q.takedown_concurrency, queues=[TAKEDOWN_QUEUE], **common
                    )
                )
            )
        stopping = asyncio.create_task(stop.wait())
        alive = asyncio.create_task(_keep_alive(app, q.alive_file, q.heartbeat_seconds))
        await asyncio.wait({*workers, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        alive.cancel()
        for running in workers:
            if not running.done():
                running.cancel()  # procrastinate's graceful stop: no new jobs, running ones finish
        results = await asyncio.gather(*workers, return_exceptions=True)
        for result in results:
            # one of them lost the database: the loop in run_worker starts both again
            if isinstance(result, Exception):
                raise result


async def run_worker(services: Services, stop: asyncio.Event, name: str | None = None) -> None:
    """Run jobs until `stop` is set, starting procrastinate's worker again whenever it loses the database."""
    settings = services.settings
    name = name or worker_name()
    actor = Actor(f"worker:{name}")
    async with services.resolver() as resolver:
        runner = services.runner(actor, takedown=False)
        runner.open_resolver = resolver  # its caches outlive one job
        context = WorkerContext(
            factory=services.factory,
            runner=runner,
            actor=actor,
            channels=_channels(services),
            checker=services.url_checker,
            recheck_before_send=settings.notices.recheck_before_send,
            notice_batch=settings.queue.notice_batch,
            in_flight=dt.timedelta(seconds=settings.queue.in_flight_seconds),
            takedown_run_seconds=settings.queue.takedown_run_seconds,
            takedown_poll_seconds=settings.queue.takedown_poll_seconds,
            stopping=stop,
            decision_wait=dt.timedelta(days=settings.notices.rejection_decision_days),
        )
        server = (
            metrics.serve(settings.queue.metrics_port, settings.queue.metrics_address)
            if settings.queue.metrics_port
            else None
        )
        try:
            await _run_forever(settings, context, name, stop)
        finally:
            if server is not None:
                server.shutdown()


async def _run_forever(settings: Settings, context: WorkerContext, name: str, stop: asyncio.Event) -> None:
    """procrastinate's workers, started again whenever they lose the database, until `stop`."""
    while not stop.is_set():
        try:
            await _run_once(build_app(settings), settings, context, name, stop)
        except Exception as exc:  # the database went away mid-run (restart, failover, network)
            log.warning(
                "worker stopped (%s: %s)", type(exc).__name__, str(exc).splitlines()[0][:300] if str(exc) else ""
            )
        if not stop.is_set():
            log.info("worker %s reconnecting in %.1f s", name, settings.queue.reconnect_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.queue.reconnect_seconds)
