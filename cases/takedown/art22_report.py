"""An association's yearly report of its DSA Art. 16 notices, as Art. 22(3) asks of trusted flaggers.

Regulation (EU) 2022/2065, Art. 22(3): trusted flaggers "shall publish, at least once a year easily
comprehensible and detailed reports on notices submitted in accordance with Article 16 during the
relevant period. The report shall list at least the number of notices categorised by: (a) the
identity of the provider of hosting services; (b) the type of allegedly illegal content notified;
(c) the action taken by the provider." The reports carry no personal data, so this one names
providers (companies) and counts, never a sender or a poster. Beside the counts it gives the time to
action the providers took (median hours from sending to the first URL seen gone), which Art. 22(3)
does not ask for but a reader of the report does.

Only Art. 16 notices count (``dsa_art16``): a DMCA notice or a Japanese request of the same
association is not a notice "submitted in accordance with Article 16".
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.errors import NotFoundError
from cases.messages import said
from cases.providers.models import Provider
from cases.takedown.models import ItemOutcome, LegalBasis, Notice, NoticeItem, NoticeState
from cases.takedown.senders import get_sender_profile
from cases.tenants.models import Association
from cases.works.models import Work

S = NoticeState
#: the action taken, as the report names it, from the items' outcomes and the notice's state
REMOVED, PARTLY, REFUSED, NO_ACTION, PENDING = (
    "removed or disabled",
    "partly removed or disabled",
    "refused",
    "no action",
    "awaiting the provider",
)
_REFUSED = {S.REJECTED, S.CLOSED, S.SUPERSEDED}
_SILENT = {S.NO_RESPONSE, S.ESCALATED}


def action_taken(state: str, rejected: bool, actioned: int, listed: int) -> str:
    """What the provider did with one notice: its URLs gone (all, some), refused, nothing, or not yet known."""
    if listed and actioned == listed:
        return REMOVED
    if actioned:
        return PARTLY
    if NoticeState(state) in _REFUSED or rejected:
        return REFUSED
    if NoticeState(state) in _SILENT:
        return NO_ACTION
    return PENDING


def art22_report(session: Session, association_id: int, year: int) -> dict[str, Any]:
    """The association's Art. 16 notices sent in `year`: counted by provider, type of content and action
    taken, with the median hours to action per provider, and its trusted-flagger status."""
    association = session.get(Association, association_id)
    if association is None:
        raise NotFoundError(said("association {association} not found", association=association_id))
    start, end = dt.datetime(year, 1, 1, tzinfo=dt.UTC), dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    notices = session.execute(
        sa.select(col(Notice.id), col(Notice.state), col(Notice.sent_at), col(Notice.rejected_at), col(Provider.name))
        .join(Provider, col(Provider.id) == col(Notice.provider_id))
        .where(
            col(Notice.association_id) == association_id,
            col(Notice.legal_basis) == LegalBasis.DSA.value,
            col(Notice.sent_at) >= start,
            col(Notice.sent_at) < end,
        )
        .order_by(col(Notice.id))
    ).all()
    ids = [n.id for n in notices]
    items: dict[int, list[tuple[str, dt.datetime | None, str | None]]] = defaultdict(list)
    if ids:
        for notice_id, outcome, checked_at, content_type in session.execute(
            sa.select(
                col(NoticeItem.notice_id), col(NoticeItem.outcome), col(NoticeItem.checked_at), col(Work.content_type)
            )
            .outerjoin(Work, col(Work.id) == col(NoticeItem.work_id))
            .where(col(NoticeItem.notice_id).in_(ids), col(NoticeItem.outcome) != ItemOutcome.DROPPED.value)
        ):
            items[notice_id].append((outcome, checked_at, content_type))
    counts: Counter[tuple[str, str, str]] = Counter()
    hours: dict[str, list[float]] = defaultdict(list)
    for notice in notices:
        listed = items.get(notice.id, [])
        gone = [checked for outcome, checked, _ in listed if outcome == ItemOutcome.ACTIONED.value]
        action = action_taken(notice.state, notice.rejected_at is not None, len(gone), len(listed))
        for content in sorted({f"copyright infringement ({c or 'other'})" for _, _, c in listed}):
            counts[(notice.name, content, action)] += 1
        first = min((g for g in gone if g is not None), default=None)
        if first is not None and notice.sent_at is not None:
            hours[notice.name].append(max(0.0, (first - notice.sent_at).total_seconds() / 3600))
    profile = get_sender_profile(session, association_id)
    sender = profile.sender if profile is not None else {}
    awarded = str(sender.get("trusted_flagger_awarded_on") or "") or None
    status = (
        {
            "coordinator": sender.get("trusted_flagger_coordinator"),
            "awarded_on": awarded,
            "expertise": sender.get("trusted_flagger_expertise") or None,
        }
        if awarded
        else None
    )
    before = sum(1 for n in notices if awarded and n.sent_at is not None and n.sent_at.date().isoformat() < awarded)
    return {
        "regulation": "Regulation (EU) 2022/2065, Art. 22(3)",
        "association": association.name,
        "year": year,
        "trusted_flagger": status,
        "notices": len(notices),
        #: of those, sent before the status was awarded (not a trusted flagger's notices yet)
        "notices_before_status": before,
        "counts": [
            {"provider": p, "content_type": c, "action": a, "notices": n} for (p, c, a), n in sorted(counts.items())
        ],
        "time_to_action": [
            {"provider": p, "actioned": len(h), "median_hours": round(statistics.median(h), 2)}
            for p, h in sorted(hours.items())
        ],
    }
