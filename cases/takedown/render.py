"""Rendering notices from their templates, and refusing notices that miss a required element.

Each template serves one legal basis (or one provider format under a legal basis). What a basis
requires is data (:data:`REQUIRED`), so the validator can name every element a notice lacks; the
templates only print what the validator has already checked is there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import jinja2

from cases.errors import InvalidInputError
from cases.messages import said
from cases.takedown.basis_checks import basis_problems
from cases.takedown.cloudflare_reports import dmca_reports, report_problems
from cases.takedown.models import LegalBasis
from common.text import scrub


@dataclass(frozen=True)
class Template:
    """A notice template: its file, the legal basis it serves, and the media type it renders to."""

    name: str
    basis: LegalBasis
    #: None: the notice is a JSON document built in code (see :func:`cases.takedown.cloudflare_reports.dmca_reports`)
    filename: str | None
    media_type: str = "text/plain; charset=utf-8"
    #: the language the notice is written in (its evidence package's summary is written in it too)
    language: str = "en"


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template("dmca_512c3", LegalBasis.DMCA, "dmca_512c3.txt.j2"),
        Template("dsa_art16", LegalBasis.DSA, "dsa_art16.txt.j2"),
        Template("jp_transmission_prevention", LegalBasis.JP_PLA, "jp_transmission_prevention.txt.j2", language="ja"),
        Template("raa_3_18", LegalBasis.RAA, "raa_3_18.txt.j2"),
        Template("registry_abuse_policy", LegalBasis.REGISTRY_POLICY, "registry_abuse_policy.txt.j2"),
        Template("cloudflare_abuse_dmca", LegalBasis.DMCA, None, "application/json"),
        Template("search_delisting", LegalBasis.SEARCH, "search_delisting.txt.j2"),
    )
}

#: The template used for a legal basis when the provider accepts no other.
DEFAULT_TEMPLATE: dict[LegalBasis, str] = {
    LegalBasis.DMCA: "dmca_512c3",
    LegalBasis.DSA: "dsa_art16",
    LegalBasis.JP_PLA: "jp_transmission_prevention",
    LegalBasis.RAA: "raa_3_18",
    LegalBasis.REGISTRY_POLICY: "registry_abuse_policy",
    LegalBasis.SEARCH: "search_delisting",
}

# Element names are what the validator reports; "sender.x" is a field of the notice's sender,
# "items", "works", "work_urls" come from the items.
REQUIRED: dict[LegalBasis, tuple[str, ...]] = {
    # 17 U.S.C. §512(c)(3)(A)(i)-(vi)
    LegalBasis.DMCA: (
        "sender.signature",
        "works",
        "items",
        "sender.name",
        "sender.email",
        "sender.good_faith",
        "sender.accuracy_under_perjury",
    ),
    # DSA Art. 16(2)(a)-(d)
    LegalBasis.DSA: ("sender.explanation", "items", "sender.name", "sender.email", "sender.bona_fide"),
    # The copyright guideline's 様式A: who (address, name, contact), where, which works, in what
    # capacity, and that it is true; each work's own statements are checked in basis_checks.
    LegalBasis.JP_PLA: (
        "sender.address",
        "sender.name",
        "sender.email",
        "items",
        "works",
        "sender.acts_as",
        "sender.truth_statement",
    ),
    LegalBasis.RAA: ("items", "sender.name", "sender.email", "sender.explanation"),
    # A registry's abuse policy (ccTLD registries, gTLD registries' Registry Agreement Spec. 11):
    # which domain, what abuse, the evidence, who reports it.
    LegalBasis.REGISTRY_POLICY: ("items", "works", "sender.name", "sender.email", "sender.explanation"),
    # Delisting: each group needs a description and the work's official URL; the sender makes the
    # same statements as under §512(c)(3) (the search engines' copyright forms ask for them, signed).
    LegalBasis.SEARCH: (
        "items",
        "works",
        "work_urls",
        "sender.name",
        "sender.email",
        "sender.signature",
        "sender.good_faith",
        "sender.accuracy_under_perjury",
    ),
}

# Statements are confirmed by the sender (true), never assumed.
_STATEMENTS = {"sender.good_faith", "sender.accuracy_under_perjury", "sender.bona_fide", "sender.truth_statement"}
_CLOUDFLARE_REQUIRED = ("sender.name", "sender.email", "sender.signature", "items", "works")


@dataclass(frozen=True)
class WorkView:
    """A work as a notice shows it."""

    id: int
    title: str
    rights_holder: str | None = None
    url: str | None = None
    #: the association's rights statement for the work (:mod:`cases.takedown.work_rights`), if it made one
    rights: dict[str, Any] | None = None


@dataclass(frozen=True)
class ItemView:
    """A (URL, work) pair as a notice shows it."""

    url: str
    work: WorkView | None = None
    #: the newest capture of the URL (``cases.evidence``): when, and the SHA-256 of its timestamped manifest
    captured_at: str | None = None
    capture_sha256: str | None = None

    @property
    def work_title(self) -> str | None:
        return self.work.title if self.work else None


@dataclass
class NoticeContext:
    """Everything a template may print."""

    template: str
    recipient: str
    site: str
    sender: dict[str, Any]
    items: list[ItemView]
    idempotency_key: str
    date: dt.date
    prior_reports: list[dict[str, Any]] = field(default_factory=list)
    #: how the site uses the recipient's service, as our crawls found it (ads and payment recipients)
    service_evidence: list[dict[str, str]] = field(default_factory=list)

    @property
    def works(self) -> list[WorkView]:
        seen: OrderedDict[int, WorkView] = OrderedDict()
        for item in self.items:
            if item.work is not None:
                seen.setdefault(item.work.id, item.work)
        return list(seen.values())

    @property
    def domains(self) -> list[str]:
        return sorted({urlsplit(i.url).hostname or "" for i in self.items} - {""})


def utc_today() -> dt.date:
    """Today's date in UTC (the date printed on notices)."""
    return dt.datetime.now(dt.UTC).date()


def missing_elements(context: NoticeContext) -> list[str]:
    """The elements `context` lacks for its template's legal basis (empty when the notice is complete)."""
    template = TEMPLATES[context.template]
    needed = list(REQUIRED[template.basis])
    if template.name == "cloudflare_abuse_dmca":
        needed = list(dict.fromkeys([*needed, *_CLOUDFLARE_REQUIRED]))
    missing: list[str] = []
    for element in needed:
        if element.startswith("sender."):
            value = context.sender.get(element.removeprefix("sender."))
            ok = value is True if element in _STATEMENTS else isinstance(value, str) and bool(value.strip())
        elif element == "items":
            ok = bool(context.items)
        elif element == "works":
            ok = bool(context.items) and all(i.work is not None for i in context.items)
        else:  # work_urls
            ok = all(w.url for w in context.works)
        if not ok:
            missing.append(element)
    return missing


def validate(context: NoticeContext) -> None:
    """Raise :class:`InvalidInputError` naming every element the notice's legal basis requires but lacks,
    and every other problem it has under that basis (:mod:`cases.takedown.basis_checks`)."""
    basis = TEMPLATES[context.template].basis
    problems: list[str] = [
        said("{element}: required by {basis}", element=e, basis=basis.value) for e in missing_elements(context)
    ]
    problems += basis_problems(context, basis)
    if context.template == "cloudflare_abuse_dmca":
        problems += [p for p in report_problems(context) if p.split(":", 1)[0] not in missing_elements(context)]
    if problems:
        raise InvalidInputError(problems)


def _search_groups(context: NoticeContext) -> list[dict[str, Any]]:
    groups: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for item in context.items:
        if item.work is None:
            continue
        group = groups.setdefault(
            item.work.id,
            {"description": f"{item.work.title} ({context.site})", "work_url": item.work.url, "urls": []},
        )
        group["urls"].append(item.url)
    return list(groups.values())


class Block(str):
    """A value the sender wrote on several lines (an address, an explanation): printed with its line breaks."""

    __slots__ = ()


#: the sender's own fields that may span lines; every other value a template prints is one line
_BLOCK_FIELDS = ("address", "explanation")


def _one_line(value: object) -> object:
    """Every value a template prints, on one line unless it is a :class:`Block`.

    Applied by Jinja to each ``{{ … }}``: a recipient name, a site, a title or a URL from a registry
    or a crawled page can never start a line of its own in a legal text ("To: …" followed by an
    injected sentence); its line breaks and control characters become spaces.
    """
    if isinstance(value, str) and not isinstance(value, Block):
        return scrub(value, max_length=len(value) + 1) or ""
    return value


@cache
def _environment() -> jinja2.Environment:
    # Plain text and JSON, not HTML: no autoescaping, but undefined names are errors.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("cases.takedown", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - notices are text/JSON, never HTML
        keep_trailing_newline=True,
        finalize=_one_line,
    )


def render(context: NoticeContext) -> tuple[str, str]:
    """Validate and render a notice; returns its text and the SHA-256 of that text (UTF-8)."""
    validate(context)
    template = TEMPLATES[context.template]
    if template.filename is None:
        text = json.dumps({"reports": dmca_reports(context)}, ensure_ascii=False, indent=2) + "\n"
    else:
        sender = {k: v for k, v in context.sender.items() if v is not None}
        sender.setdefault("organisation", None)
        for optional in (
            "address",
            "phone",
            "signature",
            "explanation",
            "right_infringed",
            "acts_as",
            "mandate_document",
            "trusted_organisation",
            "trusted_flagger_coordinator",
            "trusted_flagger_awarded_on",
            "trusted_flagger_expertise",
        ):
            sender.setdefault(optional, None)
        for name in _BLOCK_FIELDS:
            if isinstance(sender[name], str):
                sender[name] = Block(sender[name])
        works = [dataclasses.replace(w, rights=w.rights or {}) for w in context.works]
        text = (
            _environment()
            .get_template(template.filename)
            .render(
                recipient=context.recipient,
                site=context.site,
                sender=sender,
                items=context.items,
                works=works,
                domains=context.domains,
                groups=_search_groups(context),
                idempotency_key=context.idempotency_key,
                date=context.date.isoformat(),
                prior_reports=context.prior_reports,
                service_evidence=context.service_evidence,
            )
        )
    return text, hashlib.sha256(text.encode()).hexdigest()
