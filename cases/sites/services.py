"""Finding and creating sites and domains, in bulk.

Dedupe rule: a host whose *registrable domain* is already known belongs to that domain's site. Two
associations reporting ``manga-raw.io`` and ``www.manga-raw.io/title/1`` get one site with two
submissions.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.audit.services import Actor, CreationLog, Creations, created, record, updated
from cases.base import table_of
from cases.db import utcnow
from cases.errors import InvalidInputError, NotFoundError
from cases.messages import said
from cases.sites.models import Domain, Site, SiteContentType, SiteLanguage, SiteStatus
from cases.sqlutil import insert_ignore, insert_returning_ids, insert_rows, is_postgres, key_in, lock_keys
from cases.works.models import Work
from common.hosts import NormalizationError, NormalizedHost, normalize_host

_SITE = table_of(Site)
_DOMAIN = table_of(Domain)
SITES_CREATED = Creations(
    "site", lambda ids: sa.select(_SITE.c.id, _SITE.c.name, _SITE.c.status).where(ids(_SITE.c.id))
)
DOMAINS_CREATED = Creations(
    "domain",
    lambda ids: sa.select(_DOMAIN.c.id, _DOMAIN.c.fqdn, _DOMAIN.c.site_id, _DOMAIN.c.is_ip).where(ids(_DOMAIN.c.id)),
)


@functools.cache
def _domains_of_registrables(postgres: bool) -> Any:
    return sa.select(_DOMAIN.c.registrable_domain, _DOMAIN.c.fqdn, _DOMAIN.c.site_id).where(
        key_in(postgres, _DOMAIN.c.registrable_domain, "registrables")
    )


@dataclass
class SiteResolution:
    """Where one group of hosts landed."""

    site_id: int
    site_created: bool
    domains_created: set[str] = field(default_factory=set)  # fqdns
    #: fqdns that already belonged to another site than `site_id` (left where they are)
    foreign_domains: dict[str, int] = field(default_factory=dict)


def _known_domains(session: Session, registrables: Iterable[str]) -> tuple[dict[str, int], dict[str, int]]:
    """The site of each known registrable domain, and the site of each known host under them.

    One query: a host's registrable domain is a function of the host, so every known host of the
    batch is among the domains of its registrable domain.
    """
    keys = set(registrables)
    by_registrable: dict[str, int] = {}
    by_fqdn: dict[str, int] = {}
    if not keys:
        return by_registrable, by_fqdn
    rows = session.execute(_domains_of_registrables(is_postgres(session)), {"registrables": sorted(keys)}).all()
    for registrable, fqdn, site_id in rows:
        by_fqdn[fqdn] = site_id
        by_registrable[registrable] = min(site_id, by_registrable.get(registrable, site_id))
    return by_registrable, by_fqdn


def ensure_sites(
    session: Session,
    log: CreationLog,
    groups: Sequence[list[NormalizedHost]],
    *,
    also_lock: tuple[str, Sequence[str]] | None = None,
) -> list[SiteResolution]:
    """Find or create the site of each group of hosts, and create the hosts' missing domains.

    A group is the hosts of one submitted site. The group's site is the site of the first host whose
    registrable domain is known; otherwise a new site named after the first host. Returns one
    resolution per group (same order); the sites and domains created go in `log`. `also_lock`
    (a namespace and keys) is locked in the same statement as the registrable domains.
    """
    all_hosts = [h for g in groups for h in g]
    # Two writers creating the same registrable domain at once would create two sites.
    lock_keys(session, "registrable", [h.registrable_domain for h in all_hosts], *([also_lock] if also_lock else []))
    by_registrable, existing_fqdns = _known_domains(session, (h.registrable_domain for h in all_hosts))
    now = utcnow()
    # Pass 1: which groups need a new site. Groups of one batch that share a registrable domain
    # share the new site too.
    pending: dict[str, int] = {}  # registrable domain -> index into new_sites
    new_sites: list[dict[str, object]] = []
    group_site: list[tuple[str, int]] = []  # ("existing", site_id) or ("new", index into new_sites)
    for group in groups:
        known = next(
            (by_registrable[h.registrable_domain] for h in group if h.registrable_domain in by_registrable),
            None,
        )
        if known is not None:
            group_site.append(("existing", known))
            continue
        index = next((pending[h.registrable_domain] for h in group if h.registrable_domain in pending), None)
        if index is None:
            index = len(new_sites)
            new_sites.append(
                {
                    "name": group[0].fqdn_unicode,
                    "status": "active",
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for h in group:
            pending.setdefault(h.registrable_domain, index)
        group_site.append(("new", index))
    new_ids = insert_returning_ids(session, table_of(Site), new_sites)
    log.add(SITES_CREATED, new_ids)
    # Pass 2: the domains.
    results: list[SiteResolution] = []
    new_domains: list[dict[str, object]] = []
    announced: set[int] = set()
    for group, (kind, ref) in zip(groups, group_site, strict=True):
        site_id = new_ids[ref] if kind == "new" else ref
        resolution = SiteResolution(site_id, site_created=kind == "new" and site_id not in announced)
        announced.add(site_id)
        for host in group:
            owner = existing_fqdns.get(host.fqdn)
            if owner is None:
                existing_fqdns[host.fqdn] = site_id
                resolution.domains_created.add(host.fqdn)
                new_domains.append(
                    {
                        "site_id": site_id,
                        "fqdn": host.fqdn,
                        "fqdn_unicode": host.fqdn_unicode,
                        "registrable_domain": host.registrable_domain,
                        "is_ip": host.is_ip,
                        "status": "active",
                        "first_seen_at": now,
                        "last_seen_at": now,
                    }
                )
            elif owner != site_id:
                resolution.foreign_domains[host.fqdn] = owner
        results.append(resolution)
    # ON CONFLICT: a crawler may attach the same host as a hop at this very moment.
    domain_ids = [int(r[0]) for r in insert_ignore(session, table_of(Domain), new_domains, ["fqdn"], returning=["id"])]
    log.add(DOMAINS_CREATED, domain_ids)
    return results


def add_site_tags(
    session: Session, languages: dict[int, set[str]], content_types: dict[int, set[str]], new_sites: set[int]
) -> None:
    """Record languages and content types of sites (adding, never removing).

    Sites created in this transaction have no tags yet: theirs are copied in without a conflict check.
    """
    for table, tags, column in (
        (table_of(SiteLanguage), languages, "language"),
        (table_of(SiteContentType), content_types, "content_type"),
    ):
        fresh: list[dict[str, object]] = []
        known: list[dict[str, object]] = []
        for site_id, values in tags.items():
            (fresh if site_id in new_sites else known).extend({"site_id": site_id, column: v} for v in sorted(values))
        insert_rows(session, table, fresh)
        insert_ignore(session, table, known, ["site_id", column])


def update_site_status(session: Session, site_id: int, status: str, actor: Actor) -> Site:
    """Change a site's status (operators do this), with an audit event."""
    if status not in {s.value for s in SiteStatus}:
        raise InvalidInputError([f"status: must be one of {', '.join(s.value for s in SiteStatus)}"])
    site = session.get(Site, site_id)
    if site is None:
        raise NotFoundError(said("site {site} not found", site=site_id))
    if site.status != status:
        record(session, actor, [updated("site", site_id, "status", site.status, status)])
        site.status = SiteStatus(status)
        site.updated_at = utcnow()
    return site


def legitimate_destination(session: Session, host: NormalizedHost) -> bool:
    """Whether `host` belongs to a rights holder's own site: the registrable domain of a work's official URL.

    A seized or abandoned pirate domain often forwards to the publisher's store; that destination
    must never join the pirate site (its host would get notices).
    """
    candidates = session.scalars(
        sa.select(col(Work.official_url)).where(col(Work.official_url).contains(host.registrable_domain)).distinct()
    )
    for url in candidates:
        try:
            if url and normalize_host(url).registrable_domain == host.registrable_domain:
                return True
        except NormalizationError:
            continue
    return False


def attach_domain(
    session: Session, actor: Actor, site_id: int, host: NormalizedHost, *, via: str
) -> tuple[Domain, bool]:
    """Attach `host` to the site (a hop or a sibling found by the resolver); returns (domain, created).

    A host that already belongs to a site stays where it is: merging two sites is an operator's
    decision (or the crawlers' family matching), not a side effect of one redirect.
    """
    existing = session.scalars(sa.select(Domain).where(col(Domain.fqdn) == host.fqdn)).first()
    if existing is not None:
        return existing, False
    now = utcnow()
    domain = Domain(
        site_id=site_id,
        fqdn=host.fqdn,
        fqdn_unicode=host.fqdn_unicode,
        registrable_domain=host.registrable_domain,
        is_ip=host.is_ip,
        first_seen_at=now,
        last_seen_at=now,
    )
    session.add(domain)
    session.flush()
    assert domain.id is not None
    record(session, actor, [created("domain", domain.id, {"fqdn": host.fqdn, "site_id": site_id, "via": via})])
    return domain, True
