"""A local stand-in for Cloudflare's abuse-reports API (v4), for the demo and the tests.

It implements the published contract, the request and response types of the official client
(``cloudflare/cloudflare-python``, ``src/cloudflare/types/abuse_reports/`` and the ``abuse_dmca``
overload of ``resources/abuse_reports/abuse_reports.py``; see docs/notices.md), and refuses what that
contract refuses:

- ``POST /client/v4/accounts/{account_id}/abuse-reports/{report_type}``: a JSON object with the
  ``abuse_dmca`` fields only; every required field present and a string (``agree`` the integer 1),
  ``email2`` equal to ``email``, ``signature`` equal to ``name``, ``urls`` one newline-separated string
  of at most 250 unique URLs on one host, each text within its length. Answers the v4 envelope with
  ``"result": "success"`` (the create response is a bare string: no report id).
- ``GET /client/v4/accounts/{account_id}/abuse-reports``: the account's reports, newest first, with
  the list endpoint's real filters (``domain``, ``type``, ``status``, ``created_after``,
  ``created_before``, ``page``, ``per_page``). Other query parameters are ignored, as an HTTP API
  ignores what it does not know: a filter the API lacks filters nothing.

Faults for the tests (each a count of requests it hits): ``unavailable`` answers a filing 503 without
filing, ``list_unavailable`` a listing; ``lose_answers`` files the report and
then holds the answer for ``answer_delay`` seconds (longer than the client waits: the answer is lost).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import secrets
import threading
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lab.http_util import ThreadedServer

#: The ``abuse_dmca`` overload: required fields and the longest text each field takes.
DMCA_REQUIRED = (
    "act",
    "address1",
    "agent_name",
    "agree",
    "city",
    "country",
    "email",
    "email2",
    "host_notification",
    "name",
    "original_work",
    "owner_notification",
    "signature",
    "state",
    "urls",
)
DMCA_OPTIONAL = ("comments", "company", "reported_country", "reported_user_agent", "tele", "title")
MAX_LENGTH = {
    "address1": 100,
    "agent_name": 60,
    "city": 255,
    "comments": 2000,
    "company": 100,
    "country": 255,
    "name": 255,
    "original_work": 255,
    "reported_user_agent": 255,
    "state": 255,
    "tele": 20,
    "title": 255,
}
MAX_URLS = 250
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIST_TYPES = {"abuse_dmca": "DMCA"}


def _envelope(result: Any, status: int = 200, errors: list[dict[str, Any]] | None = None, **extra: Any) -> JSONResponse:
    body = {"success": not errors, "errors": errors or [], "messages": [], "result": result, **extra}
    return JSONResponse(body, status_code=status)


def _refusal(status: int, code: int, *messages: str) -> JSONResponse:
    return _envelope(None, status, [{"code": code, "message": m} for m in messages])


def dmca_problems(report: Any) -> list[str]:
    """Every way `report` breaks the ``abuse_dmca`` contract (empty: it is accepted)."""
    if not isinstance(report, dict):
        return ["the body must be a JSON object"]
    problems = [f"{name}: required" for name in DMCA_REQUIRED if name not in report]
    problems += [
        f"{name}: not a field of abuse_dmca reports" for name in report if name not in (*DMCA_REQUIRED, *DMCA_OPTIONAL)
    ]
    for name, value in report.items():
        if name == "agree":
            if value != 1 or isinstance(value, bool):
                problems.append("agree: must be 1 for DMCA reports")
        elif not isinstance(value, str):
            problems.append(f"{name}: must be a string")
        elif name in MAX_LENGTH and len(value) > MAX_LENGTH[name]:
            problems.append(f"{name}: longer than {MAX_LENGTH[name]} characters")
        elif "\x00" in value:
            problems.append(f"{name}: contains NUL")
    if problems:
        return problems
    if report["act"] != "abuse_dmca":
        problems.append("act: must be abuse_dmca")
    for name in ("host_notification", "owner_notification"):
        if report[name] != "send":
            problems.append(f"{name}: DMCA reports cannot be anonymous (send)")
    if not _EMAIL.match(report["email"]):
        problems.append("email: not a valid e-mail address")
    if report["email2"] != report["email"]:
        problems.append("email2: must match email")
    if report["signature"] != report["name"]:
        problems.append("signature: must be the same as name")
    if "reported_country" in report and len(report["reported_country"]) != 2:
        problems.append("reported_country: two characters")
    problems += _url_problems(report["urls"])
    return problems


def _url_problems(text: str) -> list[str]:
    urls = text.split("\n")
    problems = []
    if len(urls) > MAX_URLS:
        problems.append(f"urls: more than {MAX_URLS}")
    if len(set(urls)) != len(urls):
        problems.append("urls: each URL must be unique")
    hosts = set()
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
            problems.append(f"urls: not a valid URL: {url[:100]!r}")
        hosts.add(parts.hostname)
    if len(hosts) > 1:
        problems.append("urls: all URLs must have the same hostname")
    return problems


class CloudflareAbuseApi:
    """The stand-in's state: one account, its token, the reports filed, the faults to play."""

    def __init__(self, account_id: str = "lab-account", token: str = "lab-token") -> None:  # noqa: S107 - the lab's
        self.account_id, self.token = account_id, token
        self.reports: list[dict[str, Any]] = []
        #: POST bodies received, accepted or not (what the tests look at)
        self.received: list[Any] = []
        self.unavailable = 0
        self.list_unavailable = 0
        self.lose_answers = 0
        self.answer_delay = 2.0
        self._lock = threading.Lock()

    def _denied(self, request: Request) -> JSONResponse | None:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _refusal(403, 10000, "Authentication error")
        if request.path_params["account_id"] != self.account_id:
            return _refusal(403, 10000, "Authentication error")
        return None

    async def create(self, request: Request) -> JSONResponse:
        denied = self._denied(request)
        if denied is not None:
            return denied
        report_type = request.path_params["report_type"]
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return _refusal(400, 1000, "the body is not JSON")
        with self._lock:
            self.received.append(body)
            if self.unavailable:
                self.unavailable -= 1
                return _refusal(503, 1001, "service unavailable, try later")
        if report_type not in _LIST_TYPES:
            return _refusal(400, 1002, f"unknown report type {report_type!r}")
        problems = dmca_problems(body)
        if not problems and body["act"] != report_type:
            problems = ["act: must match the report type of the path"]
        if problems:
            return _refusal(400, 1003, *problems)
        urls = body["urls"].split("\n")
        with self._lock:
            self.reports.append(
                {
                    "id": secrets.token_hex(8),
                    "cdate": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
                    "domain": urlsplit(urls[0]).hostname or "",
                    "type": _LIST_TYPES[report_type],
                    "status": "accepted",
                    "mitigation_summary": {
                        "accepted_url_count": 0,
                        "active_count": 0,
                        "external_host_notified": False,
                        "in_review_count": 0,
                        "pending_count": 0,
                    },
                    "original_work": body["original_work"],
                    "justification": None,
                    "submitter": {
                        "company": body.get("company"),
                        "email": body["email"],
                        "name": body["name"],
                        "telephone": body.get("tele"),
                    },
                    "urls": urls,
                }
            )
            lose = self.lose_answers > 0
            self.lose_answers -= 1 if lose else 0
        if lose:  # filed, but the answer never reaches the client in time
            await asyncio.sleep(self.answer_delay)
        return _envelope("success")

    async def list(self, request: Request) -> JSONResponse:
        denied = self._denied(request)
        if denied is not None:
            return denied
        with self._lock:
            if self.list_unavailable:
                self.list_unavailable -= 1
                return _refusal(503, 1001, "service unavailable, try later")
        query = request.query_params
        try:
            page = int(query.get("page", "1"))
            per_page = int(query.get("per_page", "20"))
            after = _time(query.get("created_after"))
            before = _time(query.get("created_before"))
        except ValueError as exc:
            return _refusal(400, 1004, str(exc))
        if page < 1 or not 1 <= per_page <= 100:
            return _refusal(400, 1004, "page must be >= 1 and per_page within 1..100")
        with self._lock:
            reports = list(reversed(self.reports))
        for name in ("domain", "type", "status"):
            if name in query:
                reports = [r for r in reports if r[name] == query[name]]
        if after is not None:
            reports = [r for r in reports if _time(r["cdate"]) > after]  # type: ignore[operator]
        if before is not None:
            reports = [r for r in reports if _time(r["cdate"]) < before]  # type: ignore[operator]
        shown = reports[(page - 1) * per_page : page * per_page]
        info = {"page": page, "per_page": per_page, "count": len(shown), "total_count": len(reports)}
        return _envelope({"reports": shown}, result_info=info)

    def app(self) -> Starlette:
        prefix = "/client/v4/accounts/{account_id}/abuse-reports"
        return Starlette(
            routes=[
                Route(prefix, self.list, methods=["GET"]),
                Route(prefix + "/{report_type}", self.create, methods=["POST"]),
            ]
        )

    def serve(self) -> ThreadedServer:
        """Started on a free loopback port; its ``url`` + ``/client/v4`` is the API's base URL."""
        return ThreadedServer(self.app()).start()


def _time(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"a time needs its offset: {value!r}")
    return parsed
