"""What each legal basis asks of a notice beyond its elements being there, each problem named.

:data:`cases.takedown.render.REQUIRED` says which elements a basis needs; this module checks what
those elements must be:

- every basis: the sender's details within the sender profile's own limits (type, length);
- DSA Art. 16(2)(a)-(b): each URL linked to the work it infringes (the explanation of why *this*
  content is illegal names the work), and the explanation itself;
- RAA §3.18: proof of the prior report along the escalation chain (date and SHA-256 of what was
  sent): ICANN Compliance refuses a complaint that has none;
- the Japanese request (the copyright guideline's 様式A): the capacity the sender acts in with its proof
  (an agent's mandate, 委任状, or the trusted organisation, 信頼性確認団体, it goes through), and for each
  work its own statements: the right infringed, how the copy infringes, that the work is within its
  protection period, that no licence was given, and the proof that the requester holds the right;
- search delisting: the file within its limits (URLs per file, URL
  length) and the format's lines intact (a title or work URL with a line break would break it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from cases.messages import said
from cases.takedown.models import LegalBasis
from cases.takedown.schemas import SenderDetails

if TYPE_CHECKING:
    from cases.takedown.render import NoticeContext

#: URLs in one delisting file, at most: kept to the web form's batch so a file can also be entered by hand
SEARCH_MAX_URLS = 1000
#: the longest URL a delisting file lists (browsers' and search engines' common limit)
SEARCH_MAX_URL_LENGTH = 2048


def sender_problems(context: NoticeContext) -> list[str]:
    """The sender's details checked as the sender profile checks them (type, length, e-mail shape)."""
    known = {k: v for k, v in context.sender.items() if k in SenderDetails.model_fields and v is not None}
    try:
        SenderDetails.model_validate(known)
    except ValidationError as exc:
        return [f"sender.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return []


def _unlinked(context: NoticeContext, basis: str) -> list[str]:
    return [f"items: {item.url} is linked to no work ({basis})" for item in context.items if item.work is None]


def basis_problems(context: NoticeContext, basis: LegalBasis) -> list[str]:
    """Every problem of `context` under `basis` beyond a missing element."""
    problems = sender_problems(context)
    if basis == LegalBasis.DSA:
        problems += _unlinked(context, "DSA Art. 16(2)(a): the explanation must concern each item's work")
    elif basis == LegalBasis.RAA:
        if not context.prior_reports:
            problems.append(
                "prior_reports: an RAA §3.18 report needs proof of the prior report (to the host or the CDN), "
                "sent before it on the escalation chain"
            )
        for report in context.prior_reports:
            if not report.get("sha256") or not report.get("sent_at"):
                problems.append(f"prior_reports: notice {report.get('notice_id')} has no sent date or hash")
    elif basis == LegalBasis.JP_PLA:
        problems += jp_problems(context)
    elif basis == LegalBasis.SEARCH:
        if len(context.items) > SEARCH_MAX_URLS:
            problems.append(f"items: {len(context.items)} URLs; a delisting file takes at most {SEARCH_MAX_URLS}")
        problems += [
            f"items: URL longer than {SEARCH_MAX_URL_LENGTH} characters: {item.url[:80]}"
            for item in context.items
            if len(item.url) > SEARCH_MAX_URL_LENGTH
        ]
        for work in context.works:
            for what, value in (("title", work.title), ("url", work.url or "")):
                if "\n" in value or "\r" in value:
                    problems.append(f"works: the {what} of work {work.id} has a line break (it would break the file)")
    return problems


#: the manners 様式A names (a, b, c) and "other", which must be described
JP_MANNERS = ("self_admitted", "full_copy", "compressed_copy", "other")


def jp_problems(context: NoticeContext) -> list[str]:
    """What the copyright guideline's 様式A asks beyond the sender's elements, each problem named."""
    problems: list[str] = []  # each a said() message: a Japanese operator reads them in Japanese
    sender = context.sender
    acts_as = sender.get("acts_as")
    where = said("required by jp_provider_liability (様式A)")
    if acts_as == "agent" and not str(sender.get("mandate_document") or "").strip():
        problems.append(
            said("sender.mandate_document: an agent attaches the holders' mandate (委任状); {where}", where=where)
        )
    if acts_as == "trusted_organisation" and not str(sender.get("trusted_organisation") or "").strip():
        problems.append(
            said("sender.trusted_organisation: the trusted organisation (信頼性確認団体); {where}", where=where)
        )
    for work in context.works:
        name = f"works.{work.id}"
        rights = work.rights or {}
        if acts_as in ("agent", "trusted_organisation") and not (work.rights_holder or "").strip():
            problems.append(
                said("{name}.rights_holder: whom the association acts for; {where}", name=name, where=where)
            )
        for key in ("right_infringed", "protection_period"):
            if not str(rights.get(key) or "").strip():
                problems.append(said("{name}.rights.{key}: {where}", name=name, key=key, where=where))
        if rights.get("manner") not in JP_MANNERS:
            problems.append(
                said(
                    "{name}.rights.manner: how the copy infringes ({manners}); {where}",
                    name=name,
                    manners=", ".join(JP_MANNERS),
                    where=where,
                )
            )
        elif rights.get("manner") == "other" and not str(rights.get("manner_detail") or "").strip():
            problems.append(said("{name}.rights.manner_detail: the manner in words; {where}", name=name, where=where))
        if rights.get("no_licence") is not True:
            problems.append(
                said(
                    "{name}.rights.no_licence: the statement that no licence was given; {where}", name=name, where=where
                )
            )
        # Through a trusted organisation, the organisation confirms the right (the guideline, V 2 (2)).
        if acts_as != "trusted_organisation" and not str(rights.get("proof_of_right") or "").strip():
            problems.append(
                said(
                    "{name}.rights.proof_of_right: the proof that the requester holds the right; {where}",
                    name=name,
                    where=where,
                )
            )
    return problems
