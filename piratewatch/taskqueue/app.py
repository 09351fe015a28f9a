"""The procrastinate app: built from the settings when a command starts, never at import time."""

from __future__ import annotations

from procrastinate import App, PsycopgConnector, RetryStrategy

from piratewatch.config import Settings
from piratewatch.errors import QueueUnavailableError

#: task names (what the jobs table stores)
SITE_JOB = "piratewatch.site_job"
TAKEDOWN = "piratewatch.takedown"

#: queues: site jobs (resolve, crawl, estimate) and takedown jobs, each served by its own worker slots
SITE_QUEUE = "default"
TAKEDOWN_QUEUE = "takedown"
#: procrastinate runs higher priorities first: a new site's first jobs pass the refresh backlog
PRIORITY_TAKEDOWN = 100
PRIORITY_FIRST_RUN = 10
PRIORITY_REFRESH = 0


def libpq_url(settings: Settings) -> str:
    """The store's URL as libpq takes it (procrastinate speaks to PostgreSQL through psycopg)."""
    url = settings.effective_database_url
    if not url.startswith("postgresql"):
        raise QueueUnavailableError(
            "workers and the scheduler need PostgreSQL (PIRATEWATCH_DATABASE_URL=postgresql://...); "
            "on the embedded SQLite store `piratewatch run` does the same work in one process"
        )
    return "postgresql://" + url.split("://", 1)[1]


def build_app(settings: Settings, *, with_tasks: bool = True) -> App:
    """A procrastinate app on the store's database; `with_tasks` registers the task functions (workers)."""
    # Pool opened by App.open_async (workers) or, for deferring inside our own transaction, not at all.
    app = App(connector=PsycopgConnector(conninfo=libpq_url(settings), min_size=1, max_size=4))
    if with_tasks:
        from piratewatch.taskqueue import tasks

        retry = RetryStrategy(max_attempts=settings.queue.max_attempts, exponential_wait=2)
        app.task(name=SITE_JOB, pass_context=True, retry=retry)(tasks.site_job)
        app.task(name=TAKEDOWN, pass_context=True, retry=retry)(tasks.takedown)
    return app
