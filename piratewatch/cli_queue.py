"""``piratewatch`` commands of the task queue: ``worker`` and ``scheduler`` (PostgreSQL; see docs/scaling.md)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import typer

from piratewatch.cli_support import cli_settings, ensure_schema, fail


def _serve(make: Callable[[asyncio.Event], Coroutine[Any, Any, None]], log_level: str) -> None:
    """Run `make(stop)` until it returns; SIGTERM and Ctrl-C set `stop` (a clean stop, not a kill)."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await make(stop)

    asyncio.run(main())


def _queue_settings(concurrency: int | None = None) -> Any:
    from piratewatch.queue.app import QueueUnavailableError, libpq_url

    settings = cli_settings()
    if concurrency is not None:
        settings.queue.concurrency = concurrency
    try:
        libpq_url(settings)
    except QueueUnavailableError as exc:
        fail(str(exc), 2)
    ensure_schema(settings)
    return settings


_LOG_LEVEL = typer.Option("--log-level", help="debug, info, warning or error.")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the ``piratewatch`` app."""

    @app.command()
    def worker(
        concurrency: Annotated[int | None, typer.Option(help="Jobs run at once (default: settings).", min=1)] = None,
        name: Annotated[str | None, typer.Option(help="Name in logs (default: host:pid).")] = None,
        log_level: Annotated[str, _LOG_LEVEL] = "info",
    ) -> None:
        """Run jobs from the task queue: resolve, crawl, estimate, send approved notices (PostgreSQL)."""
        from piratewatch.queue.worker import run_worker

        settings = _queue_settings(concurrency)
        _serve(lambda stop: run_worker(settings, stop, name), log_level)

    @app.command()
    def scheduler(
        once: Annotated[bool, typer.Option("--once", help="One pass, then stop.")] = False,
        log_level: Annotated[str, _LOG_LEVEL] = "info",
    ) -> None:
        """Queue due work for the workers every few seconds, and requeue the jobs of dead workers."""
        import datetime as dt

        from cases.db import make_engine, session_factory
        from piratewatch.queue.app import build_app
        from piratewatch.queue.scheduler import Scheduler, run_scheduler

        settings = _queue_settings()
        scheduler = Scheduler(
            factory=session_factory(make_engine(settings.effective_database_url)),
            defer_app=build_app(settings, with_tasks=False),
            admin_app=build_app(settings, with_tasks=False),
            settings=settings.queue,
            lease=dt.timedelta(seconds=settings.crawler.lease_seconds),
        )
        _serve(lambda stop: run_scheduler(scheduler, stop, once=once), log_level)
