"""What a parsed reply changes: a CDN's forwarding opens a case with the host it names, a registrar's
suspension settles the items on the suspended domain. A parsed reply about another site, or of a
kind its recipient cannot give (a host "suspending a domain"), is not applied: it goes to the
operator as a plain reply, with the reason kept on the import.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.services import Actor, updated
from cases.audit.services import record as record_audit
from cases.errors import ConflictError, InvalidInputError
from cases.providers.models import Provider, ProviderKind
from cases.providers.services import add_provider
from cases.sites.models import Domain
from cases.takedown.domain_outcome import DOMAIN_BASES, covers
from cases.takedown.models import ItemOutcome, Notice, NoticeItem, NoticeReply
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
    if parsed.kind not in ("forwarded", "actioned") and parsed.domain is None:
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
