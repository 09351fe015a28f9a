"""Use cases of monitoring: where a site lives (resolve), what it holds (crawl), how many visit it
(estimate), and keeping every site fresh (the due-job runner)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from piratewatch.services.resources import Resources

if TYPE_CHECKING:
    from cases.audit.services import Actor
    from cases.traffic.schemas import EstimateIn
    from piratewatch.jobs.crawl import CrawlSummary
    from piratewatch.jobs.resolve import ResolveOutcome
    from piratewatch.jobs.runner import Runner


@dataclass(frozen=True)
class EstimateOutcome:
    """One site's estimate for a month: the combination stored, or None when no source knew the site."""

    site_id: int
    month: str
    estimate: EstimateIn | None
    #: sources that failed while asked (their error), whether or not others answered
    failed_sources: dict[str, str] = field(default_factory=dict)


async def resolve(self: Resources, names: Sequence[str], actor: Actor, *, store: bool = True) -> list[ResolveOutcome]:
    """Resolve each name; domains of known sites get a snapshot, their changes, cases and first drafts."""
    from piratewatch.jobs.resolve import resolve_and_record

    async with self.resolver() as resolver:
        return await resolve_and_record(self.factory, resolver, list(names), actor, store=store)


def crawl(self: Resources, site_id: int, actor: Actor) -> CrawlSummary:
    """Crawl one site now and record what was found (blocking: the crawl runs in a child process), then
    capture the URLs it matched a work at for the first time (``PIRATEWATCH_EVIDENCE__CAPTURE_ON_CRAWL``)."""
    from piratewatch.jobs.crawl import crawl_and_record

    summary = crawl_and_record(self.factory, self.settings.crawler, site_id, actor)
    if summary.new_matches and self.settings.evidence.capture_on_crawl:
        asyncio.run(capture_after_crawl(self, actor, summary))
    return summary


async def capture_after_crawl(self: Resources, actor: Actor, summary: CrawlSummary) -> None:
    """The captures of a stored crawl's new matches, kept in its summary."""
    from piratewatch.services.evidence import capture_crawl_matches

    summary.captures = await capture_crawl_matches(self, actor, summary.site_id, summary.new_matches)


async def estimate(self: Resources, site_ids: Sequence[int], month: str, actor: Actor) -> list[EstimateOutcome]:
    """Ask every configured traffic source about the sites for `month`; store one combination per site."""
    from piratewatch.jobs.estimate import estimate_sites

    results = await estimate_sites(self.factory, self.estimators, list(site_ids), month, actor)
    return [
        EstimateOutcome(
            site_id,
            month,
            result,
            dict(result.method.get("failed_sources", {})) if result is not None else {},
        )
        for site_id, result in results.items()
    ]


def runner(self: Resources, actor: Actor, *, takedown: bool = True) -> Runner:
    """The due-job runner of ``piratewatch run``: resolve, crawl and estimate each site when due, and after
    each pass (with `takedown`) a round of takedown upkeep through the same channels and re-check."""
    from piratewatch.jobs.runner import Runner
    from piratewatch.services import takedown as takedown_cases

    async def upkeep() -> object:
        return await takedown_cases.upkeep(self, actor)

    async def after_crawl(summary: CrawlSummary) -> None:
        await capture_after_crawl(self, actor, summary)

    return Runner(
        self.factory,
        self.settings.crawler,
        self.settings.traffic,
        self.resolver_settings,
        actor,
        upkeep=upkeep if takedown else None,
        estimators=self.estimators,
        after_crawl=after_crawl if self.settings.evidence.capture_on_crawl else None,
    )
