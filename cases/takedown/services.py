"""Opening cases, drafting notices from the evidence, rendering, reviewing (every change audited)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.services import Actor, created, record, updated
from cases.crawls.models import WorkFound
from cases.db import utcnow
from cases.errors import ConflictError, InvalidInputError, NotFoundError
from cases.evidence.models import EvidenceCapture
from cases.evidence.services import latest_captures
from cases.intake.models import EvidenceItem
from cases.messages import said
from cases.providers.models import Provider
from cases.sites.models import Site
from cases.takedown import render as rendering
from cases.takedown.deadlines import REVIEW_WITHIN
from cases.takedown.models import ItemOutcome, LegalBasis, Notice, NoticeItem, NoticeState, TakedownCase
from cases.takedown.seen_services import evidence_for
from cases.takedown.states import SENT_STATES, move
from cases.takedown.work_rights import work_rights
from cases.works.models import Work, WorkTitle
from common.keys import url_work_key

#: Notices still being worked on: a second one for the same (case, association, basis) is refused.
OPEN_STATES = frozenset(
    set(NoticeState)
    - {
        NoticeState.ACTIONED,
        NoticeState.REJECTED,
        NoticeState.ESCALATED,
        NoticeState.ACTION_FILED,
        NoticeState.SUPERSEDED,
        NoticeState.CLOSED,
    }
)


def open_case(session: Session, actor: Actor, site_id: int, provider_id: int, step: str | None = None) -> TakedownCase:
    """The case of (site, provider), opened if there is none yet (at `step`, default the provider's kind)."""
    existing = session.exec(
        select(TakedownCase).where(col(TakedownCase.site_id) == site_id, col(TakedownCase.provider_id) == provider_id)
    ).first()
    if existing is not None:
        return existing
    if session.get(Site, site_id) is None:
        raise NotFoundError(said("site {site} not found", site=site_id))
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFoundError(said("provider {provider} not found", provider=provider_id))
    case = TakedownCase(site_id=site_id, provider_id=provider_id, step=step or provider.kind)
    session.add(case)
    session.flush()
    assert case.id is not None
    record(
        session,
        actor,
        [created("takedown_case", case.id, {"site_id": site_id, "provider_id": provider_id, "step": case.step})],
    )
    return case


def open_notice_id(session: Session, case_id: int, association_id: int, legal_basis: LegalBasis) -> int | None:
    """The notice still open for (case, association, legal basis), if any."""
    return session.exec(
        select(Notice.id).where(
            col(Notice.case_id) == case_id,
            col(Notice.association_id) == association_id,
            col(Notice.legal_basis) == legal_basis.value,
            col(Notice.state).in_([s.value for s in OPEN_STATES]),
        )
    ).first()


@dataclass(frozen=True)
class Candidate:
    """A (URL, work) pair an association can cite on a site, and where it comes from."""

    url: str
    work_id: int | None
    evidence_item_id: int | None = None
    work_found_id: int | None = None


def evidence_candidates(session: Session, site_id: int, association_id: int) -> list[Candidate]:
    """The association's evidence on the site: what it submitted, then the works the crawls found.

    Submitted evidence comes first and wins a tie: the association vouched for it. A crawl's match
    (``work_found``) counts too, since it keeps the URL, score, capture time and content hash.
    """
    submitted = session.execute(
        sa.select(col(EvidenceItem.id), col(EvidenceItem.url), col(EvidenceItem.work_id))
        .where(col(EvidenceItem.site_id) == site_id, col(EvidenceItem.association_id) == association_id)
        .order_by(col(EvidenceItem.id))
    ).all()
    found = session.execute(
        sa.select(col(WorkFound.id), col(WorkFound.url), col(WorkFound.work_id))
        .where(col(WorkFound.site_id) == site_id, col(WorkFound.association_id) == association_id)
        .order_by(col(WorkFound.id))
    ).all()
    return [Candidate(str(url), work, evidence_item_id=int(i)) for i, url, work in submitted] + [
        Candidate(str(url), int(work), work_found_id=int(i)) for i, url, work in found
    ]


def notified_keys(session: Session, case_id: int, association_id: int) -> set[str]:
    """Item keys the association already listed in a notice of this case (dropped items excepted)."""
    return set(
        session.scalars(
            sa.select(col(NoticeItem.item_key))
            .join(Notice, col(Notice.id) == col(NoticeItem.notice_id))
            .where(
                col(Notice.case_id) == case_id,
                col(Notice.association_id) == association_id,
                col(NoticeItem.outcome) != ItemOutcome.DROPPED.value,
            )
        )
    )


def draft_notice(
    session: Session,
    actor: Actor,
    case_id: int,
    association_id: int,
    legal_basis: LegalBasis,
    sender: dict[str, Any],
    *,
    template: str | None = None,
    escalated_from_id: int | None = None,
    items: Sequence[tuple[str, int | None]] | None = None,
    fresh_only: bool = False,
) -> Notice:
    """Draft a notice of one association to a case's provider; its items are that association's evidence on the site.

    `items` overrides the evidence (escalation copies the previous notice's items); `fresh_only`
    leaves out what the association already listed in a notice of this case. A second open notice
    for the same (case, association, legal basis) is a :class:`ConflictError`.
    """
    case = session.get(TakedownCase, case_id)
    if case is None:
        raise NotFoundError(said("case {case} not found", case=case_id))
    name = template or rendering.DEFAULT_TEMPLATE[legal_basis]
    if name not in rendering.TEMPLATES or rendering.TEMPLATES[name].basis != legal_basis:
        raise InvalidInputError([f"template: {name!r} does not serve {legal_basis.value}"])
    duplicate = open_notice_id(session, case_id, association_id, legal_basis)
    if duplicate is not None:
        raise ConflictError(
            said(
                "notice {notice} to this recipient under {basis} is still open",
                notice=duplicate,
                basis=legal_basis.value,
            )
        )
    if items is None:
        candidates = evidence_candidates(session, case.site_id, association_id)
    else:
        candidates = [Candidate(url, work) for url, work in items]
    skip = notified_keys(session, case_id, association_id) if fresh_only else set()
    chosen: dict[str, Candidate] = {}
    for candidate in candidates:
        key = url_work_key(candidate.url, candidate.work_id)
        if key not in skip:
            chosen.setdefault(key, candidate)
    if not chosen:
        what = "no evidence on the site" if not candidates else "no evidence not already notified to this recipient"
        raise InvalidInputError([f"items: this association has {what}"])
    notice = Notice(
        case_id=case_id,
        association_id=association_id,
        site_id=case.site_id,
        provider_id=case.provider_id,
        legal_basis=legal_basis,
        template=name,
        sender=dict(sender),
        idempotency_key=uuid.uuid4().hex,
        escalated_from_id=escalated_from_id,
    )
    session.add(notice)
    session.flush()
    assert notice.id is not None
    for key, candidate in chosen.items():
        session.add(
            NoticeItem(
                notice_id=notice.id,
                evidence_item_id=candidate.evidence_item_id,
                work_found_id=candidate.work_found_id,
                url=candidate.url,
                item_key=key,
                work_id=candidate.work_id,
            )
        )
    record(
        session,
        actor,
        [
            created(
                "notice",
                notice.id,
                {"case_id": case_id, "legal_basis": legal_basis.value, "template": name, "items": len(chosen)},
            )
        ],
    )
    session.flush()
    return notice


def get_notice(session: Session, notice_id: int) -> Notice:
    """A notice by id; :class:`NotFoundError` if there is none."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFoundError(said("notice {notice} not found", notice=notice_id))
    return notice


def _work_views(session: Session, work_ids: set[int]) -> dict[int, rendering.WorkView]:
    if not work_ids:
        return {}
    works = {w.id or 0: w for w in session.exec(select(Work).where(col(Work.id).in_(sorted(work_ids))))}
    titles: dict[int, str] = {}
    for title in session.exec(
        select(WorkTitle).where(col(WorkTitle.work_id).in_(sorted(work_ids))).order_by(col(WorkTitle.id))
    ):
        titles.setdefault(title.work_id, title.title)
    rights = work_rights(session, set(works))
    return {
        wid: rendering.WorkView(wid, titles.get(wid, w.ref), w.rights_holder, w.official_url, rights.get(wid))
        for wid, w in works.items()
    }


def prior_reports(session: Session, notice: Notice) -> list[dict[str, Any]]:
    """Proof of the reports made before `notice` along its escalation chain (oldest first)."""
    reports: list[dict[str, Any]] = []
    previous_id = notice.escalated_from_id
    while previous_id is not None:
        previous = session.get(Notice, previous_id)
        if previous is None:
            break
        if previous.state in SENT_STATES and previous.sent_at is not None:
            provider = session.get(Provider, previous.provider_id)
            reports.append(
                {
                    "notice_id": previous.id,
                    "recipient": provider.name if provider else str(previous.provider_id),
                    "legal_basis": previous.legal_basis,
                    "sent_at": previous.sent_at.isoformat(),
                    "state": previous.state,
                    "sha256": previous.rendered_sha256,
                }
            )
        previous_id = previous.escalated_from_id
    return list(reversed(reports))


def _capture_of(capture: EvidenceCapture | None) -> tuple[str | None, str | None]:
    """An item's citation of its capture: the time (UTC, to the second) and the manifest's SHA-256."""
    if capture is None:
        return None, None
    return capture.started_at.strftime("%Y-%m-%d %H:%M:%S UTC"), capture.manifest_sha256


def notice_context(session: Session, notice: Notice) -> rendering.NoticeContext:
    """What the notice's template needs, read from the store (dropped items left out)."""
    items = list(
        session.exec(
            select(NoticeItem)
            .where(col(NoticeItem.notice_id) == notice.id, col(NoticeItem.outcome) != ItemOutcome.DROPPED.value)
            .order_by(col(NoticeItem.id))
        )
    )
    works = _work_views(session, {i.work_id for i in items if i.work_id is not None})
    captures = latest_captures(session, [i.url for i in items], association_id=notice.association_id)
    provider = session.get(Provider, notice.provider_id)
    site = session.get(Site, notice.site_id)
    return rendering.NoticeContext(
        template=notice.template,
        recipient=provider.name if provider else "",
        site=site.name if site else "",
        sender=dict(notice.sender),
        items=[
            rendering.ItemView(
                i.url,
                works.get(i.work_id) if i.work_id else None,
                *_capture_of(captures.get(i.url)),
            )
            for i in items
        ],
        idempotency_key=notice.idempotency_key,
        date=utcnow().date(),
        prior_reports=prior_reports(session, notice),
        service_evidence=[s.view() for s in evidence_for(session, notice.site_id, provider)] if provider else [],
    )


def render_notice(session: Session, actor: Actor, notice: Notice) -> Notice:
    """Validate and render the notice, keeping its text and SHA-256; the validator's refusal names what is missing."""
    text, digest = rendering.render(notice_context(session, notice))
    if digest != notice.rendered_sha256:
        assert notice.id is not None
        record(session, actor, [updated("notice", notice.id, "rendered_sha256", notice.rendered_sha256, digest)])
        notice.rendered_text, notice.rendered_sha256 = text, digest
        notice.updated_at = utcnow()
        session.add(notice)
    return notice


def submit_for_review(session: Session, actor: Actor, notice_id: int) -> Notice:
    """Render a draft (refused if incomplete) and put it in the operators' queue."""
    notice = get_notice(session, notice_id)
    if notice.state != NoticeState.DRAFT:
        raise ConflictError(said("notice {notice} is {state}, not draft", notice=notice_id, state=notice.state))
    render_notice(session, actor, notice)
    # Operators have REVIEW_WITHIN to review it: the queue is ordered, and filtered "due soon", by this date.
    due = utcnow() + REVIEW_WITHIN
    assert notice.id is not None
    record(session, actor, [updated("notice", notice.id, "due_at", notice.due_at, due)])
    notice.due_at = due
    return move(session, notice, NoticeState.IN_REVIEW, actor)


def update_sender(session: Session, actor: Actor, notice_id: int, sender: dict[str, Any]) -> Notice:
    """Change the sender's details of a draft (fields given replace those stored)."""
    notice = get_notice(session, notice_id)
    if notice.state != NoticeState.DRAFT:
        raise ConflictError(
            said("notice {notice} is {state}; only drafts can be edited", notice=notice_id, state=notice.state)
        )
    merged = {**notice.sender, **sender}
    assert notice.id is not None
    record(session, actor, [updated("notice", notice.id, "sender", notice.sender, merged)])
    notice.sender = merged
    notice.updated_at = utcnow()
    session.add(notice)
    return notice
