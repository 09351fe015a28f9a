"""``piratewatch queue status``: the task queue's state in one command (the numbers ``/metrics`` exports)."""

from __future__ import annotations

from typing import Annotated

import typer

from piratewatch.cli.support import print_json, services

app = typer.Typer(
    help="The task queue: what is due, queued, running; workers.", no_args_is_help=True, rich_markup_mode=None
)


def _seconds(value: float) -> str:
    if value < 120:
        return f"{value:.0f} s"
    if value < 7200:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.1f} h"


@app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object instead of a table.")] = False,
) -> None:
    """Due pairs, queued and running jobs by kind, the takedown lag and workers alive (docs/scaling.md)."""
    from cases.db import utcnow
    from exporters.metrics.queue import JOB_LABELS, queue_status

    with services() as svc, svc.factory() as session:
        state = queue_status(session, utcnow(), svc.settings.queue.stalled_after_seconds)
    if as_json:
        print_json(state.as_dict())
        return
    queued = state.queued
    print(f"{'job':<10} {'due':>8} {'oldest due':>11} {'queued':>8} {'running':>8} {'failing':>8}")
    for job in JOB_LABELS:
        site_job = job in state.due
        if not site_job and queued is None:
            continue  # no task queue: takedown work runs inside `piratewatch run`
        print(
            f"{job:<10} {state.due.get(job, 0) if site_job else '-':>8} "
            f"{_seconds(state.oldest_due_seconds.get(job, 0.0)) if site_job else '-':>11} "
            f"{queued.get(job, 0) if queued is not None else '-':>8} {state.running.get(job, 0):>8} "
            f"{state.failing.get(job, 0) if site_job else '-':>8}"
        )
    print(
        f"takedown: {state.approved_notices} approved notice(s) waiting, the oldest for "
        f"{_seconds(state.takedown_lag_seconds)}"
    )
    if state.workers_alive is None:
        print("workers: none (embedded store: `piratewatch run` does the work)")
    else:
        print(f"workers: {state.workers_alive} alive, {state.workers_stale} stale")
