"""The resolve job: resolve a site's domains and record each snapshot with what changed.

Each snapshot also opens a takedown case with every party found who can act (host, CDN, registrar)
and drafts the site's first notices for the operators' queue (``cases.takedown.drafting``).

It lives here, not in ``cases``, because it needs the resolver's types to compute the diff; the
store only ever sees plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from cases.audit.services import Actor
from cases.counters.services import add_counts
from cases.db import transaction
from cases.errors import PairDoneError
from cases.infra.schemas import ChangeIn
from cases.infra.services import add_event, latest_snapshot, record_resolution
from cases.sites.models import Domain, DomainStatus
from cases.sites.services import attach_domain, legitimate_destination
from cases.takedown.drafting import draft_first_notices
from cases.takedown.opening import open_cases_from_resolution
from common.hosts import NormalizationError, normalize_host
from piratewatch.jobs.counts import resolution_counts, resolver_counts
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


def store_profile(
    session: Session, actor: Actor, domain: Domain, profile: SiteProfile, *, open_cases: bool = True
) -> list[ChangeIn]:
    """Record `profile` as the newest snapshot of `domain`; returns the changes recorded.

    With `open_cases`, the parties found get their cases and the site its first notices (drafts).
    """
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
    changes += _attach_discoveries(session, actor, domain, profile)
    if open_cases:
        open_cases_from_resolution(session, actor, domain.site_id)
        draft_first_notices(session, actor, domain.site_id)
    return changes


def _attach_discoveries(session: Session, actor: Actor, domain: Domain, profile: SiteProfile) -> list[ChangeIn]:
    """Domains the site redirected to (a hop) or named in its certificate join the same site."""
    events: list[ChangeIn] = []
    hops = profile.http.hops_to if profile.http else []
    final_host = ""
    if profile.http and profile.http.final_url:
        final_host = urlsplit(profile.http.final_url).hostname or ""
    for name in dict.fromkeys([*hops, *profile.siblings]):
        try:
            host = normalize_host(final_host if final_host and name in hops and final_host.endswith(name) else name)
        except NormalizationError:
            continue
        if legitimate_destination(session, host):
            if name in hops:  # forwards to a rights holder's own site: a takedown, not a hop
                add_event(session, domain.site_id, domain.id, "redirects_to_legitimate_site", domain.fqdn, host.fqdn)
            continue
        attached, created_now = attach_domain(session, actor, domain.site_id, host, via="resolver")
        if name in hops:
            if domain.redirects_to_id != attached.id:
                domain.redirects_to_id = attached.id
                domain.status = DomainStatus.REDIRECTING
                add_event(session, domain.site_id, domain.id, "redirects_to_domain", domain.fqdn, attached.fqdn)
                events.append(ChangeIn(kind="redirects_to_domain", old=domain.fqdn, new=attached.fqdn))
        elif created_now:
            add_event(session, domain.site_id, attached.id, "sibling_domain", None, attached.fqdn)
            events.append(ChangeIn(kind="sibling_domain", new=attached.fqdn))
        if attached.site_id != domain.site_id:
            add_event(session, domain.site_id, domain.id, "linked_to_other_site", None, str(attached.site_id))
    return events


def find_domain(session: Session, name: str) -> Domain | None:
    try:
        fqdn = normalize_host(name).fqdn
    except NormalizationError:
        return None
    return session.scalars(sa.select(Domain).where(col(Domain.fqdn) == fqdn)).first()


#: Called inside the transaction that stores a site's snapshot (the scheduler sets the next due time).
OnStored = Callable[[Session, int], None]


async def resolve_and_record(
    factory: sessionmaker[Session],
    resolver: Resolver,
    names: list[str],
    actor: Actor,
    *,
    store: bool = True,
    on_stored: OnStored | None = None,
) -> list[ResolveOutcome]:
    """Resolve `names`; those that are domains of known sites get a snapshot and their changes.

    With `store`, the resolutions and the resolver's requests, cache hits and waits are also added
    to the operation counters, each in the transaction that stores a snapshot: no counter is ever
    committed apart from the results it counts, so a job killed after one commit and re-run counts
    nothing twice. `on_stored(session, site_id)` runs in that same transaction (the job's completion:
    results and the pair's next due time commit together). If it raises
    :class:`~cases.errors.PairDoneError` (another run finished the pair), that snapshot rolls back.
    """
    before = resolver.stats()
    took: dict[str, float] = {}
    profiles = await resolver.resolve_many(names, on_resolved=lambda p, s: took.__setitem__(p.domain, s))
    # Known once every name is resolved; committed with the first snapshot that commits.
    waiting = resolver_counts(resolver.stats() - before) if store else []
    outcomes = []
    for profile in profiles:
        stored = False
        changes: list[ChangeIn] = []
        if store:
            try:
                with transaction(factory) as session:
                    domain = find_domain(session, profile.domain)
                    if domain is not None:
                        changes = store_profile(session, actor, domain, profile)
                        stored = True
                    add_counts(session, [*resolution_counts(profile, took.get(profile.domain, 0.0)), *waiting])
                    if domain is not None and on_stored is not None:
                        on_stored(session, domain.site_id)
                waiting = []
            except PairDoneError:  # another run stored this site's snapshot: ours rolled back
                stored, changes = False, []
        outcomes.append(ResolveOutcome(profile, stored, changes))
    if waiting:
        with transaction(factory) as session:
            add_counts(session, waiting)
    return outcomes
