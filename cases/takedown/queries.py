"""Reading cases and notices with the tenant rule applied.

A submitter sees the cases of the sites its association submitted, and only its own association's
notices in them (never another association's URLs or evidence); another association's notice is
"not found". Operators and admins see everything.

The helpers after :func:`site_cases` (names for ids, a notice's outbox, replies and audit trail, notices
by state, a site's merged timeline) take ids the caller may already see, except :func:`notices_in_state`,
which applies the rule itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.models import AuditEvent
from cases.errors import NotFoundError
from cases.infra.schemas import EventPublic
from cases.messages import said
from cases.portfolio.queries import get_visible_site
from cases.providers.models import Provider
from cases.sites.models import Site
from cases.takedown.models import DeliveryAttempt, Notice, NoticeItem, NoticeReply, NoticeState, TakedownCase
from cases.takedown.schemas import CasePublic, NoticeDetail, NoticeItemPublic, NoticeSummary
from cases.tenants.models import Association
from cases.tenants.services import Principal


def get_visible_notice(session: Session, principal: Principal, notice_id: int) -> Notice:
    """The notice, if the caller may see it; otherwise :class:`NotFoundError`."""
    notice = session.get(Notice, notice_id)
    if notice is None or (not principal.sees_everything and notice.association_id != principal.association_id):
        raise NotFoundError(said("notice {notice} not found", notice=notice_id))
    if not principal.sees_everything:
        # A notice is visible exactly where its site is: never a notice on a site its reader cannot open.
        try:
            get_visible_site(session, principal, notice.site_id)
        except NotFoundError:
            raise NotFoundError(said("notice {notice} not found", notice=notice_id)) from None
    return notice


def notice_detail(session: Session, principal: Principal, notice_id: int) -> NoticeDetail:
    """A notice with its text and items."""
    notice = get_visible_notice(session, principal, notice_id)
    items = session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice.id).order_by(col(NoticeItem.id)))
    # Read the attributes, not model_dump(): rows loaded from the store hold plain strings in enum fields.
    fields = {name: getattr(notice, name) for name in NoticeDetail.model_fields if name != "items"}
    return NoticeDetail.model_validate({**fields, "items": [NoticeItemPublic.model_validate(i) for i in items]})


def site_cases(session: Session, principal: Principal, site_id: int) -> list[CasePublic]:
    """The cases of a site the caller may see, each with the notices the caller may see."""
    get_visible_site(session, principal, site_id)
    cases = list(
        session.exec(select(TakedownCase).where(col(TakedownCase.site_id) == site_id).order_by(col(TakedownCase.id)))
    )
    query = select(Notice).where(col(Notice.site_id) == site_id).order_by(col(Notice.id))
    if not principal.sees_everything:
        query = query.where(col(Notice.association_id) == principal.association_id)
    notices = list(session.exec(query))
    out = []
    for case in cases:
        provider = session.get(Provider, case.provider_id)
        out.append(
            CasePublic(
                id=case.id or 0,
                site_id=case.site_id,
                provider_id=case.provider_id,
                provider=provider.name if provider else "",
                step=case.step,
                status=case.status,
                opened_at=case.opened_at,
                notices=[NoticeSummary.model_validate(n) for n in notices if n.case_id == case.id],
            )
        )
    return out


@dataclass(frozen=True)
class Names:
    """Display names of the associations, sites and providers a page refers to by id."""

    associations: dict[int, str]
    sites: dict[int, str]
    providers: dict[int, str]
    provider_kinds: dict[int, str]


def names_for(session: Session, notices: Iterable[Notice]) -> Names:
    """The names behind the ids of `notices` (three queries, whatever their number)."""
    rows = list(notices)
    association_ids = sorted({n.association_id for n in rows})
    site_ids = sorted({n.site_id for n in rows})
    provider_ids = sorted({n.provider_id for n in rows})
    associations = {
        int(i): str(n)
        for i, n in session.execute(
            sa.select(col(Association.id), col(Association.name)).where(col(Association.id).in_(association_ids))
        )
    }
    sites = {
        int(i): str(n)
        for i, n in session.execute(sa.select(col(Site.id), col(Site.name)).where(col(Site.id).in_(site_ids)))
    }
    providers: dict[int, str] = {}
    kinds: dict[int, str] = {}
    for pid, name, kind in session.execute(
        sa.select(col(Provider.id), col(Provider.name), col(Provider.kind)).where(col(Provider.id).in_(provider_ids))
    ):
        providers[pid], kinds[pid] = name, kind
    return Names(associations, sites, providers, kinds)


def notices_in_state(session: Session, principal: Principal, state: str | None, limit: int = 100) -> list[Notice]:
    """Notices (newest first), optionally in one state; a submitter sees only its association's."""
    query = sa.select(Notice).order_by(sa.desc(col(Notice.id))).limit(limit)
    if state:
        query = query.where(col(Notice.state) == state)
    if not principal.sees_everything:
        query = query.where(col(Notice.association_id) == principal.association_id)
    return list(session.scalars(query))


def state_counts(session: Session, principal: Principal, states: Sequence[str] | None = None) -> dict[str, int]:
    """How many notices are in each state, or in `states` only (a submitter: its association's only).

    Naming the states keeps the count to a range of the ``ix_notice_queue`` index (it begins with the
    state) instead of a pass over every notice ever sent: the queue page asks for the open states only.
    """
    query = sa.select(col(Notice.state), sa.func.count()).group_by(col(Notice.state))
    if states is not None:
        query = query.where(col(Notice.state).in_(list(states)))
    if not principal.sees_everything:
        query = query.where(col(Notice.association_id) == principal.association_id)
    return {str(s): int(n) for s, n in session.execute(query)}


def delivery_attempts(session: Session, notice_id: int) -> list[DeliveryAttempt]:
    """The notice's outbox rows, oldest first."""
    return list(
        session.scalars(
            sa.select(DeliveryAttempt)
            .where(col(DeliveryAttempt.notice_id) == notice_id)
            .order_by(col(DeliveryAttempt.id))
        )
    )


def replies(session: Session, notice_id: int) -> list[NoticeReply]:
    """Bounces and replies received about the notice, oldest first."""
    return list(
        session.scalars(
            sa.select(NoticeReply).where(col(NoticeReply.notice_id) == notice_id).order_by(col(NoticeReply.id))
        )
    )


def notice_audit_trail(
    session: Session, notice_id: int, attempt_ids: Sequence[int], limit: int = 500
) -> list[AuditEvent]:
    """Every audited change of the notice, its items and its delivery attempts, oldest first."""
    item_ids = [
        str(i) for i in session.scalars(sa.select(col(NoticeItem.id)).where(col(NoticeItem.notice_id) == notice_id))
    ]
    entity_type, entity_id = col(AuditEvent.entity_type), col(AuditEvent.entity_id)
    wanted = [sa.and_(entity_type == "notice", entity_id == str(notice_id))]
    if item_ids:
        wanted.append(sa.and_(entity_type == "notice_item", entity_id.in_(item_ids)))
    if attempt_ids:
        wanted.append(sa.and_(entity_type == "delivery_attempt", entity_id.in_([str(a) for a in attempt_ids])))
    return list(
        session.scalars(
            sa.select(AuditEvent).where(sa.or_(*wanted)).order_by(col(AuditEvent.at), col(AuditEvent.id)).limit(limit)
        )
    )


def notices_to_provider(session: Session, provider_id: int, limit: int = 50) -> list[Notice]:
    """The newest notices addressed to a provider (operators' provider page)."""
    return list(
        session.scalars(
            sa.select(Notice)
            .where(col(Notice.provider_id) == provider_id)
            .order_by(sa.desc(col(Notice.id)))
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a site's timeline: an infrastructure change, a domain hop, or a notice's step."""

    at: dt.datetime
    kind: str
    text: str
    domain: str | None = None
    notice_id: int | None = None


#: Event kinds that move a site to another domain (or join domains into one site).
_HOPS = {"redirects_to_domain", "sibling_domain", "linked_to_other_site", "merged_site"}


def site_timeline(events: Sequence[EventPublic], cases: Sequence[CasePublic]) -> list[TimelineEntry]:
    """Infrastructure events and the notices the caller may see, newest first."""
    entries = [
        TimelineEntry(
            at=e.at,
            kind="hop" if e.kind in _HOPS else "infrastructure",
            text=f"{e.kind.replace('_', ' ')}: {e.old or '—'} → {e.new or '—'}",
            domain=e.domain,
        )
        for e in events
    ]
    for case in cases:
        for notice in case.notices:
            entries.append(
                TimelineEntry(
                    at=notice.created_at,
                    kind="notice",
                    text=f"notice {notice.id} to {case.provider} ({notice.legal_basis}) drafted",
                    notice_id=notice.id,
                )
            )
            if notice.sent_at is not None:
                entries.append(
                    TimelineEntry(
                        at=notice.sent_at,
                        kind="notice",
                        text=f"notice {notice.id} to {case.provider} sent; now {notice.state}",
                        notice_id=notice.id,
                    )
                )
    return sorted(entries, key=lambda e: e.at, reverse=True)


def unconfirmed(attempts: Sequence[DeliveryAttempt]) -> bool:
    """Whether an interrupted e-mail send waits for an operator's answer."""
    return any(a.state == "unconfirmed" for a in attempts)


#: States in which an operator can act from the notice page.
ACTIONABLE = {
    NoticeState.DRAFT.value: "submit",
    NoticeState.IN_REVIEW.value: "review",
    NoticeState.APPROVED.value: "send",
    NoticeState.SENDING.value: "settle",
}
