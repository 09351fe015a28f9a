"""The counter-notice and objection steps of ``piratewatch notices``: each prints the clock's dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from piratewatch.cli.notices import app
from piratewatch.cli.support import USAGE, cli_actor, console, fail, print_json, services


def _when(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        console.print(f"not a date or time (ISO 8601, e.g. 2026-12-03 or 2026-12-03T15:00:00+00:00): {value!r}")
        raise typer.Exit(1) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@app.command("counter-notice")
def counter_notice(
    notice_id: Annotated[int, typer.Argument()],
    received: Annotated[str | None, typer.Option(help="When the provider received it (ISO 8601; default now).")] = None,
    body_file: Annotated[
        Path | None, typer.Option("--body", help="The counter-notice as forwarded, kept as received.")
    ] = None,
) -> None:
    """Record a §512(g) counter-notice on a sent DMCA notice: the content may be restored after 10 business days."""
    from cases.takedown.counter_notices import record_counter_notice

    body = body_file.read_text(encoding="utf-8", errors="replace") if body_file else None
    with services() as svc, svc.transaction() as session:
        notice = record_counter_notice(session, cli_actor(), notice_id, received_at=_when(received), body=body)
        console.print(
            f"notice {notice_id}: {notice.state}; restore expected from {notice.clock_ends_at:%Y-%m-%d} "
            f"to {notice.restore_latest_at:%Y-%m-%d} unless an action is filed (notices action-filed {notice_id})"
        )


@app.command("action-filed")
def action_filed(
    notice_id: Annotated[int, typer.Argument()],
    filed: Annotated[str | None, typer.Option(help="When the action was filed (ISO 8601; default now).")] = None,
) -> None:
    """Record that the rights holder filed an action against the poster of a counter-notice (§512(g)(2)(C))."""
    from cases.takedown.counter_notices import record_action_filed

    with services() as svc, svc.transaction() as session:
        notice = record_action_filed(session, cli_actor(), notice_id, filed_at=_when(filed))
        late = notice.clock_ends_at is not None and notice.action_filed_at is not None
        late = late and notice.action_filed_at > notice.clock_ends_at  # type: ignore[operator]
        console.print(f"notice {notice_id}: {notice.state}" + (" (filed after the 10th business day)" if late else ""))


@app.command("poster-inquired")
def poster_inquired(
    notice_id: Annotated[int, typer.Argument()],
    inquired: Annotated[
        str | None, typer.Option(help="When the provider asked the poster (ISO 8601; default now).")
    ] = None,
) -> None:
    """Record that a Japanese provider asked the poster whether they object: 7 days start (an objection: reply rejected)."""
    from cases.takedown.counter_notices import record_poster_inquiry

    with services() as svc, svc.transaction() as session:
        notice = record_poster_inquiry(session, cli_actor(), notice_id, inquired_at=_when(inquired))
        console.print(
            f"notice {notice_id}: {notice.state}; the poster's 7 days end {notice.clock_ends_at:%Y-%m-%d %H:%M} UTC"
        )


@app.command("clock")
def clock(
    notice_id: Annotated[int, typer.Argument()],
    as_json: Annotated[bool, typer.Option("--json", help="The clock as the API answers it.")] = False,
) -> None:
    """A notice's counter-notice or objection clock: its dates, what its state means, the steps open now."""
    from cases.db import utcnow
    from cases.takedown.clocks import notice_clock
    from cases.takedown.services import get_notice

    with services() as svc, svc.factory() as session:
        shown = notice_clock(get_notice(session, notice_id), utcnow())
    if as_json:
        print_json(shown.model_dump(mode="json"))
        return
    console.print(f"notice {notice_id}: {shown.state} ({shown.legal_basis})", highlight=False)
    for label, value in (
        ("counter-notice", shown.counter_kind),
        ("received", shown.counter_received_at),
        ("clock ends", shown.clock_ends_at),
        ("restored by", shown.restore_latest_at),
        ("action filed", shown.action_filed_at),
    ):
        if value is not None:
            shown_value = value.isoformat() if isinstance(value, dt.datetime) else value
            console.print(f"  {label}: {shown_value}", highlight=False)
    console.print(f"  {'running' if shown.running else 'not running'}: {shown.meaning}", highlight=False)
    steps = ", ".join(f"notices {s} {notice_id}" for s in shown.next_steps) or "none"
    console.print(f"  next steps: {steps}", highlight=False)


@app.command("restored")
def restored(
    notice_id: Annotated[int, typer.Argument()],
    without_recheck: Annotated[
        bool, typer.Option("--without-recheck", help="The re-check cannot see the page: record it on --note.")
    ] = False,
    note: Annotated[str | None, typer.Option(help="What shows the restore (with --without-recheck).")] = None,
    at: Annotated[str | None, typer.Option(help="When it came back (ISO 8601; with --without-recheck).")] = None,
) -> None:
    """Record that the provider restored the content after the counter-notice's clock ran out.

    The notice's URLs are fetched again and the restore is recorded with those live again; when none
    is, nothing is recorded and each URL's finding is printed (exit 1).
    """
    import asyncio

    from cases.takedown.restores import check_restore, record_unchecked_restore

    if not without_recheck and (note is not None or at is not None):
        fail("--note and --at are for a restore recorded --without-recheck", USAGE)
    with services() as svc:
        if without_recheck:
            with svc.transaction() as session:
                notice = record_unchecked_restore(
                    session, cli_actor(), notice_id, note=note or "", restored_at=_when(at)
                )
                console.print(f"notice {notice_id}: {notice.state}; {notice.restore_evidence}", highlight=False)
            return
        check = asyncio.run(check_restore(svc.factory, cli_actor(), notice_id, svc.url_checker, require=True))
    console.print(f"notice {notice_id}: restored; live again: {', '.join(check.live)}", highlight=False)
    for url, reason in check.not_live.items():
        console.print(f"  not live: {url}: {reason}", highlight=False)


@app.command("decide")
def decide(
    notice_id: Annotated[int, typer.Argument()],
    action: Annotated[str, typer.Option(help="fix (draft it again), escalate (the next step) or close.")],
    reason: Annotated[
        str,
        typer.Option(
            help="insufficient_evidence, wrong_recipient, disputes_infringement, needs_other_channel or other."
        ),
    ],
    note: Annotated[str | None, typer.Option(help="What the recipient said (required with --reason other).")] = None,
    template: Annotated[str | None, typer.Option(help="The fixed draft's template (--action fix).")] = None,
) -> None:
    """Decide on a recipient's rejection: fix and send again as a new draft, escalate, or close (with the reason)."""
    from cases.takedown.decisions import decide as decide_rejection

    with services() as svc, svc.transaction() as session:
        taken = decide_rejection(session, cli_actor(), notice_id, action, reason, note=note, template=template)
    if taken.action == "fix":
        then = f"; notice {taken.new_notice_id} drafted to fix (notices submit {taken.new_notice_id} once fixed)"
    elif taken.action == "escalate":
        then = f"; notice {taken.new_notice_id} at {taken.step}" if taken.new_notice_id else "; no next step"
    else:
        then = ""
    console.print(f"notice {notice_id}: {taken.state} ({taken.reason}){then}", highlight=False)


@app.command("rejections")
def rejections(
    as_json: Annotated[bool, typer.Option("--json", help="As the API answers them.")] = False,
) -> None:
    """The recipients' rejections waiting for a decision, oldest first, with when upkeep escalates each."""
    from cases.takedown.decisions import rejections as waiting

    with services() as svc, svc.factory() as session:
        rows = waiting(session, dt.timedelta(days=svc.settings.notices.rejection_decision_days))
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    for row in rows:
        rejected = row.rejected_at.isoformat() if row.rejected_at else "?"
        when = row.escalates_at.isoformat() if row.escalates_at else "at the next upkeep"
        console.print(
            f"notice {row.notice_id} ({row.legal_basis}): rejected {rejected}; escalated {when} "
            f"unless decided (notices decide {row.notice_id} --action fix|escalate|close --reason ...)",
            highlight=False,
        )
    if not rows:
        console.print("no rejection waits for a decision")
