"""Drafting the first notices of a site on their own, once resolution has found who can act.

For each association with evidence on the site and a sender profile, a notice is drafted to the
provider at the lowest step of the ladder the site has a case at (the host, else the CDN in front of
it, ...), under the legal basis that recipient answers to, and put in the operators' queue. Nothing
is sent without an operator's approval. A draft the validator refuses (the profile lacks an element
the basis needs) stays a draft, with the reason, for an operator to complete.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.crawls.models import WorkFound
from cases.errors import ConflictError, InvalidInputError
from cases.intake.models import EvidenceItem
from cases.providers.models import Provider
from cases.sites.models import Site
from cases.takedown.deadlines import DEFAULT_LADDER
from cases.takedown.models import TakedownCase
from cases.takedown.routing import EU_COUNTRIES, basis_for, template_for
from cases.takedown.senders import get_sender_profile
from cases.takedown.services import draft_notice, open_notice_id, submit_for_review


@dataclass(frozen=True)
class Drafted:
    """One notice drafted by :func:`draft_first_notices`: queued for review, or left a draft with the reason."""

    notice_id: int
    association_id: int
    provider: str
    legal_basis: str
    queued: bool
    problem: str | None = None


def _associations_with_evidence(session: Session, site_id: int) -> list[int]:
    submitted = session.exec(select(EvidenceItem.association_id).where(col(EvidenceItem.site_id) == site_id))
    found = session.exec(select(WorkFound.association_id).where(col(WorkFound.site_id) == site_id))
    return sorted({*submitted, *found})


def first_step_cases(session: Session, site_id: int) -> list[TakedownCase]:
    """The site's open cases at the lowest step of the ladder it has a case at."""
    cases = list(
        session.exec(
            select(TakedownCase).where(col(TakedownCase.site_id) == site_id, col(TakedownCase.status) == "open")
        )
    )
    order = {kind.value: index for index, kind in enumerate(DEFAULT_LADDER)}
    ranked = [c for c in cases if c.step in order]
    if not ranked:
        return []
    lowest = min(order[c.step] for c in ranked)
    return sorted((c for c in ranked if order[c.step] == lowest), key=lambda c: c.id or 0)


def draft_first_notices(session: Session, actor: Actor, site_id: int) -> list[Drafted]:
    """Draft and queue a notice per (first-step case, association with evidence and a sender profile).

    Idempotent: an association that already has an open notice to the recipient, or whose every
    (URL, work) pair was already notified to it, gets nothing new. Associations without a sender
    profile are skipped: statements are never made for them.
    """
    drafted: list[Drafted] = []
    associations = _associations_with_evidence(session, site_id)
    for case in first_step_cases(session, site_id):
        provider = session.get(Provider, case.provider_id)
        if provider is None:
            continue
        site = session.get(Site, site_id)
        basis = basis_for(provider, site.name if site else None)
        for association_id in associations:
            profile = get_sender_profile(session, association_id)
            if profile is None or open_notice_id(session, case.id or 0, association_id, basis) is not None:
                continue
            try:
                with session.begin_nested():
                    notice = draft_notice(
                        session,
                        actor,
                        case.id or 0,
                        association_id,
                        basis,
                        dict(profile.sender),
                        template=template_for(provider, basis),
                        fresh_only=True,
                    )
            except (InvalidInputError, ConflictError):
                continue  # nothing new to notify, or another drafter was first
            assert notice.id is not None
            problem = None
            try:
                with session.begin_nested():
                    submit_for_review(session, actor, notice.id)
            except InvalidInputError as exc:
                problem = "; ".join(exc.problems)
            drafted.append(Drafted(notice.id, association_id, provider.name, basis.value, problem is None, problem))
    return drafted


__all__ = ["EU_COUNTRIES", "Drafted", "basis_for", "draft_first_notices", "first_step_cases", "template_for"]
