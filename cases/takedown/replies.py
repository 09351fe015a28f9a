"""Bounces, acknowledgements and replies from recipients, and the later check of each URL's outcome.

Inbound messages are matched to their notice by its idempotency key, which every outgoing notice
carries (Message-ID, ``In-Reply-To``/``References`` of a reply, ``[ref ...]`` in the subject).
"""

from __future__ import annotations

import re
from email.message import Message
from itertools import pairwise

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor, created, updated
from cases.audit.services import record as record_audit
from cases.db import transaction, utcnow
from cases.errors import InvalidInputError, NotFoundError
from cases.takedown.counter_notices import DMCA_COUNTER, JP_OBJECTION, mark_objection
from cases.takedown.domain_outcome import domain_outcomes
from cases.takedown.models import ItemOutcome, Notice, NoticeItem, NoticeReply, NoticeState
from cases.takedown.recheck import Finding, Recheck, check_urls, titles_of_items
from cases.takedown.reply_effects import (
    ImportedReply,
    check_applicable,
    open_counter_notice,
    open_host_case,
    settle_suspended_items,
)
from cases.takedown.reply_parsing import ParsedReply, parse_reply
from cases.takedown.services import get_notice
from cases.takedown.states import can_move, move
from common.text import scrub, scrub_block

S = NoticeState
REPLY_KINDS = (
    "bounce",
    "delivered",
    "acknowledgement",
    "forwarded",
    "actioned",
    "partially_actioned",
    "rejected",
    "reply",
)
_STATE_OF = {
    "bounce": S.BOUNCED,
    "delivered": S.DELIVERED,
    "acknowledgement": S.ACKNOWLEDGED,
    # A CDN that forwarded the notice to the host has done what it can: it answered; the host's own
    # case (opened from the reply) takes the content down, and the CDN's notice waits out its time.
    "forwarded": S.ACKNOWLEDGED,
    "actioned": S.ACTIONED,
    "partially_actioned": S.PARTIALLY_ACTIONED,
    "rejected": S.REJECTED,
}
_KEY = re.compile(r"\b([0-9a-f]{32})\b")


def find_notice_by_reference(session: Session, *texts: str | None) -> Notice | None:
    """The notice whose idempotency key appears in any of `texts` (headers, subject, body)."""
    for text in texts:
        for key in _KEY.findall(text or ""):
            notice = session.exec(select(Notice).where(col(Notice.idempotency_key) == key)).first()
            if notice is not None:
                return notice
    return None


def record_reply(
    session: Session,
    actor: Actor,
    notice_id: int,
    kind: str,
    *,
    sender: str | None = None,
    subject: str | None = None,
    body: str | None = None,
    note: str | None = None,
) -> NoticeReply:
    """Keep a reply as received and move the notice accordingly (when that move is allowed).

    `note` (why a reply read by a parser was not applied) is kept with the reply's audit event.
    """
    if kind not in REPLY_KINDS:
        raise InvalidInputError([f"kind: must be one of {', '.join(REPLY_KINDS)}"])
    notice = get_notice(session, notice_id)
    if notice.sent_at is None:
        raise InvalidInputError([f"notice {notice_id} was never sent; a reply cannot belong to it"])
    # A reply is whatever arrived: kept as received, but never with what a store or a page cannot hold.
    reply = NoticeReply(
        notice_id=notice_id,
        kind=kind,
        sender=scrub(sender, max_length=300),
        subject=scrub(subject, max_length=1000),
        body=scrub_block(body),
    )
    session.add(reply)
    session.flush()
    values: dict[str, object] = {"notice_id": notice_id, "kind": kind}
    if note:
        values["note"] = note
    record_audit(session, actor, [created("notice_reply", reply.id or 0, values)])
    target = _STATE_OF.get(kind)
    current = NoticeState(notice.state)
    if target is not None and target != current:
        # An answer to a notice still marked "sent" proves it was delivered (and a refusal, that it was
        # read): record those steps first. A late answer (an acknowledgement after the URLs were found
        # gone) leaves the later state as it is.
        for step in _steps_to(current, target):
            move(session, notice, step, actor)
    return reply


def _steps_to(current: NoticeState, target: NoticeState) -> list[NoticeState]:
    """The moves from `current` to `target`, through delivered and acknowledged if need be (none: not reachable)."""
    if can_move(current, target):
        return [target]
    for via in ((S.DELIVERED,), (S.ACKNOWLEDGED,), (S.DELIVERED, S.ACKNOWLEDGED)):
        path = [current, *via, target]
        if all(can_move(a, b) for a, b in pairwise(path)):
            return [*via, target]
    return []


def import_message(session: Session, actor: Actor, message: Message) -> ImportedReply:
    """Record an inbound e-mail (a mailbox import) as what it says.

    A delivery status notification is a bounce; the big recipients' known answers are read
    (:mod:`cases.takedown.reply_parsing`): a CDN's forwarding naming the host opens the host's case, a
    registrar's suspension of the site's domain actions the notice and its items on that domain, a
    complete §512(g) counter-notice starts its clock, a poster's complete objection rejects a Japanese
    request, an automatic acknowledgement acknowledges. A counter-notice or objection that lacks an
    element goes to the operator, the missing elements named. Anything else is a ``reply`` for an operator, no state moved.
    """
    body_part = message.get_body(preferencelist=("plain",)) if hasattr(message, "get_body") else None
    body = body_part.get_content() if body_part is not None else str(message.get_payload())
    notice = find_notice_by_reference(
        session, message.get("In-Reply-To"), message.get("References"), message.get("Subject"), body
    )
    if notice is None or notice.id is None:
        raise NotFoundError("no notice matches this message")
    is_dsn = (
        message.get_content_type() == "multipart/report"
        or "delivery status notification" in (message.get("Subject") or "").lower()
    )
    sender, subject = message.get("From"), message.get("Subject")
    parsed = (
        ParsedReply("bounce", "delivery_status")
        if is_dsn
        else parse_reply(str(sender or ""), str(subject or ""), body[:100_000], message.get("Auto-Submitted"))
    )
    not_applied = check_applicable(session, notice, parsed)
    if parsed.missing:
        what = "a §512(g) counter-notice" if parsed.counter_kind == DMCA_COUNTER else "the poster's objection"
        not_applied = f"{what}, but it lacks: {'; '.join(parsed.missing)}"
    if not not_applied and parsed.kind == "counter_notice":
        opened = open_counter_notice(session, actor, notice, message, body[:100_000])
        if isinstance(opened, NoticeReply):
            return ImportedReply(opened, parsed)
        not_applied = opened
    kind = "reply" if not_applied else parsed.kind
    reply = record_reply(
        session, actor, notice.id, kind, sender=sender, subject=subject, body=body[:100_000], note=not_applied
    )
    if not not_applied and parsed.counter_kind == JP_OBJECTION:
        mark_objection(session, actor, notice)
    host_case_id = None
    if not not_applied and parsed.kind == "forwarded":
        host_case_id = open_host_case(session, actor, notice, parsed)
    if not not_applied and parsed.kind == "actioned" and parsed.domain:
        settle_suspended_items(session, actor, reply, parsed.domain)
    return ImportedReply(reply, parsed, host_case_id, not_applied)


async def check_outcomes(factory: sessionmaker[Session], actor: Actor, notice_id: int, policy: Recheck) -> NoticeState:
    """Check each sent URL again: gone for good (404, 410, 451, no longer showing the work, redirected to a
    legitimate page) means actioned. A passing failure (timeout, 5xx, refused connection) proves nothing:
    the item keeps its outcome, with the reason, and is checked again next time.

    A registrar's or a registry's notice is settled by the domain first (:mod:`cases.takedown.domain_outcome`):
    the newest resolution since sending shows the domain on hold, gone from the DNS or redirected to a
    suspension page, and that evidence (what was seen, in which resolution, when) is the item's outcome.
    Its items on a domain that shows nothing are checked by URL like any other.

    The notice becomes actioned or partially actioned.
    """
    with factory() as session:
        items = list(
            session.exec(
                select(NoticeItem).where(
                    col(NoticeItem.notice_id) == notice_id,
                    col(NoticeItem.outcome).in_([ItemOutcome.PENDING.value, ItemOutcome.STILL_LIVE.value]),
                )
            )
        )
        suspended = domain_outcomes(session, get_notice(session, notice_id), items, policy.suspension_pages)
        items = [i for i in items if i.id not in suspended] + [i for i in items if i.id in suspended]
        to_fetch = items[: len(items) - len(suspended)]
        titles = titles_of_items(session, to_fetch)
    findings: list[Finding | None] = list(await check_urls(policy, [i.url for i in to_fetch], titles))
    findings += [Finding(suspended[i.id or 0].evidence, gone=True) for i in items[len(to_fetch) :]]
    with transaction(factory) as session:
        now = utcnow()
        for item, finding in zip(items, findings, strict=True):
            row = session.get(NoticeItem, item.id)
            assert row is not None
            if finding is None:
                outcome, reason = ItemOutcome.STILL_LIVE, None
            elif finding.gone:
                outcome, reason = ItemOutcome.ACTIONED, finding.reason
            else:
                outcome, reason = ItemOutcome(row.outcome), f"could not tell: {finding.reason}"
            if row.outcome != outcome:
                record_audit(
                    session, actor, [updated("notice_item", row.id or 0, "outcome", row.outcome, outcome.value)]
                )
            row.outcome, row.outcome_reason, row.checked_at = outcome, reason, now
            session.add(row)
        session.flush()
        outcomes = [
            i.outcome
            for i in session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id))
            if i.outcome != ItemOutcome.DROPPED
        ]
        notice = get_notice(session, notice_id)
        actioned = sum(1 for o in outcomes if o == ItemOutcome.ACTIONED)
        target = S.ACTIONED if outcomes and actioned == len(outcomes) else S.PARTIALLY_ACTIONED if actioned else None
        if target is not None and can_move(NoticeState(notice.state), target):
            move(session, notice, target, actor)
        return NoticeState(notice.state)
