"""The Cloudflare abuse-reports channel: files a notice's ``abuse_dmca`` reports, never one twice.

The API (``POST /accounts/{account_id}/abuse-reports/{report_type}``) answers ``result: "success"``
and no report id, and takes no reference of ours; its list endpoint (``GET
/accounts/{account_id}/abuse-reports``) filters by ``domain``, ``type``, ``status``, ``created_after``,
``created_before`` and pages. So a report is recognised by what it says: the account's ``DMCA``
reports on the report's domain, created since the notice was drafted, with the same URLs and our
submitter's e-mail. Before each report is filed, the account's reports are listed; one already there
is not filed again. A retry after a lost answer, a crash or a half-filed notice therefore files only
what is missing, and when the listing cannot be read nothing is filed (the notice waits).

Errors: :class:`DeliveryError` when nothing more was filed (refused, unreachable, or unknown and
left for a retry that will list first).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from contextlib import AbstractAsyncContextManager
from typing import Any
from urllib.parse import urlsplit

import httpx

from cases.errors import DeliveryError
from cases.takedown.cloudflare_reports import report_urls
from cases.takedown.delivery.channels import OutgoingNotice

#: The list endpoint's largest page, and how many pages are read before giving up (unknown: nothing filed)
PER_PAGE = 100
MAX_PAGES = 20
#: Clock skew allowed between us and the API when asking for reports created since the draft
SKEW = dt.timedelta(minutes=10)
#: The longest answer read from the API
MAX_ANSWER_BYTES = 5_000_000


class _UnknownError(Exception):
    """The API's answer could not be read: whether a report is filed is unknown."""


def _reports(notice: OutgoingNotice) -> list[dict[str, Any]]:
    try:
        reports = json.loads(notice.text)["reports"] if notice.media_type.startswith("application/json") else None
    except (ValueError, KeyError, TypeError):
        reports = None
    if not isinstance(reports, list) or not reports or not all(isinstance(r, dict) for r in reports):
        raise DeliveryError(f"notice {notice.notice_id}: the Cloudflare channel needs the notice's abuse_dmca reports")
    return reports


async def _capped_get(client: httpx.AsyncClient, path: str, params: dict[str, str | int]) -> tuple[int, bytes]:
    """GET `path`: the status and at most :data:`MAX_ANSWER_BYTES` of the body (a larger one is unreadable)."""
    async with client.stream("GET", path, params=params) as answer:
        content = bytearray()
        async for chunk in answer.aiter_bytes():
            content += chunk
            if len(content) > MAX_ANSWER_BYTES:
                raise _UnknownError(f"the account's reports answer is larger than {MAX_ANSWER_BYTES} bytes")
        return answer.status_code, bytes(content)


def _errors(answer: httpx.Response) -> str:
    try:
        errors = answer.json().get("errors")
        text = "; ".join(str(e.get("message"))[:300] for e in errors if isinstance(e, dict))
    except (ValueError, AttributeError, TypeError):
        text = ""
    return text or answer.text[:300]


class CloudflareChannel:
    """Cloudflare's abuse-reports API (v4) for one account, with an API token."""

    name = "api"
    concurrency = 8

    def __init__(
        self,
        base_url: str,
        account_id: str,
        token: str = "",
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = httpx.Timeout(timeout)
        self.transport = transport

    @property
    def _reports_path(self) -> str:
        return f"/accounts/{self.account_id}/abuse-reports"

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base_url, headers=self.headers, timeout=self.timeout, transport=self.transport
        )

    async def _listed(self, client: httpx.AsyncClient, domain: str, since: dt.datetime | None) -> list[dict[str, Any]]:
        """The account's DMCA reports on `domain` (created since `since`); :class:`_UnknownError` if unreadable."""
        params: dict[str, str | int] = {"domain": domain, "type": "DMCA", "per_page": PER_PAGE}
        if since is not None:
            params["created_after"] = (since - SKEW).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        found: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            try:
                status, content = await _capped_get(client, self._reports_path, {**params, "page": page})
            except httpx.HTTPError as exc:
                raise _UnknownError(f"listing the account's reports: {exc!r}") from exc
            if status != 200:
                raise _UnknownError(f"listing the account's reports answered {status}: {content[:300]!r}")
            try:
                body = json.loads(content)
                reports = body["result"]["reports"] if body.get("success") is True else None
            except (ValueError, KeyError, TypeError, AttributeError):
                reports = None
            if not isinstance(reports, list):
                raise _UnknownError("the account's reports could not be read")
            found += [r for r in reports if isinstance(r, dict)]
            if len(reports) < PER_PAGE:
                return found
        raise _UnknownError(f"more than {MAX_PAGES * PER_PAGE} reports on {domain}: cannot tell")

    async def _filed(
        self, client: httpx.AsyncClient, report: dict[str, Any], since: dt.datetime | None
    ) -> dict[str, Any] | None:
        """The account's report that is `report`, or None when it is not filed."""
        urls = report_urls(report)
        domain = (urlsplit(urls[0]).hostname or "") if urls else ""
        email = str(report.get("email", "")).casefold()
        for listed in await self._listed(client, domain, since):
            submitter = listed.get("submitter")
            listed_email = submitter.get("email") if isinstance(submitter, dict) else None
            listed_urls = listed.get("urls")
            if (
                isinstance(listed_urls, list)
                and all(isinstance(u, str) for u in listed_urls)
                and set(listed_urls) == set(urls)
                and (not isinstance(listed_email, str) or listed_email.casefold() == email)
            ):
                return listed
        return None

    async def _file(self, client: httpx.AsyncClient, report: dict[str, Any]) -> None:
        """POST one report; :class:`DeliveryError` if refused, :class:`_UnknownError` if the answer was lost."""
        try:
            answer = await client.post(f"{self._reports_path}/{report['act']}", json=report)
        except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _UnknownError(f"no answer to the filing: {exc!r}") from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Cloudflare API {self.base_url} unreachable: {exc}") from exc
        if 400 <= answer.status_code < 500:
            raise DeliveryError(f"Cloudflare refused the report ({answer.status_code}): {_errors(answer)}")
        try:
            body = answer.json()
            accepted = answer.status_code == 200 and body.get("success") is True and body.get("result") == "success"
        except (ValueError, AttributeError):
            accepted = False
        if not accepted:
            raise _UnknownError(f"Cloudflare answered {answer.status_code}: {_errors(answer)}")

    async def send(self, notice: OutgoingNotice) -> dict[str, Any]:
        """File each report of the notice that the account does not have yet; returns what became of each."""
        reports = _reports(notice)
        outcomes: list[dict[str, Any]] = []
        async with self._client() as client:
            for report in reports:
                urls = report_urls(report)
                outcome: dict[str, Any] = {"domain": urlsplit(urls[0]).hostname if urls else None, "urls": len(urls)}
                try:
                    listed = await self._filed(client, report, notice.drafted_at)
                    if listed is not None:
                        outcome["filed"] = "found on the account"
                    else:
                        try:
                            await self._file(client, report)
                            outcome["filed"] = "now"
                        except _UnknownError as lost:
                            try:  # the answer was lost: look whether the report is on the account
                                listed = await self._filed(client, report, notice.drafted_at)
                            except _UnknownError as unreadable:
                                raise _UnknownError(f"{lost}; then {unreadable}") from unreadable
                            if listed is None:
                                raise
                            outcome["filed"] = "found on the account after a lost answer"
                except _UnknownError as exc:
                    raise DeliveryError(
                        f"notice {notice.notice_id}: {exc}; what is on the account will not be filed again"
                    ) from exc
                listed_id = listed.get("id") if isinstance(listed, dict) else None
                outcome["report_id"] = listed_id[:64] if isinstance(listed_id, str) else None
                outcomes.append(outcome)
        return {"reports": outcomes}

    async def lookup(self, notice: OutgoingNotice) -> bool | None:
        """Whether the account has every report of the notice (None when the listing cannot be read)."""
        try:
            reports = _reports(notice)
        except DeliveryError:
            return None
        async with self._client() as client:
            try:
                for report in reports:
                    if await self._filed(client, report, notice.drafted_at) is None:
                        return False  # sent again: only the missing reports are filed
            except _UnknownError:
                return None
        return True

    def connected(self) -> AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()  # one client per notice: an API notice is rare next to e-mail
