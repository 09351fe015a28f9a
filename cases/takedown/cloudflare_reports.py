"""Cloudflare ``abuse_dmca`` reports of a notice, built and checked to the published schema.

The schema is the official client's (``cloudflare/cloudflare-python``,
``src/cloudflare/types/abuse_reports/abuse_report_create_params.py`` and the ``abuse_dmca`` overload of
``AbuseReportsResource.create``; docs/notices.md cites it): ``POST
/accounts/{account_id}/abuse-reports/abuse_dmca`` with ``urls`` one newline-separated string of at most
250 unique URLs on one host, ``agent_name`` the copyright holder (60 characters), ``email2`` repeating
``email``, ``signature`` the same as ``name``, the address in ``address1``/``city``/``state``/``country``,
``agree`` 1 and both notifications ``send`` (a DMCA report cannot be anonymous). Nothing else is sent:
no field the schema lacks.

One report per (host, work): each report names one work in ``original_work`` and its holder in
``agent_name``; more than 250 URLs of a work on a host make several reports.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from cases.takedown.render import NoticeContext, WorkView

#: URLs per report, at most (the schema's limit)
MAX_URLS = 250
#: The longest text each field takes (the schema's "Text not exceeding N characters")
MAX_LENGTH: dict[str, int] = {
    "address1": 100,
    "agent_name": 60,
    "city": 255,
    "comments": 2000,
    "company": 100,
    "country": 255,
    "name": 255,
    "original_work": 255,
    "state": 255,
    "tele": 20,
}
#: Where each report field comes from: the sender profile's element, or the work
SOURCE: dict[str, str] = {
    "name": "sender.name",
    "signature": "sender.name",
    "email": "sender.email",
    "email2": "sender.email",
    "company": "sender.organisation",
    "address1": "sender.address",
    "city": "sender.city",
    "state": "sender.region",
    "country": "sender.country",
    "tele": "sender.phone",
    "comments": "sender.explanation",
    "agent_name": "work.rights_holder",
    "original_work": "work.title and work.url",
}
#: The sender's elements an ``abuse_dmca`` report cannot go without
REQUIRED_SENDER = ("sender.name", "sender.email", "sender.address", "sender.city", "sender.region", "sender.country")


def _text(sender: dict[str, Any], key: str) -> str:
    value = sender.get(key)
    return value.strip() if isinstance(value, str) else ""


def _holder(work: WorkView, sender: dict[str, Any]) -> str:
    """The copyright holder of `work`: its rights holder, else the sending association itself."""
    return (work.rights_holder or "").strip() or _text(sender, "organisation") or _text(sender, "name")


def dmca_reports(context: NoticeContext) -> list[dict[str, Any]]:
    """The notice's reports, one per (host, work) and per 250 URLs, in the order of the items."""
    sender = context.sender
    groups: OrderedDict[tuple[str, int], tuple[WorkView, list[str]]] = OrderedDict()
    for item in context.items:
        if item.work is None:
            continue  # the validator refuses such a notice ("works")
        host = urlsplit(item.url).hostname or ""
        _, urls = groups.setdefault((host, item.work.id), (item.work, []))
        if item.url not in urls:
            urls.append(item.url)
    reports = []
    for work, urls in groups.values():
        for start in range(0, len(urls), MAX_URLS):
            report: dict[str, Any] = {
                "act": "abuse_dmca",
                "name": _text(sender, "name"),
                "signature": _text(sender, "name"),
                "email": _text(sender, "email"),
                "email2": _text(sender, "email"),
                "agent_name": _holder(work, sender),
                "original_work": f"{work.title} {work.url or ''}".strip(),
                "address1": _text(sender, "address"),
                "city": _text(sender, "city"),
                "state": _text(sender, "region"),
                "country": _text(sender, "country"),
                "urls": "\n".join(urls[start : start + MAX_URLS]),
                "agree": 1,
                "host_notification": "send",
                "owner_notification": "send",
            }
            for field, key in (("company", "organisation"), ("tele", "phone"), ("comments", "explanation")):
                if _text(sender, key):
                    report[field] = _text(sender, key)
            reports.append(report)
    return reports


def report_problems(context: NoticeContext) -> list[str]:
    """What keeps the notice's reports from the schema, each named by the element it comes from."""
    problems = [
        f"{element}: required by Cloudflare's abuse_dmca report"
        for element in REQUIRED_SENDER
        if not _text(context.sender, element.removeprefix("sender."))
    ]
    seen: set[str] = set()
    for report in dmca_reports(context):
        for field, limit in MAX_LENGTH.items():
            value = report.get(field, "")
            problem = f"{SOURCE[field]}: longer than {limit} characters (Cloudflare's {field})"
            if len(value) > limit and problem not in seen:
                seen.add(problem)
                problems.append(f"{problem}: {value[:80]!r}")
    return problems


def report_urls(report: dict[str, Any]) -> list[str]:
    """The URLs of a report, as a list."""
    urls = report.get("urls")
    return urls.split("\n") if isinstance(urls, str) and urls else []
