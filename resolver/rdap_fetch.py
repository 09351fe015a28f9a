"""Fetching one RDAP answer: limits, retries, redirects, a deadline and a byte cap.

Any server can be reached: the registry's, and the registrar's that the registry's ``related`` link
names. So every read is bounded as a whole, not per chunk or per socket operation:

- **a deadline** (``rdap_read_deadline_seconds``) on the read, from the request to the last byte and
  across redirects: a server dripping one byte every half second fails at the deadline, although no
  single socket read ever times out;
- **a byte cap** (``rdap_max_bytes``) on the decoded body: a declared ``Content-Length`` over it is
  refused before reading, and a body is never held past the cap, so a 200 MB answer costs at most the
  cap in memory;
- **redirects** (RFC 7480 §5.2: a server may answer 301, 302, 303, 307 or 308 with a ``Location``)
  are followed by hand, at most ``rdap_max_redirects`` hops, each one through the rate limiter of its
  own server and the SSRF-guarded transport; a hop to a scheme other than http(s), from https down to
  http, or back to a URL already visited is refused.

JSON that nests deeper than the decoder can follow (``RecursionError``) is a malformed answer like any
other. Every problem is a :class:`~resolver.models.Failure` naming the URL.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from common.text import UnsafeTextError, normalize_url
from resolver.config import ResolverSettings
from resolver.errors import BlockedAddressError
from resolver.http import Limiters
from resolver.models import Failure
from resolver.rdap_notices import quota_warning

_REDIRECTS = {301, 302, 303, 307, 308}


class _ReadError(Exception):
    """One read cannot give an answer; `kind` and the message become the failure."""

    def __init__(self, kind: str, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry = retry


@dataclass
class _Answer:
    url: str  # where the answer came from, after redirects
    status: int
    retry_after: str | None
    body: bytes


class RdapFetcher:
    """GETs RDAP answers as JSON within the limits above; counts requests per server."""

    def __init__(self, settings: ResolverSettings, http: httpx.AsyncClient, limiters: Limiters) -> None:
        self.settings = settings
        self.http = http
        self.limiters = limiters
        self.requests: dict[str, int] = {}
        #: waits a server asked for with 429 and Retry-After
        self.retry_waits = 0
        self.retry_wait_seconds = 0.0

    async def _get(self, url: str) -> httpx.Response:
        host = httpx.URL(url).host
        await self.limiters.acquire(url)
        self.requests[host] = self.requests.get(host, 0) + 1
        request = self.http.build_request("GET", url)
        return await self.http.send(request, stream=True)

    async def _body(self, response: httpx.Response, url: str) -> bytes:
        cap = self.settings.rdap_max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _ReadError("too_large", f"{url} declares {int(declared):,} bytes (at most {cap:,} are read)")
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > cap:
                raise _ReadError("too_large", f"{url} sent more than {cap:,} bytes; the rest was not read")
            chunks.append(chunk)
        return b"".join(chunks)

    async def _follow(self, url: str) -> _Answer:
        """Read `url`, following redirects; raises :class:`_ReadError`."""
        seen = {url}
        for _hop in range(self.settings.rdap_max_redirects + 1):
            response = await self._get(url)
            try:
                location = response.headers.get("Location")
                if response.status_code not in _REDIRECTS or not location:
                    return _Answer(
                        url, response.status_code, response.headers.get("Retry-After"), await self._body(response, url)
                    )
            finally:
                await response.aclose()
            url = self._next_hop(url, location, seen)
        raise _ReadError("http_error", f"more than {self.settings.rdap_max_redirects} redirects, the last to {url}")

    @staticmethod
    def _next_hop(url: str, location: str, seen: set[str]) -> str:
        try:
            target = normalize_url(urljoin(url, location[:2000]))
        except (UnsafeTextError, ValueError) as exc:
            raise _ReadError("malformed", f"{url} redirects to an unusable URL ({exc})") from exc
        if url.startswith("https:") and target.startswith("http:"):
            raise _ReadError("blocked_address", f"{url} redirects from https down to http ({target})")
        if target in seen:
            raise _ReadError("http_error", f"{url} redirects in a loop (back to {target})")
        seen.add(target)
        return target

    async def _read(self, url: str) -> _Answer:
        deadline = self.settings.rdap_read_deadline_seconds
        try:
            async with asyncio.timeout(deadline):
                return await self._follow(url)
        except TimeoutError as exc:
            raise _ReadError("timeout", f"{url} gave no whole answer within {deadline:g} s") from exc
        except BlockedAddressError as exc:
            raise _ReadError("blocked_address", str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise _ReadError("timeout", f"{url} did not answer", retry=True) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _ReadError("network_error", f"{url}: {str(exc)[:200]}", retry=True) from exc

    async def get_json(self, url: str, stage: str, target: str, failures: list[Failure]) -> Any:
        """GET `url` as JSON; None (and a failure) when that is not possible."""

        def fail(kind: str, message: str) -> None:
            failures.append(Failure(stage=stage, target=target, kind=kind, message=message))

        try:
            httpx.URL(url).host  # noqa: B018 - refuses a URL no client can use ("http://[::1")
        except (httpx.InvalidURL, ValueError) as exc:
            fail("malformed", f"not a usable URL {url[:200]!r} ({exc})")
            return None
        waited = 0.0
        for attempt in range(self.settings.http_retries + 1):
            last = attempt == self.settings.http_retries
            try:
                answer = await self._read(url)
            except _ReadError as exc:
                if exc.retry and not last:
                    await asyncio.sleep(0.2 * 2**attempt)
                    continue
                fail(exc.kind, str(exc))
                return None
            if answer.status == 429:
                delay = _retry_after(answer.retry_after)
                if waited + delay <= self.settings.max_retry_after_seconds and not last:
                    waited += delay
                    self.retry_waits += 1
                    self.retry_wait_seconds += delay
                    await asyncio.sleep(delay)
                    continue
                fail("rate_limited", f"{url} answered 429 too often")
                return None
            if answer.status >= 500 and not last:
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            if answer.status != 200:
                fail("http_error", f"{answer.url} answered {answer.status}")
                return None
            return self._decode(answer, fail)
        return None

    @staticmethod
    def _decode(answer: _Answer, fail: Any) -> Any:
        try:
            data = json.loads(answer.body)
        except RecursionError:
            fail("malformed", f"{answer.url}: JSON nested too deep to read")
            return None
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            fail("malformed", f"{answer.url}: not JSON ({str(exc)[:200]})")
            return None
        warning = quota_warning(data)
        if warning:
            fail("quota_warning", f"{answer.url}: {warning}")
        return data


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0
