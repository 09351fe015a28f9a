"""Recording traffic estimates (each computation is a new row: the history is kept)."""

from __future__ import annotations

from sqlmodel import Session

from cases.audit.services import Actor, created, record
from cases.db import utcnow
from cases.errors import InvalidInputError, NotFoundError
from cases.messages import said
from cases.sites.models import Site
from cases.traffic.models import TrafficEstimate
from cases.traffic.schemas import EstimateIn


def record_estimate(session: Session, actor: Actor, site_id: int, estimate: EstimateIn) -> TrafficEstimate:
    """Store one monthly estimate of `site_id`, with an audit event."""
    if session.get(Site, site_id) is None:
        raise NotFoundError(said("site {site} not found", site=site_id))
    if not estimate.visits_low <= estimate.visits_central <= estimate.visits_high:
        raise InvalidInputError(["visits: low <= central <= high must hold"])
    if not estimate.sources:
        raise InvalidInputError(["sources: an estimate names at least one source"])
    row = TrafficEstimate(
        site_id=site_id,
        month=estimate.month,
        visits_low=estimate.visits_low,
        visits_central=estimate.visits_central,
        visits_high=estimate.visits_high,
        pages_per_visit=estimate.pages_per_visit,
        minutes_per_visit=estimate.minutes_per_visit,
        countries=[c.model_dump() for c in estimate.countries],
        sources=list(estimate.sources),
        method=estimate.method,
        computed_at=utcnow(),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    record(
        session,
        actor,
        [
            created(
                "traffic_estimate",
                row.id,
                {"site_id": site_id, "month": row.month, "visits_central": row.visits_central, "sources": row.sources},
            )
        ],
    )
    return row
