"""The ``piratewatch`` command line: one module per command group, each command at module level.

Commands import what they need when they run, so ``piratewatch --help`` loads no store, resolver or
web framework. Every command reaches the store and the backends through the use cases
(:mod:`piratewatch.services`), built by :func:`piratewatch.cli.support.services`.
"""

from __future__ import annotations

import sys

import typer

from piratewatch.cli import (
    associations,
    cases,
    crawl,
    db,
    evidence,
    keys,
    notices,
    providers,
    queue,
    reports,
    resolve,
    senders,
    serve,
    sites,
    taskqueue,
)

# Plain help and tracebacks: rich's help renderer costs more than the rest of start-up together, and
# pretty tracebacks print local variables (settings, keys) into terminals and logs.
app = typer.Typer(
    help="Monitor pirate sites and coordinate their takedown.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(associations.app, name="associations")
app.add_typer(keys.app, name="keys")
app.add_typer(sites.app, name="sites")
app.add_typer(providers.app, name="providers")
app.add_typer(cases.app, name="cases")
app.add_typer(notices.app, name="notices")
app.add_typer(evidence.app, name="evidence")
app.add_typer(queue.app, name="queue")
app.add_typer(senders.app, name="senders")
app.add_typer(reports.report_app, name="report")
app.add_typer(reports.metrics_app, name="metrics")
app.command()(resolve.resolve)
app.command()(crawl.run)
app.command()(crawl.crawl)
app.command()(crawl.estimate)
app.command()(serve.serve)
app.command()(serve.demo)
app.command()(taskqueue.worker)
app.command()(taskqueue.scheduler)


def main() -> None:
    """Entry point of the ``piratewatch`` command."""
    from common.logs import install_redaction

    install_redaction()  # before any command logs: no API key or token reaches a log line
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
