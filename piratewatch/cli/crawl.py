"""``piratewatch run``, ``crawl SITE`` and ``estimate SITE``: keeping sites fresh, one crawl, one estimate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from piratewatch.cli.support import USAGE, cli_actor, console, fail, services

if TYPE_CHECKING:
    from piratewatch.services import Services

_JOBS = ["resolve", "crawl", "estimate"]


def _site_id(svc: Services, site: str) -> int:
    """A site given as its id or as one of its domains."""
    site_id = svc.site_id_of(site)
    if site_id is None:
        fail(f"no site has the domain {site!r}")
    return site_id


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
    """Crawl one site now: profile, catalogue size, counters, works found, hops."""
    with services() as svc:
        summary = svc.crawl(_site_id(svc, site), cli_actor())
    state = "ok" if summary.ok else "[yellow]failed[/yellow]"
    console.print(
        f"crawled {summary.start_url}: {state}, crawl {summary.crawl_id}, {summary.works_found} new works found"
    )
    if summary.hop_to:
        via = f" ({summary.hop_via})" if summary.hop_via else ""
        console.print(f"  hop: the site now lives at {summary.hop_to}{via}")
    for problem in summary.problems:
        console.print(f"  [yellow]{problem['kind']}[/yellow] {problem['url']}")


def estimate(
    site: Annotated[str, typer.Argument(help="A site id or one of its domains.")],
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: this month).")] = None,
) -> None:
    """Estimate one site's monthly visits now, from every configured source."""
    import asyncio

    from cases.db import utcnow
    from crawlers.traffic import month_of

    with services() as svc:
        site_id = _site_id(svc, site)
        label = month or month_of(utcnow())
        [outcome] = asyncio.run(svc.estimate([site_id], label, cli_actor()))
    for source, error in outcome.failed_sources.items():
        console.print(f"[yellow]source {source} failed[/yellow]: {error}")
    result = outcome.estimate
    if result is None:
        fail(f"no traffic source knows site {site_id} (configure a rank list or an API key, or crawl it twice)")
    console.print(
        f"site {site_id}, {label}: {result.visits_central:,.0f} visits "
        f"({result.visits_low:,.0f} - {result.visits_high:,.0f}); sources: {', '.join(result.sources)}"
    )
