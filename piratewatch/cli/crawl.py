"""``piratewatch run``, ``crawl SITE`` and ``estimate SITE``: keeping sites fresh, one crawl, one estimate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from piratewatch.cli.support import USAGE, cli_actor, console, err_console, fail, services, site_of

if TYPE_CHECKING:
    from cases.traffic.models import TrafficEstimate
    from cases.traffic.schemas import EstimateIn
    from piratewatch.services import Services

_JOBS = ["resolve", "crawl", "estimate"]


def run(
    jobs: Annotated[list[str], typer.Option("--job", help="Job kinds to run (repeatable).")] = _JOBS,
    once: Annotated[bool, typer.Option("--once", help="Do what is due now, then stop.")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between passes when running on.", min=1)] = 60.0,
    takedown: Annotated[
        bool,
        typer.Option(help="After each pass, send approved notices, check sent URLs and escalate overdue notices."),
    ] = True,
) -> None:
    """Keep every site fresh: resolve, crawl and estimate each site when its job is due; keep takedowns moving."""
    import asyncio

    from cases.schedule.models import JobKind

    unknown = sorted(set(jobs) - set(_JOBS))
    if unknown:
        fail(f"unknown job kinds: {', '.join(unknown)} (known: {', '.join(_JOBS)})", USAGE)
    kinds = [JobKind(j) for j in dict.fromkeys(jobs)]
    with services() as svc:
        runner = svc.runner(cli_actor(), takedown=takedown)
        if not once:
            console.print(f"running {', '.join(jobs)} jobs; Ctrl-C to stop")
            asyncio.run(runner.run_forever(kinds, poll))
            return
        report = asyncio.run(runner.run_once(kinds))
    done = ", ".join(f"{n} {k}" for k, n in sorted(report.done.items())) or "nothing was due"
    console.print(f"done: {done}")
    for failure in report.failed:
        console.print(f"[yellow]failed[/yellow] {failure}")
    if report.failed:
        raise typer.Exit(1)


def crawl(site: Annotated[str, typer.Argument(help="A site id or one of its domains.")]) -> None:
    """Crawl one site now: profile, catalogue size, counters, works found, hops.

    With ``PIRATEWATCH_EVIDENCE__CAPTURE_ON_CRAWL`` on, the URLs it matched a work at for the first time are
    captured afterwards, one line each. Exits with 1 when the crawl failed (its start page could not be
    fetched, or was refused), naming why, or when a capture got no answer at all.
    """
    with services() as svc:
        summary = svc.crawl(site_of(svc, site), cli_actor())
    if summary.ok:
        console.print(
            f"crawled {summary.start_url}: crawl {summary.crawl_id} recorded, {summary.works_found} new works found",
            highlight=False,
        )
    else:
        err_console.print(
            f"[red]crawl failed[/red]: {summary.start_url} (crawl {summary.crawl_id} recorded with its problems)",
            highlight=False,
        )
    if summary.hop_to:
        via = f" ({summary.hop_via})" if summary.hop_via else ""
        console.print(f"  hop: the site now lives at {summary.hop_to}{via}", highlight=False)
    for problem in summary.problems:
        (console if summary.ok else err_console).print(
            f"  [yellow]{problem['kind']}[/yellow] {problem['url']}", highlight=False
        )
    for captured in summary.captures:
        limit = f" ({captured.limit})" if captured.limit else ""
        console.print(f"  capture {captured.capture_id} {captured.status}{limit}: {captured.url}", highlight=False)
    if not summary.ok or any(c.status == "failed" for c in summary.captures):
        raise typer.Exit(1)


def estimate(
    site: Annotated[str, typer.Argument(help="A site id or one of its domains.")],
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: this month).")] = None,
) -> None:
    """Estimate one site's monthly visits now, from every configured source.

    Says when the new estimate replaces one of the same month made from other sources; exits with 1
    when no source knows the site.
    """
    import asyncio

    from cases.db import utcnow
    from crawlers.traffic import month_of

    with services() as svc:
        site_id = site_of(svc, site)
        label = month or month_of(utcnow())
        before = _current_estimate(svc, site_id, label)
        [outcome] = asyncio.run(svc.estimate([site_id], label, cli_actor()))
    for source, error in outcome.failed_sources.items():
        err_console.print(f"[yellow]source {source} failed[/yellow]: {error}", highlight=False)
    result = outcome.estimate
    if result is None:
        fail(f"no traffic source knows site {site_id} (configure a rank list or an API key, or crawl it twice)")
    console.print(
        f"site {site_id}, {label}: {result.visits_central:,.0f} visits "
        f"({result.visits_low:,.0f} - {result.visits_high:,.0f}); sources: {', '.join(result.sources)}",
        highlight=False,
    )
    if before is not None:
        console.print(f"  {_replaced(before, result)}", highlight=False)


def _current_estimate(svc: Services, site_id: int, month: str) -> TrafficEstimate | None:
    """The estimate the site's `month` has now (the newest computation), before a new one is stored."""
    from cases.traffic.queries import estimate_history

    with svc.factory() as session:
        return next((row for row in estimate_history(session, site_id) if row.month == month), None)


def _replaced(before: TrafficEstimate, after: EstimateIn) -> str:
    """What the new estimate replaced, in words: the same sources again, or other ones."""
    when = before.computed_at.strftime("%Y-%m-%d %H:%M UTC")
    old = f"{before.visits_central:,.0f} visits from {', '.join(before.sources) or 'no source'} ({when})"
    if sorted(before.sources) == sorted(after.sources):
        return f"replaces the estimate of the same sources: {old}"
    return f"[yellow]replaces an estimate from other sources[/yellow]: {old}"
