"""Site families: which other sites share this site's fingerprints, and how sure that makes us.

Signals and their weights (the chance each alone means "same operator"): a redirect into another
site's domain 0.95, a shared analytics or tag-manager ID 0.7, a certificate naming another site's
domain 0.6, the same icon 0.4, a link presented as a mirror 0.3. Kinds combine as independent
evidence: confidence = 1 − Π(1 − wᵢ) over the distinct kinds seen. At or above the configured
threshold the sites merge at once; below it, an operator confirms (``/api/v1/families``).
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.audit.services import Actor
from cases.crawls.families import decide, propose
from cases.crawls.models import FamilyProposal, FamilyStatus, SiteCrawl
from cases.infra.models import ResolutionSnapshot
from cases.sites.models import Domain, Site, SiteStatus

WEIGHTS = {"redirect_target": 0.95, "analytics_id": 0.7, "certificate_san": 0.6, "favicon": 0.4, "mirror_link": 0.3}


def confidence(signals: list[str]) -> float:
    """Combined confidence of signals named ``kind:value``."""
    remaining = 1.0
    for kind in {s.split(":", 1)[0] for s in signals}:
        remaining *= 1 - WEIGHTS.get(kind, 0.0)
    return round(1 - remaining, 4)


def _latest_crawls(session: Session) -> dict[int, SiteCrawl]:
    """The newest successful crawl of every live site."""
    newest = (
        sa.select(col(SiteCrawl.site_id), sa.func.max(col(SiteCrawl.id)).label("cid"))
        .where(col(SiteCrawl.ok).is_(True))
        .group_by(col(SiteCrawl.site_id))
        .subquery()
    )
    rows = session.scalars(
        sa.select(SiteCrawl)
        .join(newest, newest.c.cid == col(SiteCrawl.id))
        .join(Site, col(Site.id) == col(SiteCrawl.site_id))
        .where(col(Site.status) != SiteStatus.MERGED)
    )
    return {r.site_id: r for r in rows}


def family_signals(session: Session, site_id: int) -> dict[int, list[str]]:
    """Other sites sharing fingerprints with `site_id`, each with the signals seen."""
    found: dict[int, set[str]] = defaultdict(set)
    crawls = _latest_crawls(session)
    mine = crawls.get(site_id)
    if mine is not None:
        for other_id, other in crawls.items():
            if other_id == site_id:
                continue
            for shared in sorted(set(mine.analytics_ids) & set(other.analytics_ids)):
                found[other_id].add(f"analytics_id:{shared}")
            if mine.favicon_sha256 and mine.favicon_sha256 == other.favicon_sha256:
                found[other_id].add("favicon")
    owners = {d.fqdn: d.site_id for d in session.scalars(sa.select(Domain))}
    for host in mine.mirror_links if mine is not None else []:
        if owners.get(host, site_id) != site_id:
            found[owners[host]].add(f"mirror_link:{host}")
    target = sa.orm.aliased(Domain)
    for fqdn, other_id in session.execute(
        sa.select(col(target.fqdn), col(target.site_id))
        .join(Domain, col(Domain.redirects_to_id) == col(target.id))
        .where(col(Domain.site_id) == site_id, col(target.site_id) != site_id)
    ):
        found[other_id].add(f"redirect_target:{fqdn}")
    for (profile,) in session.execute(
        sa.select(col(ResolutionSnapshot.profile)).where(col(ResolutionSnapshot.site_id) == site_id)
    ):
        sans = ((profile or {}).get("http") or {}).get("tls") or {}
        for name in sans.get("sans", []):
            name = str(name).lower().removeprefix("*.").removeprefix("www.")
            if owners.get(name, site_id) != site_id:
                found[owners[name]].add(f"certificate_san:{name}")
    return {other: sorted(signals) for other, signals in found.items() if signals}


def link_families(session: Session, actor: Actor, site_id: int, merge_at: float) -> list[FamilyProposal]:
    """Propose a family with every site sharing fingerprints; merge at once when sure enough."""
    proposals = []
    for other_id, signals in sorted(family_signals(session, site_id).items()):
        if session.get(Site, other_id) is None:
            continue
        proposal = propose(session, actor, site_id, other_id, signals, confidence(signals))
        if proposal.status == FamilyStatus.PROPOSED and proposal.confidence >= merge_at:
            decide(session, actor, proposal.id or 0, accept=True)
        proposals.append(proposal)
    return proposals
