"""``piratewatch`` commands of the crawl area: ``run``, ``crawl SITE``, ``estimate SITE``."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from piratewatch.cli_support import cli_actor, cli_factory, cli_settings, console, ensure_schema, fail

_JOBS = ["resolve", "crawl", "estimate"]


def _site_id(factory: sessionmaker[Session], site: str) -> int:
    """A site given as its id or as one of its domains."""
    from crawlers.resolution import find_domain

    if site.isdigit():
        return int(site)
    with factory() as session:
        domain = find_domain(session, site)
    if domain is None:
        fail(f"no site has the domain {site!r}")
    return domain.site_id


def register(app: typer.Typer, providers_app: typer.Typer) -> None:
    """Add this area's commands to the ``piratewatch`` app."""

    @app.command()
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

        from cases.crawls.models import JobKind
        from crawlers.scheduler import Runner
        from piratewatch.wiring import takedown_upkeep

        unknown = sorted(set(jobs) - set(_JOBS))
        if unknown:
            fail(f"unknown job kinds: {', '.join(unknown)} (known: {', '.join(_JOBS)})", 2)
        settings = cli_settings()
        ensure_schema(settings)
        factory = cli_factory(settings)
        runner = Runner(
            factory,
            settings.crawler,
            settings.traffic,
            settings.resolver_settings(),
            cli_actor(),
            upkeep=takedown_upkeep(settings, factory, cli_actor()) if takedown else None,
        )
        kinds = [JobKind(j) for j in dict.fromkeys(jobs)]
        if not once:
            console.print(f"running {', '.join(jobs)} jobs; Ctrl-C to stop")
            asyncio.run(runner.run_forever(kinds, poll))
            return
        report = asyncio.run(runner.run_once(kinds))
        done = ", ".join(f"{n} {k}" for k, n in sorted(report.done.items())) or "nothing was due"
        console.print(f"done: {done}")
        for failure in report.failed:
            console.print(f"[yellow]failed[/yellow] {failure}")

    @app.command()
    def crawl(site: Annotated[str, typer.Argument(help="A site id or one of its domains.")]) -> None:
        """Crawl one site now: profile, catalogue size, counters, works found, hops."""
        from cases.errors import NotFoundError
        from crawlers.crawl_job import crawl_and_record

        settings = cli_settings()
        ensure_schema(settings)
        factory = cli_factory(settings)
        try:
            summary = crawl_and_record(factory, settings.crawler, _site_id(factory, site), cli_actor())
        except NotFoundError as exc:
            fail(str(exc))
        state = "ok" if summary.ok else "[yellow]failed[/yellow]"
        console.print(
            f"crawled {summary.start_url}: {state}, crawl {summary.crawl_id}, {summary.works_found} new works found"
        )
        if summary.hop_to:
            via = f" ({summary.hop_via})" if summary.hop_via else ""
            console.print(f"  hop: the site now lives at {summary.hop_to}{via}")
        for problem in summary.problems:
            console.print(f"  [yellow]{problem['kind']}[/yellow] {problem['url']}")

    @app.command()
    def estimate(
        site: Annotated[str, typer.Argument(help="A site id or one of its domains.")],
        month: Annotated[str | None, typer.Option(help="YYYY-MM (default: this month).")] = None,
    ) -> None:
        """Estimate one site's monthly visits now, from every configured source."""
        import asyncio

        from cases.db import utcnow
        from crawlers.traffic import configured_estimators, estimate_sites, month_of

        settings = cli_settings()
        ensure_schema(settings)
        factory = cli_factory(settings)
        site_id = _site_id(factory, site)
        label = month or month_of(utcnow())
        results = asyncio.run(
            estimate_sites(factory, configured_estimators(settings.traffic), [site_id], label, cli_actor())
        )
        result = results[site_id]
        if result is None:
            fail(f"no traffic source knows site {site_id} (configure a rank list or an API key, or crawl it twice)")
        console.print(
            f"site {site_id}, {label}: {result.visits_central:,.0f} visits "
            f"({result.visits_low:,.0f} - {result.visits_high:,.0f}); sources: {', '.join(result.sources)}"
        )
