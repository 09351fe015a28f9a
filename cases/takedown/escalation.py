"""Overdue notices climb the ladder on their own: the next step's provider gets a new draft.

A notice whose due date passed without an answer becomes ``no_response``; a notice that ended in
``no_response``, or ``partially_actioned`` past its due date, is then ``escalated`` (a recipient's
rejection waits for the operator's decision, :mod:`cases.takedown.decisions`): its
case is closed as escalated, a case is opened with the site's provider at the next ladder step, and a
notice with the items still pending is drafted there, pointing at the one before (so the registrar
report can cite the reports already made: ICANN asks for that proof).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.services import Actor, updated
from cases.audit.services import record as record_audit
from cases.db import utcnow
from cases.errors import InvalidInputError
from cases.infra.models import ResolutionSnapshot
from cases.providers.models import Provider, ProviderKind
from cases.sites.models import Site
from cases.takedown.deadlines import DEFAULT_LADDER, next_steps
from cases.takedown.models import ItemOutcome, Notice, NoticeItem, NoticeState, TakedownCase
from cases.takedown.routing import basis_for, template_for
from cases.takedown.seen_services import provider_seen
from cases.takedown.services import draft_notice, open_case, open_notice_id, submit_for_review
from cases.takedown.states import move

S = NoticeState
_AWAITING = (S.SENT, S.DELIVERED, S.ACKNOWLEDGED)


@dataclass(frozen=True)
class Escalation:
    """What happened to one notice: escalated to `new_notice_id` (None when the ladder has no next provider)."""

    notice_id: int
    new_notice_id: int | None
    step: str | None


def provider_for_step(session: Session, site_id: int, kind: ProviderKind) -> Provider | None:
    """The provider that can act for the site at `kind`.

    Hosts, CDNs and registrars are per site (from the resolver's snapshot); ad networks and payment
    services are those the site's crawls found it using, matched to the directory
    (:mod:`cases.takedown.seen_services`; none found: no notice at that step, since a network the site
    does not use cannot act); search engines and legal counsel are the same for every site (the
    directory's first of that kind).
    """
    if kind in (ProviderKind.ADS, ProviderKind.PAYMENT):
        seen = provider_seen(session, site_id, kind)
        return seen[0] if seen else None
    snapshot = session.exec(
        select(ResolutionSnapshot)
        .where(col(ResolutionSnapshot.site_id) == site_id)
        .order_by(sa.desc(col(ResolutionSnapshot.resolved_at)))
    ).first()
    named = {
        ProviderKind.HOST: snapshot.host_organisation if snapshot else None,
        ProviderKind.CDN: snapshot.cdn if snapshot else None,
        ProviderKind.REGISTRAR: snapshot.registrar if snapshot else None,
    }
    if kind in named:
        name = named[kind]
        if not name:
            return None
        return session.exec(
            select(Provider).where(
                sa.func.lower(col(Provider.name)) == name.strip().lower(), col(Provider.kind) == kind.value
            )
        ).first()
    return session.exec(select(Provider).where(col(Provider.kind) == kind.value).order_by(col(Provider.id))).first()


def escalate_notice(session: Session, actor: Actor, notice: Notice, ladder: tuple[ProviderKind, ...]) -> Escalation:
    """Escalate one notice: its case closed as escalated, a notice with its pending items drafted at the next step."""
    assert notice.id is not None
    case = session.get(TakedownCase, notice.case_id)
    assert case is not None
    move(session, notice, S.ESCALATED, actor)
    if case.status != "escalated":
        record_audit(session, actor, [updated("takedown_case", case.id or 0, "status", case.status, "escalated")])
        case.status, case.updated_at = "escalated", utcnow()
        session.add(case)
    pending = [
        (i.url, i.work_id)
        for i in session.exec(
            select(NoticeItem).where(
                col(NoticeItem.notice_id) == notice.id,
                col(NoticeItem.outcome).in_([ItemOutcome.PENDING.value, ItemOutcome.STILL_LIVE.value]),
            )
        )
    ]
    for kind in next_steps(case.step, ladder):
        provider = provider_for_step(session, notice.site_id, kind)
        if provider is None or provider.id == case.provider_id or not pending:
            continue
        # The recipient's own law and format, chosen afresh: never the basis (or language) of the notice before.
        site = session.get(Site, notice.site_id)
        basis = basis_for(provider, site.name if site else None)
        next_case = open_case(session, actor, notice.site_id, provider.id or 0, step=kind.value)
        if next_case.escalated_from_id is None and next_case.id != case.id:
            next_case.escalated_from_id = case.id
            session.add(next_case)
        already = open_notice_id(session, next_case.id or 0, notice.association_id, basis)
        if already is not None:
            # Another notice of this association already climbed to this step: one notice there is enough.
            return Escalation(notice.id, already, kind.value)
        new = draft_notice(
            session,
            actor,
            next_case.id or 0,
            notice.association_id,
            basis,
            dict(notice.sender),
            template=template_for(provider, basis),
            escalated_from_id=notice.id,
            items=pending,
        )
        try:
            with session.begin_nested():
                submit_for_review(session, actor, new.id or 0)
        except InvalidInputError:
            pass  # the draft lacks an element this basis needs: it waits, as a draft, for an operator
        return Escalation(notice.id, new.id, kind.value)
    return Escalation(notice.id, None, None)


def escalate_overdue(
    session: Session, actor: Actor, now: dt.datetime | None = None, ladder: tuple[ProviderKind, ...] = DEFAULT_LADDER
) -> list[Escalation]:
    """Mark overdue notices ``no_response`` and escalate every notice that ended without the content gone."""
    now = now or utcnow()
    for notice in session.exec(select(Notice).where(overdue(now))).all():
        move(session, notice, S.NO_RESPONSE, actor)
    session.flush()
    ended = session.exec(select(Notice).where(to_escalate(now)).order_by(col(Notice.id))).all()
    return [escalate_notice(session, actor, notice, ladder) for notice in ended]


def overdue(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Notices still awaiting an answer past their due date."""
    return sa.and_(col(Notice.state).in_([s.value for s in _AWAITING]), col(Notice.due_at) < now)


def to_escalate(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Sent notices that ended without the content gone: unanswered at once; partly actioned once their
    waiting period is over (the recipient may still be working on the rest). A rejection waits for the
    operator's decision (``cases.takedown.decisions``)."""
    return sa.and_(
        col(Notice.sent_at).is_not(None),
        sa.or_(
            col(Notice.state) == S.NO_RESPONSE.value,
            sa.and_(col(Notice.state) == S.PARTIALLY_ACTIONED.value, col(Notice.due_at) < now),
        ),
    )
