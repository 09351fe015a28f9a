"""Site families: proposing that two sites are one, and merging them (the site that stays keeps all history).

Merging moves the merged site's domains, submissions, evidence, crawls, snapshots, events, estimates
and works found to the site that stays, so cases follow the service across domains ("staydown"); the
merged site stays as a ``merged`` row pointing at the other, so old links still resolve.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.audit.services import Actor, created, record, updated
from cases.base import SQLModel, table_of
from cases.crawls.models import FamilyProposal, FamilyStatus, SiteCrawl, WorkFound
from cases.db import utcnow
from cases.errors import ConflictError, NotFoundError
from cases.infra.models import InfraEvent, ResolutionSnapshot
from cases.infra.services import add_event
from cases.intake.models import EvidenceItem, Submission
from cases.messages import said
from cases.schedule.models import JobDue
from cases.sites.models import Domain, Site, SiteContentType, SiteLanguage, SiteStatus
from cases.sqlutil import insert_ignore
from cases.traffic.models import TrafficEstimate

#: tables whose rows belong to a site through a ``site_id`` column, moved as a whole on a merge
_MOVED: tuple[type[SQLModel], ...] = (
    Domain,
    Submission,
    EvidenceItem,
    SiteCrawl,
    WorkFound,
    ResolutionSnapshot,
    InfraEvent,
    TrafficEstimate,
)


def propose(
    session: Session, actor: Actor, site_a: int, site_b: int, signals: Sequence[str], confidence: float
) -> FamilyProposal:
    """Record (or update) the proposal that two sites are one; the older site is the one that stays."""
    keep, other = sorted((site_a, site_b))
    proposal = session.scalars(
        sa.select(FamilyProposal).where(col(FamilyProposal.site_id) == keep, col(FamilyProposal.other_site_id) == other)
    ).first()
    if proposal is None:
        proposal = FamilyProposal(site_id=keep, other_site_id=other, signals=sorted(signals), confidence=confidence)
        session.add(proposal)
        session.flush()
        record(
            session,
            actor,
            [created("family_proposal", proposal.id or 0, {"sites": [keep, other], "signals": proposal.signals})],
        )
    elif proposal.status == FamilyStatus.PROPOSED and confidence > proposal.confidence:
        record(
            session,
            actor,
            [updated("family_proposal", proposal.id or 0, "confidence", proposal.confidence, confidence)],
        )
        proposal.confidence = confidence
        proposal.signals = sorted(set(proposal.signals) | set(signals))
    return proposal


def merge_sites(session: Session, actor: Actor, keep_id: int, merge_id: int) -> Site:
    """Move everything of site `merge_id` to site `keep_id`; the merged site points at the other."""
    keep, merged = session.get(Site, keep_id), session.get(Site, merge_id)
    if keep is None or merged is None:
        raise NotFoundError(said("site not found"))
    if keep_id == merge_id or merged.status == SiteStatus.MERGED:
        raise ConflictError(said("site {site} cannot be merged into {other}", site=merge_id, other=keep_id))
    moved_domains = [d for d in session.scalars(sa.select(col(Domain.id)).where(col(Domain.site_id) == merge_id)) if d]
    for model in _MOVED:
        table = table_of(model)
        session.execute(sa.update(table).where(table.c.site_id == merge_id).values(site_id=keep_id))
    for tag_model, column in ((SiteLanguage, "language"), (SiteContentType, "content_type")):
        table = table_of(tag_model)
        values = session.scalars(sa.select(table.c[column]).where(table.c.site_id == merge_id)).all()
        insert_ignore(session, table, [{"site_id": keep_id, column: v} for v in values], ["site_id", column])
        session.execute(sa.delete(table).where(table.c.site_id == merge_id))
    session.execute(sa.delete(table_of(JobDue)).where(table_of(JobDue).c.site_id == merge_id))
    record(
        session,
        actor,
        [
            updated("site", merge_id, "status", merged.status, SiteStatus.MERGED.value),
            updated("site", merge_id, "merged_into_id", None, keep_id),
            *(updated("domain", d, "site_id", merge_id, keep_id) for d in moved_domains),
        ],
    )
    merged.status = SiteStatus.MERGED
    merged.merged_into_id = keep_id
    merged.updated_at = keep.updated_at = utcnow()
    add_event(session, keep_id, None, "merged_site", merged.name, keep.name)
    return keep


def decide(session: Session, actor: Actor, proposal_id: int, *, accept: bool) -> FamilyProposal:
    """An operator's decision on a proposal: merge the two sites, or reject the proposal."""
    proposal = session.get(FamilyProposal, proposal_id)
    if proposal is None:
        raise NotFoundError(said("family proposal {proposal} not found", proposal=proposal_id))
    if proposal.status != FamilyStatus.PROPOSED:
        raise ConflictError(
            said("family proposal {proposal} is already {status}", proposal=proposal_id, status=proposal.status)
        )
    if accept:
        merge_sites(session, actor, proposal.site_id, proposal.other_site_id)
    status = FamilyStatus.MERGED if accept else FamilyStatus.REJECTED
    record(session, actor, [updated("family_proposal", proposal_id, "status", proposal.status, status.value)])
    proposal.status = status
    proposal.decided_at = utcnow()
    proposal.decided_by = actor.name
    return proposal


def list_proposals(session: Session, status: FamilyStatus | None, limit: int = 200) -> list[FamilyProposal]:
    """Proposals, newest first (operators only: they name sites of every association)."""
    query = sa.select(FamilyProposal).order_by(sa.desc(col(FamilyProposal.id))).limit(limit)
    if status is not None:
        query = query.where(col(FamilyProposal.status) == status.value)
    return list(session.scalars(query))
