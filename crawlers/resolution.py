"""The resolve job: resolve a site's domains and record each snapshot with what changed.

It lives here, not in ``cases``, because it needs the resolver's types to compute the diff; the
store only ever sees plain data.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from cases.audit.services import Actor
from cases.db import transaction
from cases.infra.schemas import ChangeIn
from cases.infra.services import latest_snapshot, record_resolution
from cases.sites.models import Domain
from cases.sites.normalize import NormalizationError, normalize_host
from resolver import Resolver, SiteProfile, diff_profiles


@dataclass
class ResolveOutcome:
    """One domain resolved: its profile, whether it was stored, and what changed."""

    profile: SiteProfile
    stored: bool
    changes: list[ChangeIn]


def _changes(session: Session, domain: Domain, profile: SiteProfile) -> list[ChangeIn]:
    assert domain.id is not None
    previous = latest_snapshot(session, domain.id)
    old = SiteProfile.model_validate(previous.profile) if previous is not None else None
    return [ChangeIn(kind=c.kind, old=c.old, new=c.new) for c in diff_profiles(old, profile)]


def store_profile(session: Session, actor: Actor, domain: Domain, profile: SiteProfile) -> list[ChangeIn]:
    """Record `profile` as the newest snapshot of `domain`; returns the changes recorded."""
    changes = _changes(session, domain, profile)
    hosting = profile.hosting[0] if profile.hosting else None
    record_resolution(
        session,
        actor,
        domain,
        resolved_at=profile.resolved_at,
        profile=profile.model_dump(mode="json"),
        addresses=profile.dns.addresses,
        asns=sorted({a for h in profile.hosting for a in h.asns}),
        host_organisation=(hosting.organisation or hosting.as_name) if hosting else None,
        cdn=profile.cdn.provider if profile.cdn else None,
        registrar=profile.registration.registrar if profile.registration else None,
        failure_count=len(profile.failures),
        changes=changes,
    )
    return changes


def find_domain(session: Session, name: str) -> Domain | None:
    try:
        fqdn = normalize_host(name).fqdn
    except NormalizationError:
        return None
    return session.scalars(sa.select(Domain).where(col(Domain.fqdn) == fqdn)).first()


async def resolve_and_record(
    factory: sessionmaker[Session], resolver: Resolver, names: list[str], actor: Actor, *, store: bool = True
) -> list[ResolveOutcome]:
    """Resolve `names`; those that are domains of known sites get a snapshot and their changes."""
    profiles = await resolver.resolve_many(names)
    outcomes = []
    for profile in profiles:
        stored = False
        changes: list[ChangeIn] = []
        if store:
            with transaction(factory) as session:
                domain = find_domain(session, profile.domain)
                if domain is not None:
                    changes = store_profile(session, actor, domain, profile)
                    stored = True
        outcomes.append(ResolveOutcome(profile, stored, changes))
    return outcomes
