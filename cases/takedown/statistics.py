"""Provider scorecards, the Lumen-compatible export and yearly counts (DSA Art. 22 style).

The Lumen export follows the notice parameters Lumen's API accepts (``NoticesController#notice_params``
in berkmancenter/lumendatabase; docs/notices.md): a work is ``description``, ``kind``,
``copyrighted_urls_attributes`` and ``infringing_urls_attributes`` of ``url`` alone, so each item's
evidence (its newest capture's time and manifest SHA-256) goes into the notice's ``body`` text, which
Lumen keeps, and beside the notice as structured ``evidence`` for our own readers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.base import table_of
from cases.evidence.models import EvidenceCapture
from cases.evidence.services import latest_captures
from cases.providers.models import Provider
from cases.takedown.models import ItemOutcome, LegalBasis, Notice, NoticeItem, NoticeReply, NoticeState
from cases.tenants.models import Association
from cases.works.models import Work
from cases.works.queries import work_titles

S = NoticeState
_ACTIONED = (S.ACTIONED, S.PARTIALLY_ACTIONED)
#: At least this many notices sent and this share unanswered: the provider is flagged non-responsive.
NON_RESPONSIVE_MIN_SENT = 3
NON_RESPONSIVE_SHARE = 0.8


@dataclass(frozen=True)
class Scorecard:
    """How a provider answers notices."""

    provider_id: int
    provider: str
    kind: str
    sent: int
    actioned: int
    actioned_share: float
    median_hours_to_action: float | None
    unanswered: int
    non_responsive: bool


def scorecards(session: Session, provider_id: int | None = None) -> list[Scorecard]:
    """One scorecard per provider that was sent at least one notice (of `provider_id` alone if given).

    Counted by the database, reading three narrow columns of the actioned notices for the median: the
    directory page asks for every card on each request, and loading every sent notice whole (its
    rendered text, its sender) took seconds on a store of 15,000 sent notices.
    """
    notice = table_of(Notice)
    reply = table_of(NoticeReply)
    actioned = notice.c.state.in_([s.value for s in _ACTIONED])
    silent = notice.c.state.in_([S.NO_RESPONSE.value, S.ESCALATED.value])
    unanswered = sa.and_(silent, ~sa.exists().where(reply.c.notice_id == notice.c.id))
    scope: list[sa.ColumnElement[bool]] = [notice.c.sent_at.is_not(None)]
    if provider_id is not None:
        scope.append(notice.c.provider_id == provider_id)
    counts = {
        row.provider_id: row
        for row in session.execute(
            sa.select(
                notice.c.provider_id,
                sa.func.count().label("sent"),
                sa.func.sum(sa.case((actioned, 1), else_=0)).label("actioned"),
                sa.func.sum(sa.case((unanswered, 1), else_=0)).label("unanswered"),
            )
            .where(*scope)
            .group_by(notice.c.provider_id)
        )
    }
    hours: dict[int, list[float]] = defaultdict(list)
    for pid, sent_at, closed_at in session.execute(
        sa.select(notice.c.provider_id, notice.c.sent_at, notice.c.closed_at).where(
            *scope, actioned, notice.c.closed_at.is_not(None)
        )
    ):
        hours[pid].append((closed_at - sent_at).total_seconds() / 3600)
    cards = []
    for provider in session.exec(
        select(Provider).where(col(Provider.id).in_(list(counts))).order_by(col(Provider.name))
    ):
        row = counts[provider.id]
        sent, done, silent_count = int(row.sent), int(row.actioned or 0), int(row.unanswered or 0)
        taken = hours.get(provider.id or 0)
        cards.append(
            Scorecard(
                provider_id=provider.id or 0,
                provider=provider.name,
                kind=provider.kind,
                sent=sent,
                actioned=done,
                actioned_share=round(done / sent, 4),
                median_hours_to_action=round(statistics.median(taken), 2) if taken else None,
                unanswered=silent_count,
                non_responsive=sent >= NON_RESPONSIVE_MIN_SENT and silent_count / sent >= NON_RESPONSIVE_SHARE,
            )
        )
    return cards


_LUMEN_TYPE = {
    LegalBasis.DMCA: "DMCA",
    LegalBasis.DSA: "Other",
    LegalBasis.JP_PLA: "Other",
    LegalBasis.RAA: "Other",
    LegalBasis.REGISTRY_POLICY: "Other",
    LegalBasis.SEARCH: "DMCA",
}


def _action_taken(state: str) -> str:
    refused = {S.REJECTED: "No", S.CLOSED: "No", S.SUPERSEDED: "No"}  # a refusal, whatever was decided after it
    return {S.ACTIONED: "Yes", S.PARTIALLY_ACTIONED: "Partial", **refused}.get(NoticeState(state), "Unspecified")


def _evidence_of(url: str, capture: EvidenceCapture) -> dict[str, Any]:
    return {
        "url": url,
        "capture_id": capture.id,
        "captured_at": capture.started_at.isoformat(),
        "manifest_sha256": capture.manifest_sha256,
        "timestamped_at": capture.timestamped_at.isoformat() if capture.timestamped_at else None,
    }


def _evidence_body(evidence: list[dict[str, Any]]) -> str:
    """The evidence as text in the notice's ``body`` (the one Lumen field that can carry it)."""
    if not evidence:
        return ""
    lines = ["Evidence (each URL's capture; the manifest SHA-256 names its timestamped manifest):"]
    lines += [
        f"- {e['url']}: captured {e['captured_at']}; evidence manifest SHA-256 {e['manifest_sha256']}" for e in evidence
    ]
    return "\n".join(lines)


def lumen_export(session: Session, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Sent notices in Lumen's notice format (works by title with their copyrighted and infringing URLs,
    roles, action taken), each with its items' evidence where a capture exists."""
    query = select(Notice).where(col(Notice.sent_at).is_not(None)).order_by(col(Notice.sent_at))
    if since is not None:
        query = query.where(col(Notice.sent_at) >= since)
    notices = list(session.exec(query))
    out = []
    for notice in notices:
        provider = session.get(Provider, notice.provider_id)
        association = session.get(Association, notice.association_id)
        items = session.exec(
            select(NoticeItem)
            .where(col(NoticeItem.notice_id) == notice.id, col(NoticeItem.outcome) != ItemOutcome.DROPPED.value)
            .order_by(col(NoticeItem.id))
        ).all()
        by_work: dict[int | None, list[str]] = defaultdict(list)
        for item in items:
            by_work[item.work_id].append(item.url)
        titles = work_titles(session, by_work)
        # the notice's association's captures, or staff's: never another association's (as in the notice text)
        captures = latest_captures(session, [i.url for i in items], association_id=notice.association_id)
        evidence = [_evidence_of(i.url, captures[i.url]) for i in items if i.url in captures]
        works = []
        for work_id, urls in by_work.items():
            work = session.get(Work, work_id) if work_id is not None else None
            works.append(
                {
                    "description": titles.get(work.id or 0, work.ref) if work else "unspecified work",
                    "kind": work.content_type if work else "other",
                    "copyrighted_urls_attributes": [{"url": work.official_url}] if work and work.official_url else [],
                    "infringing_urls_attributes": [{"url": u} for u in urls],
                }
            )
        lumen_type = _LUMEN_TYPE[LegalBasis(notice.legal_basis)]
        out.append(
            {
                "notice": {
                    "title": f"{lumen_type} notice to {provider.name if provider else ''}",
                    "type": lumen_type,
                    "subject": notice.legal_basis,
                    "body": _evidence_body(evidence),
                    "date_sent": notice.sent_at.isoformat() if notice.sent_at else None,
                    "action_taken": _action_taken(notice.state),
                    "works_attributes": works,
                    "entity_notice_roles_attributes": [
                        {"name": "sender", "entity_attributes": {"name": str(notice.sender.get("name", ""))}},
                        {"name": "principal", "entity_attributes": {"name": association.name if association else ""}},
                        {
                            "name": "recipient",
                            "entity_attributes": {
                                "name": provider.name if provider else "",
                                "country_code": (provider.country or "") if provider else "",
                            },
                        },
                    ],
                },
                "evidence": evidence,
            }
        )
    return out


def yearly_counts(session: Session, year: int) -> list[dict[str, Any]]:
    """Notices sent in `year`, counted by provider, content type and action (one count per notice and content type)."""
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    rows = session.execute(
        sa.select(col(Notice.id), col(Provider.name), col(Notice.state), col(Work.content_type))
        .join(Provider, col(Provider.id) == col(Notice.provider_id))
        .join(NoticeItem, col(NoticeItem.notice_id) == col(Notice.id))
        .outerjoin(Work, col(Work.id) == col(NoticeItem.work_id))
        .where(col(Notice.sent_at) >= start, col(Notice.sent_at) < end)
        .distinct()
    ).all()
    counts = Counter(
        (provider, content_type or "other", _action_taken(state)) for _, provider, state, content_type in rows
    )
    return [
        {"year": year, "provider": p, "content_type": c, "action": a, "notices": n}
        for (p, c, a), n in sorted(counts.items())
    ]
