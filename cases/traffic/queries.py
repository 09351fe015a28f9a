"""Reading a site's traffic estimates (the caller's right to see the site is checked by the view)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.traffic.models import TrafficEstimate
from cases.traffic.schemas import CountryShare, EstimatePublic, SiteTraffic


def _public(row: TrafficEstimate) -> EstimatePublic:
    return EstimatePublic(
        month=row.month,
        visits_low=row.visits_low,
        visits_central=row.visits_central,
        visits_high=row.visits_high,
        pages_per_visit=row.pages_per_visit,
        minutes_per_visit=row.minutes_per_visit,
        countries=[CountryShare.model_validate(c) for c in row.countries],
        sources=row.sources,
        method=row.method,
        computed_at=row.computed_at,
    )


def estimate_history(session: Session, site_id: int, limit: int = 500) -> list[TrafficEstimate]:
    """Every computation for the site, newest first."""
    return list(
        session.scalars(
            sa.select(TrafficEstimate)
            .where(col(TrafficEstimate.site_id) == site_id)
            .order_by(sa.desc(col(TrafficEstimate.computed_at)), sa.desc(col(TrafficEstimate.id)))
            .limit(limit)
        )
    )


def site_traffic(session: Session, site_id: int, *, with_history: bool = False) -> SiteTraffic:
    """The newest estimate of each month (newest month first), and optionally the whole history."""
    rows = estimate_history(session, site_id)
    current: dict[str, TrafficEstimate] = {}
    for row in rows:  # newest first: the first row seen for a month is its current estimate
        current.setdefault(row.month, row)
    months = [_public(current[m]) for m in sorted(current, reverse=True)]
    return SiteTraffic(site_id=site_id, months=months, history=[_public(r) for r in rows] if with_history else [])


def latest_estimate(session: Session, site_id: int) -> EstimatePublic | None:
    """The newest estimate of the site's newest month, if any."""
    months = site_traffic(session, site_id).months
    return months[0] if months else None
