"""The estimate job: read what the store knows of the sites, ask every source, store the combination."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from cases.audit.services import Actor
from cases.counters.names import Increment
from cases.counters.services import add_counts
from cases.crawls.models import SiteCrawl
from cases.db import transaction
from cases.errors import PairDoneError
from cases.sites.models import Domain
from cases.traffic.schemas import CountryShare, EstimateIn
from cases.traffic.services import record_estimate
from crawlers.errors import TrafficApiError
from crawlers.traffic.base import CounterReading, Estimator, SiteInput, SourceEstimate, combine
from piratewatch.jobs.counts import estimate_counts, source_counts

#: Called inside the transaction that stores a site's estimate (the scheduler sets the next due time).
OnStored = Callable[[Session, int], None]


def site_inputs(session: Session, site_ids: Sequence[int]) -> list[SiteInput]:
    """Domains and the two newest crawls' counters of each site."""
    domains: dict[int, list[str]] = defaultdict(list)
    for sid, fqdn, registrable in session.execute(
        sa.select(col(Domain.site_id), col(Domain.fqdn), col(Domain.registrable_domain)).where(
            col(Domain.site_id).in_(site_ids)
        )
    ):
        domains[sid] += [fqdn, registrable]
    readings: dict[int, list[CounterReading]] = defaultdict(list)
    newest = (
        sa.select(
            col(SiteCrawl.id),
            sa.func.row_number()
            .over(partition_by=col(SiteCrawl.site_id), order_by=sa.desc(col(SiteCrawl.started_at)))
            .label("n"),
        )
        .where(col(SiteCrawl.site_id).in_(site_ids), col(SiteCrawl.ok).is_(True))
        .subquery()
    )
    rows = session.execute(
        sa.select(col(SiteCrawl.site_id), col(SiteCrawl.started_at), col(SiteCrawl.view_counters))
        .join(newest, newest.c.id == col(SiteCrawl.id))
        .where(newest.c.n <= 2)
        .order_by(col(SiteCrawl.started_at))
    )
    for sid, started, counters in rows:
        if counters:
            readings[sid].append(CounterReading(started.timestamp(), dict(counters)))
    return [SiteInput(site_id=s, domains=list(dict.fromkeys(domains[s])), readings=readings[s][-2:]) for s in site_ids]


def to_estimate_in(month: str, estimates: Sequence[SourceEstimate]) -> EstimateIn:
    """The combination of a site's source estimates, as the store takes it."""
    c = combine(estimates)
    return EstimateIn(
        month=month,
        visits_low=c.low,
        visits_central=c.central,
        visits_high=c.high,
        pages_per_visit=c.pages_per_visit,
        minutes_per_visit=c.minutes_per_visit,
        countries=[CountryShare(country=k, share=v) for k, v in c.countries],
        sources=c.sources,
        method=c.details,
    )


async def estimate_sites(
    factory: sessionmaker[Session],
    estimators: Sequence[Estimator],
    site_ids: Sequence[int],
    month: str,
    actor: Actor,
    on_stored: OnStored | None = None,
) -> dict[int, EstimateIn | None]:
    """Estimate the sites and store one combined estimate each (None: no source knew the site).

    Each site's estimate, its counters and `on_stored` (the pair's completion) commit in one
    transaction; a site another run finished meanwhile (:class:`~cases.errors.PairDoneError`) is
    left out of the answer.
    """
    with factory() as session:
        inputs = site_inputs(session, site_ids)
    by_site: dict[int, list[SourceEstimate]] = defaultdict(list)
    failed: dict[str, str] = {}
    failed_for: dict[int, dict[str, str]] = defaultdict(dict)
    counts: list[Increment] = []
    for estimator in estimators:
        start = time.perf_counter()
        try:
            answers = await estimator.estimate(inputs, month)
        except (TrafficApiError, httpx.HTTPError, OSError, ValueError) as exc:
            # One source down (an API outage, an unreadable list) must not stop the others.
            failed[estimator.name] = f"{type(exc).__name__}: {exc}"[:500]
            counts += source_counts(estimator.name, time.perf_counter() - start, 0, failed=True)
            continue
        counts += source_counts(estimator.name, time.perf_counter() - start, len(answers), failed=False)
        for sid, estimate in answers.items():
            by_site[sid].append(estimate)
        for sid, why in getattr(estimator, "failures", {}).items():  # a source that failed for some sites only
            failed_for[sid][estimator.name] = why
    results: dict[int, EstimateIn | None] = {}
    for sid in site_ids:
        result = to_estimate_in(month, by_site[sid]) if by_site[sid] else None
        if result is not None and (failed or failed_for[sid]):
            result.method["failed_sources"] = {**failed, **failed_for[sid]}
        try:
            with transaction(factory) as session:
                if result is not None:
                    record_estimate(session, actor, sid, result)
                # The sources' counts go with the first site's estimate that commits: a job killed
                # after a commit and run again never counts a source's answer twice.
                add_counts(session, [*counts, *estimate_counts(result is not None)])
                if on_stored is not None:
                    on_stored(session, sid)
            counts = []
        except PairDoneError:  # another run stored this site's estimate: ours rolled back
            continue
        results[sid] = result
    if counts:
        with transaction(factory) as session:
            add_counts(session, counts)
    return results
