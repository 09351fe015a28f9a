"""``piratewatch worker`` and ``piratewatch scheduler``: the task queue on PostgreSQL (docs/scaling.md)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Annotated, Any

import typer

from piratewatch.cli.support import USAGE, cli_settings, fail

if TYPE_CHECKING:
    import asyncio

    from piratewatch.services import Services

_LOG_LEVEL = typer.Option("--log-level", help="debug, info, warning or error.")


def _serve(make: Callable[[asyncio.Event], Coroutine[Any, Any, None]], log_level: str) -> None:
    """Run `make(stop)` until it returns; SIGTERM and Ctrl-C set `stop` (a clean stop, not a kill)."""
    import asyncio
    import logging
    import signal

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await make(stop)

    asyncio.run(main())


def _queue_services(concurrency: int | None = None) -> Services:
    """The services of a worker or the scheduler: PostgreSQL only, at this version's schema."""
    from piratewatch.errors import PiratewatchError
    from piratewatch.services import Services
    from piratewatch.taskqueue.app import libpq_url

    settings = cli_settings()
    if concurrency is not None:
        settings.queue.concurrency = concurrency
    try:
        libpq_url(settings)
    except PiratewatchError as exc:
        fail(str(exc), USAGE)
    services = Services.from_settings(settings)
    try:
        services.check_schema()
    except PiratewatchError as exc:
        services.close()
        fail(str(exc))
    return services


def worker(
    concurrency: Annotated[int | None, typer.Option(help="Jobs run at once (default: settings).", min=1)] = None,
    name: Annotated[str | None, typer.Option(help="Name in logs (default: host:pid).")] = None,
    log_level: Annotated[str, _LOG_LEVEL] = "info",
) -> None:
    """Run jobs from the task queue: resolve, crawl, estimate, send approved notices (PostgreSQL)."""
    from piratewatch.taskqueue.worker import run_worker

    services = _queue_services(concurrency)
    try:
        _serve(lambda stop: run_worker(services, stop, name), log_level)
    finally:
        services.close()


def scheduler(
    once: Annotated[bool, typer.Option("--once", help="One pass, then stop.")] = False,
    log_level: Annotated[str, _LOG_LEVEL] = "info",
) -> None:
    """Queue due work for the workers every few seconds, and requeue the jobs of dead workers."""
    import datetime as dt

    from piratewatch.taskqueue.app import build_app
    from piratewatch.taskqueue.scheduler import Scheduler, run_scheduler

    services = _queue_services()
    settings = services.settings
    scheduler = Scheduler(
        factory=services.factory,
        defer_app=build_app(settings, with_tasks=False),
        admin_app=build_app(settings, with_tasks=False),
        settings=settings.queue,
        lease=dt.timedelta(seconds=settings.crawler.lease_seconds),
        decision_wait=dt.timedelta(days=settings.notices.rejection_decision_days),
    )
    try:
        _serve(lambda stop: run_scheduler(scheduler, stop, once=once), log_level)
    finally:
        services.close()
