"""What a parsed reply changes: a CDN's forwarding opens a case with the host it names, a registrar's
suspension settles the items on the suspended domain. A parsed reply about another site, or of a
kind its recipient cannot give (a host "suspending a domain"), is not applied: it goes to the
operator as a plain reply, with the reason kept on the import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.services import Actor, updated
from cases.audit.services import record as record_audit
from cases.db import utcnow
from cases.errors import ConflictError, InvalidInputError
from cases.providers.models import Provider, ProviderKind
from cases.providers.services import add_provider
from cases.sites.models import Domain
from cases.takedown.counter_notices import DMCA_COUNTER, JP_OBJECTION, record_counter_notice
from cases.takedown.domain_outcome import DOMAIN_BASES, covers
from cases.takedown.models import ItemOutcome, LegalBasis, Notice, NoticeItem, NoticeReply
from cases.takedown.reply_parsing import ParsedReply
from cases.takedown.services import open_case


@dataclass(frozen=True)
class ImportedReply:
    """One inbound message recorded: the reply row, what the parsers read, and what it changed."""

    reply: NoticeReply
    parsed: ParsedReply
    #: the host's case a CDN's forwarding opened (or found already open)
    host_case_id: int | None = None
    #: why a parsed reply was not applied (it then went to the operator as a plain reply)
    not_applied: str | None = None

    @property
    def kind(self) -> str:
        return self.reply.kind

    @property
    def notice_id(self) -> int:
        return self.reply.notice_id


def about_the_site(session: Session, site_id: int, domain: str | None) -> bool:
    """Whether `domain` (from a reply) is one of the site's domains, a parent or a sub-domain of one."""
    if not domain:
        return False
    for fqdn in session.exec(select(Domain.fqdn).where(col(Domain.site_id) == site_id)):
        if covers(domain, f"https://{fqdn}/") or covers(fqdn, f"https://{domain}/"):
            return True
    return False


def check_applicable(session: Session, notice: Notice, parsed: ParsedReply) -> str | None:
    """Why `parsed` cannot be applied to `notice` (None: it can)."""
    if parsed.counter_kind == DMCA_COUNTER and notice.legal_basis != LegalBasis.DMCA:
        return f"a §512(g) counter-notice, but the notice is {notice.legal_basis}, not a DMCA notice"
    if parsed.counter_kind == JP_OBJECTION and notice.legal_basis != LegalBasis.JP_PLA:
        return f"the poster's objection to a Japanese request, but the notice is {notice.legal_basis}"
    if parsed.kind not in ("forwarded", "actioned", "counter_notice") and parsed.domain is None:
        return None  # nothing in it to check against the notice (a bounce, an automatic receipt)
    if not about_the_site(session, notice.site_id, parsed.domain):
        return f"the reply is about {parsed.domain or 'no domain'}, not a domain of site {notice.site_id}"
    provider = session.get(Provider, notice.provider_id)
    kind = ProviderKind(provider.kind) if provider is not None else None
    if parsed.kind == "forwarded" and kind != ProviderKind.CDN:
        return "a forwarding reply, but the notice went to no CDN"
    if parsed.kind == "actioned" and notice.legal_basis not in DOMAIN_BASES:
        return "a domain suspension, but the notice went to no registrar or registry"
    return None


def host_provider(session: Session, actor: Actor, name: str, abuse_email: str | None) -> Provider:
    """The directory's provider called `name` (any case), or a new host provider with that name."""
    found = session.exec(select(Provider).where(sa.func.lower(col(Provider.name)) == name.lower())).first()
    if found is not None:
        return found
    try:
        return add_provider(session, actor, name, ProviderKind.HOST.value, abuse_email=abuse_email)
    except (InvalidInputError, ConflictError):
        if abuse_email is None:
            raise
        return add_provider(session, actor, name, ProviderKind.HOST.value)  # the address was the problem


def open_host_case(session: Session, actor: Actor, notice: Notice, parsed: ParsedReply) -> int:
    """Open (or find) the case of the notice's site with the host the CDN named; its id."""
    assert parsed.host is not None
    provider = host_provider(session, actor, parsed.host, parsed.host_abuse_email)
    case = open_case(session, actor, notice.site_id, provider.id or 0)
    return case.id or 0


def settle_suspended_items(session: Session, actor: Actor, reply: NoticeReply, domain: str) -> int:
    """Mark the notice's open items on `domain` actioned, the registrar's reply as their evidence; how many."""
    items = session.exec(
        select(NoticeItem).where(
            col(NoticeItem.notice_id) == reply.notice_id,
            col(NoticeItem.outcome).in_([ItemOutcome.PENDING.value, ItemOutcome.STILL_LIVE.value]),
        )
    )
    when = reply.received_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    count = 0
    for item in items:
        if not covers(domain, item.url):
            continue
        record_audit(session, actor, [updated("notice_item", item.id or 0, "outcome", item.outcome, "actioned")])
        item.outcome = ItemOutcome.ACTIONED
        item.outcome_reason = f"domain {domain} suspended: the recipient's reply {reply.id} of {when}"
        item.checked_at = reply.received_at
        session.add(item)
        count += 1
    return count


def _sent_on(message: Message, notice: Notice) -> dt.datetime | None:
    """The message's ``Date`` when it can be the counter-notice's receipt (after the notice, not ahead of now).

    The provider received the counter-notice no later than it forwarded it: the clock starts then at
    the latest, so a date read from the message warns early, never late. Otherwise None (now).
    """
    try:
        when = parsedate_to_datetime(str(message.get("Date") or ""))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    fits = notice.sent_at is not None and notice.sent_at <= when <= utcnow() + dt.timedelta(minutes=5)
    return when if fits else None


def open_counter_notice(
    session: Session, actor: Actor, notice: Notice, message: Message, body: str
) -> NoticeReply | str:
    """Start the §512(g) clock of `notice` on a complete counter-notice read from `message`: the reply
    kept (kind ``counter_notice``), or why the notice's state refuses it (then the operator reads it)."""
    try:
        with session.begin_nested():
            record_counter_notice(
                session,
                actor,
                notice.id or 0,
                received_at=_sent_on(message, notice),
                body=body,
                sender=str(message.get("From") or "") or None,
                subject=str(message.get("Subject") or "") or None,
            )
    except (ConflictError, InvalidInputError) as exc:
        return f"a complete §512(g) counter-notice, but {exc}"
    kept = session.exec(
        select(NoticeReply)
        .where(col(NoticeReply.notice_id) == notice.id, col(NoticeReply.kind) == "counter_notice")
        .order_by(sa.desc(col(NoticeReply.id)))
    ).first()
    assert kept is not None
    return kept
