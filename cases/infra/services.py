"""Recording resolutions and reading a site's infrastructure and timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.audit.services import Actor, created, record
from cases.infra.models import InfraEvent, ResolutionSnapshot
from cases.infra.schemas import ChangeIn, EventPublic, InfraPublic
from cases.sites.models import Domain
from common.text import scrub


def latest_snapshot(session: Session, domain_id: int) -> ResolutionSnapshot | None:
    """The newest snapshot of a domain."""
    return session.scalars(
        sa.select(ResolutionSnapshot)
        .where(col(ResolutionSnapshot.domain_id) == domain_id)
        .order_by(sa.desc(col(ResolutionSnapshot.resolved_at)), sa.desc(col(ResolutionSnapshot.id)))
        .limit(1)
    ).first()


def record_resolution(
    session: Session,
    actor: Actor,
    domain: Domain,
    *,
    resolved_at: dt.datetime,
    profile: dict[str, Any],
    addresses: Sequence[str],
    asns: Sequence[int],
    host_organisation: str | None,
    cdn: str | None,
    registrar: str | None,
    failure_count: int,
    changes: Sequence[ChangeIn],
) -> ResolutionSnapshot:
    """Store one resolution of `domain` and the changes since the previous one."""
    assert domain.id is not None
    snapshot = ResolutionSnapshot(
        site_id=domain.site_id,
        domain_id=domain.id,
        resolved_at=resolved_at,
        addresses=list(addresses),
        asns=list(asns),
        # What registries said, one safe line each (the profile itself goes through SafeJSON).
        host_organisation=scrub(host_organisation, max_length=500),
        cdn=scrub(cdn, max_length=200),
        registrar=scrub(registrar, max_length=500),
        failure_count=failure_count,
        profile=profile,
    )
    session.add(snapshot)
    session.flush()
    assert snapshot.id is not None
    for change in changes:
        session.add(
            InfraEvent(
                site_id=domain.site_id,
                domain_id=domain.id,
                snapshot_id=snapshot.id,
                at=resolved_at,
                kind=change.kind,
                old_value=change.old,
                new_value=change.new,
            )
        )
    if failure_count == 0 and addresses:
        domain.last_seen_at = resolved_at
    record(
        session,
        actor,
        [
            created(
                "resolution_snapshot",
                snapshot.id,
                {"domain": domain.fqdn, "changes": len(changes), "cdn": snapshot.cdn},
            )
        ],
    )
    return snapshot


def add_event(
    session: Session, site_id: int, domain_id: int | None, kind: str, old: str | None, new: str | None
) -> None:
    """An infrastructure event that is not a snapshot diff (a domain hop found by a crawl)."""
    session.add(InfraEvent(site_id=site_id, domain_id=domain_id, kind=kind, old_value=old, new_value=new))


def site_infrastructure(session: Session, site_id: int) -> list[InfraPublic]:
    """The latest snapshot of each domain of the site."""
    newest = (
        sa.select(col(ResolutionSnapshot.domain_id), sa.func.max(col(ResolutionSnapshot.id)).label("sid"))
        .where(col(ResolutionSnapshot.site_id) == site_id)
        .group_by(col(ResolutionSnapshot.domain_id))
        .subquery()
    )
    rows = session.execute(
        sa.select(ResolutionSnapshot, col(Domain.fqdn_unicode))
        .join(newest, newest.c.sid == col(ResolutionSnapshot.id))
        .join(Domain, col(Domain.id) == col(ResolutionSnapshot.domain_id))
        .order_by(col(Domain.id))
    ).all()
    return [
        InfraPublic(
            domain=fqdn,
            resolved_at=snap.resolved_at,
            addresses=snap.addresses,
            asns=snap.asns,
            host_organisation=snap.host_organisation,
            cdn=snap.cdn,
            registrar=snap.registrar,
            abuse_contacts=list(snap.profile.get("abuse_contacts", [])),
            failures=list(snap.profile.get("failures", [])),
        )
        for snap, fqdn in rows
    ]


def site_timeline(session: Session, site_id: int, limit: int = 200) -> list[EventPublic]:
    """The site's infrastructure events, newest first."""
    rows = session.execute(
        sa.select(InfraEvent, col(Domain.fqdn_unicode))
        .outerjoin(Domain, col(Domain.id) == col(InfraEvent.domain_id))
        .where(col(InfraEvent.site_id) == site_id)
        .order_by(sa.desc(col(InfraEvent.at)), sa.desc(col(InfraEvent.id)))
        .limit(limit)
    ).all()
    return [
        EventPublic(at=event.at, domain=fqdn, kind=event.kind, old=event.old_value, new=event.new_value)
        for event, fqdn in rows
    ]
