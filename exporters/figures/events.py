"""The month's events: new, closed and hopped sites, host changes, domains gone, notices sent and actioned.

Counted from the audit trail, the infrastructure events and the notices, in the month's calendar
window in its time zone. Kept apart from the visits (:mod:`exporters.figures.store`) because the
two are read at different paces: the collector caches the visits and recounts the events.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.audit.models import AuditEvent
from cases.infra.models import InfraEvent, ResolutionSnapshot
from cases.sites.models import Domain, Site, SiteStatus
from cases.takedown.models import Notice, NoticeState
from exporters.figures.calendar import Month

#: infrastructure changes that count as a move of host (a domain's first resolution does not)
HOST_CHANGE_KINDS = ("new_host", "new_cdn", "cdn_gone")
CLOSED_STATUSES = (SiteStatus.CLOSED.value, SiteStatus.SEIZED.value)
GONE_DOMAIN_STATUSES = ("seized", "expired", "unreachable")


def _window(month: Month) -> tuple[dt.datetime, dt.datetime]:
    return month.start.astimezone(dt.UTC), month.end.astimezone(dt.UTC)


def month_events(session: Session, month: Month) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """The month's events over all sites, and per site."""
    start, end = _window(month)
    totals: Counter[str] = Counter()
    per_site: dict[int, Counter[str]] = defaultdict(Counter)

    def within(column: Any) -> sa.ColumnElement[bool]:
        return sa.and_(column >= start, column < end)

    totals["sites_new"] = int(
        session.execute(
            sa.select(sa.func.count()).select_from(Site).where(within(col(Site.first_seen_at)))
        ).scalar_one()
    )
    closed = {
        int(entity_id)
        for (entity_id,) in session.execute(
            sa.select(col(AuditEvent.entity_id))
            .where(
                col(AuditEvent.entity_type) == "site",
                col(AuditEvent.field) == "status",
                col(AuditEvent.new_value).in_(CLOSED_STATUSES),
                within(col(AuditEvent.at)),
            )
            .distinct()
        )
        if str(entity_id).isdigit()
    }
    totals["sites_closed"] = len(closed)
    for site_id in closed:
        per_site[site_id]["closed"] = 1

    hops = [
        site_id
        for (site_id,) in session.execute(
            sa.select(col(InfraEvent.site_id)).where(
                col(InfraEvent.kind) == "redirects_to_domain", within(col(InfraEvent.at))
            )
        )
    ]
    totals["domain_hops"] = len(hops)
    totals["sites_hopped"] = len(set(hops))
    for site_id in hops:
        per_site[site_id]["domain_hops"] += 1

    earlier = (
        sa.select(col(ResolutionSnapshot.id))
        .where(
            col(ResolutionSnapshot.domain_id) == col(InfraEvent.domain_id),
            col(ResolutionSnapshot.resolved_at) < col(InfraEvent.at),
        )
        .exists()
    )
    for (site_id,) in session.execute(
        sa.select(col(InfraEvent.site_id)).where(
            col(InfraEvent.kind).in_(HOST_CHANGE_KINDS), within(col(InfraEvent.at)), earlier
        )
    ):
        totals["host_changes"] += 1
        per_site[site_id]["host_changes"] += 1

    gone: set[tuple[int, int]] = set()
    for site_id, domain_id, addresses in session.execute(
        sa.select(col(InfraEvent.site_id), col(InfraEvent.domain_id), col(ResolutionSnapshot.addresses))
        .join(ResolutionSnapshot, col(ResolutionSnapshot.id) == col(InfraEvent.snapshot_id))
        .where(col(InfraEvent.kind) == "ip_gone", within(col(InfraEvent.at)))
    ):
        if not addresses and domain_id is not None:  # the domain stopped resolving altogether
            gone.add((site_id, domain_id))
    set_gone = [
        int(entity_id)
        for (entity_id,) in session.execute(
            sa.select(col(AuditEvent.entity_id)).where(
                col(AuditEvent.entity_type) == "domain",
                col(AuditEvent.field) == "status",
                col(AuditEvent.new_value).in_(GONE_DOMAIN_STATUSES),
                within(col(AuditEvent.at)),
            )
        )
        if str(entity_id).isdigit()
    ]
    if set_gone:
        gone |= {
            (site_id, domain_id)
            for domain_id, site_id in session.execute(
                sa.select(col(Domain.id), col(Domain.site_id)).where(col(Domain.id).in_(set_gone))
            )
        }
    totals["domains_gone"] = len({domain_id for _, domain_id in gone})
    for site_id, _ in gone:
        per_site[site_id]["domains_gone"] += 1

    for (site_id,) in session.execute(sa.select(col(Notice.site_id)).where(within(col(Notice.sent_at)))):
        totals["notices_sent"] += 1
        per_site[site_id]["notices_sent"] += 1
    for (site_id,) in session.execute(
        sa.select(col(Notice.site_id)).where(
            col(Notice.state) == NoticeState.ACTIONED.value, within(col(Notice.closed_at))
        )
    ):
        totals["notices_actioned"] += 1
        per_site[site_id]["notices_actioned"] += 1
    return dict(totals), {site_id: dict(c) for site_id, c in per_site.items()}
