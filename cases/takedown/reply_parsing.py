"""Reading what the big recipients answer: a CDN forwarding the notice and naming the host, a registrar
suspending the domain, an automatic acknowledgement. Anything else is a plain ``reply`` for an operator.

Each parser recognises one shape and nothing near it: a reply that looks almost like a known one is not
guessed at, it goes to the operator. The shapes are those of the samples in
``tests/takedown/samples/replies/`` (see docs/notices.md, "Replies the system reads"):

* **Cloudflare's forwarding reply.** Cloudflare forwards a substantially complete report to the
  hosting provider and "will provide the complainant with the contact information for the responsible
  website hosting provider" (its published abuse policy, https://www.cloudflare.com/abuse/). Its
  answers come from ``notify.cloudflare.com`` and open "Cloudflare received your DMCA report regarding:
  DOMAIN"; the host is named on a ``Hosting provider:`` line, its address on ``Abuse contact:``. Without
  the host lines the answer is Cloudflare's acknowledgement of receipt.
* **A registrar's suspension reply**: a sentence saying the notice's domain *has been / was / is now*
  suspended or placed on client/server hold. A domain the notice does not name, a future or a
  negated suspension ("will be suspended if", "has not been suspended") is no suspension.
* **A forwarded counter-notice, or a poster's objection** (:mod:`cases.takedown.counter_reading`): read
  element by element (17 U.S.C. §512(g)(3); the Japanese poster's 同意しない旨 and reasons). A complete
  one is a ``counter_notice`` (DMCA) or a ``rejected`` (the Japanese objection); one that lacks an
  element is a ``reply`` for the operator, the missing elements named.
* **An automatic acknowledgement**: an ``Auto-Submitted`` header other than ``no`` (RFC 3834 §5), the
  standard mark of a message no human wrote.

Only the reply's own text is read: quoted lines (``>``) and everything after a forwarded or
original-message marker are our notice coming back, not the recipient's answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

from cases.takedown.counter_reading import DMCA, read_counter
from common.text import UnsafeTextError, email_address, scrub

#: where Cloudflare's abuse answers come from
CLOUDFLARE_SENDER_DOMAINS = ("cloudflare.com",)

_QUOTE_START = re.compile(
    r"^(?:-{2,}\s*(?:original message|forwarded message)\s*-{2,}|on .{1,200} wrote:|below is the report we received:?)\s*$",
    re.I | re.M,
)
_CF_RECEIVED = re.compile(
    r"^cloudflare received your (?P<type>[\w ]{1,40}?) report regarding:\s*(?P<domain>\S+?)\.?\s*$", re.I | re.M
)
_CF_HOST = re.compile(r"^\s*hosting provider:[ \t]*(?P<host>[^\n]{2,200}?)[ \t]*$", re.I | re.M)
_CF_ABUSE = re.compile(r"^\s*abuse contact:[ \t]*(?P<email>\S{3,254})[ \t]*$", re.I | re.M)
_CF_REPORT_ID = re.compile(r"^\s*report id:[ \t]*(?P<id>[0-9a-f]{8,64})[ \t]*$", re.I | re.M)

_DOMAIN = r"(?P<domain>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.|\[\.\]))+[a-z]{2,63})"
_SUSPENDED = re.compile(
    _DOMAIN
    + r"(?:\s+domain(?:\s+name)?)?\s+(?:has|have)\s+been\s+(?:suspended|placed\s+on\s+(?:client|server)\s*hold)"
    + r"|"
    + _DOMAIN.replace("domain>", "domain2>")
    + r"(?:\s+domain(?:\s+name)?)?\s+(?:was|is\s+now)\s+(?:suspended|placed\s+on\s+(?:client|server)\s*hold)"
    + r"|we\s+have\s+(?:suspended|placed)\s+(?:the\s+domain(?:\s+name)?\s+)?"
    + _DOMAIN.replace("domain>", "domain3>"),
    re.I,
)


@dataclass(frozen=True)
class ParsedReply:
    """What a reply says, as far as a parser could tell; ``kind`` is a reply kind of :mod:`replies`."""

    kind: str
    #: which parser recognised it (None: nobody did; the operator reads it)
    parser: str | None = None
    #: the domain the reply is about, as it wrote it (``[.]`` undone)
    domain: str | None = None
    #: the hosting provider a CDN named, and its abuse address when it gave a valid one
    host: str | None = None
    host_abuse_email: str | None = None
    #: the recipient's reference of its report or ticket
    reference: str | None = None
    #: a counter-notice or objection: ``dmca_512g`` or ``jp_objection``, the elements it lacks, the text read
    counter_kind: str | None = None
    missing: tuple[str, ...] = ()
    counter_text: str | None = None


def own_text(body: str) -> str:
    """The reply without what it quotes: ``>`` lines dropped, everything after a quote marker cut."""
    marker = _QUOTE_START.search(body)
    text = body[: marker.start()] if marker else body
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


def _domain(value: str) -> str:
    return value.replace("[.]", ".").rstrip(".").lower()


def _from_domain(sender: str | None) -> str:
    address = parseaddr(sender or "")[1]
    return address.rpartition("@")[2].lower() if "@" in address else ""


def _is_cloudflare(sender: str | None) -> bool:
    domain = _from_domain(sender)
    return any(domain == d or domain.endswith("." + d) for d in CLOUDFLARE_SENDER_DOMAINS)


def _cloudflare(text: str) -> ParsedReply | None:
    received = _CF_RECEIVED.search(text)
    if received is None:
        return None
    domain = _domain(received.group("domain"))
    reference = _CF_REPORT_ID.search(text)
    ref = reference.group("id") if reference else None
    host = _CF_HOST.search(text)
    host_name = scrub(host.group("host"), max_length=200) if host else None
    if not host_name:
        return ParsedReply("acknowledgement", "cloudflare_receipt", domain, reference=ref)
    abuse = _CF_ABUSE.search(text)
    try:
        email = email_address(abuse.group("email")) if abuse else None
    except UnsafeTextError:
        email = None  # a malformed address is left out; the host is still named
    return ParsedReply("forwarded", "cloudflare_forwarding", domain, host_name, email, ref)


def parse_reply(sender: str | None, subject: str | None, body: str | None, auto_submitted: str | None) -> ParsedReply:
    """What one inbound reply says; ``kind="reply"`` (for an operator) when no parser recognises it."""
    counter = read_counter(body)
    if counter is not None:
        kind = "reply" if counter.missing else "counter_notice" if counter.kind == DMCA else "rejected"
        parser = "dmca_counter_notice" if counter.kind == DMCA else "jp_poster_objection"
        return ParsedReply(
            kind, parser, counter.domain, counter_kind=counter.kind, missing=counter.missing, counter_text=counter.text
        )
    text = own_text(body or "")
    if _is_cloudflare(sender):
        parsed = _cloudflare(text)
        if parsed is not None:
            return parsed
    found = _SUSPENDED.search(text)
    if found is not None:
        domain = found.group("domain") or found.group("domain2") or found.group("domain3")
        return ParsedReply("actioned", "registrar_suspension", _domain(domain))
    if auto_submitted is not None and auto_submitted.strip().lower() not in ("", "no"):
        return ParsedReply("acknowledgement", "auto_submitted")
    return ParsedReply("reply")
