"""One capture: fetch a URL hop by hop, keep every exchange as sent and received, within limits.

Redirects are followed here, not by httpx, so each hop is an exchange of its own (a court sees the
whole chain). A body is kept as it came off the wire (still compressed), up to ``max_bytes``; the
whole capture runs under one wall-clock limit. Whatever stops a capture early (size, time, too many
redirects, a refused address) makes it *limited*, with the reason, and what was received so far is
still kept: a hostile page yields a recorded capture, never a crash.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from common.pages import visible_text
from common.text import UnsafeTextError, normalize_url, scrub
from crawlers.capture.config import CaptureSettings
from resolver.errors import BlockedAddressError

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REDIRECTS = frozenset({301, 302, 303, 307, 308})

TransportFactory = Callable[[], httpx.AsyncBaseTransport]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Exchange:
    """One HTTP request and what came back (``status`` None: no answer at all)."""

    url: str
    request_line: str
    request_headers: list[tuple[str, str]]
    started_at: dt.datetime
    status: int | None = None
    reason: str = ""
    http_version: str = "HTTP/1.1"
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    #: the WARC-Truncated reason when the body is incomplete: length, time or disconnect
    truncated: str | None = None
    server_address: str | None = None
    #: the local address the request left from (the egress address, for the chain of custody)
    client_address: str | None = None

    def header(self, name: str) -> str | None:
        for key, value in self.response_headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Capture:
    """What one capture of `url` saw: its exchanges, whether a limit stopped it, its text."""

    url: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    #: complete, limited (a limit stopped it; what came is kept) or failed (no answer at all)
    status: str = "complete"
    limit: str | None = None
    problems: list[str] = field(default_factory=list)
    text: str = ""
    screenshot: bytes | None = None
    screenshot_problem: str | None = None

    @property
    def final(self) -> Exchange | None:
        """The last exchange that got an answer."""
        answered = [e for e in self.exchanges if e.status is not None]
        return answered[-1] if answered else None

    def limited(self, reason: str) -> None:
        if self.limit is None:
            self.status, self.limit = "limited", reason


def _address(stream: object, name: str) -> str | None:
    get = getattr(stream, "get_extra_info", None)
    value = get(name) if get is not None else None
    if isinstance(value, tuple) and value:
        return str(value[0])
    return None


async def _exchange(client: httpx.AsyncClient, capture: Capture, url: str, settings: CaptureSettings) -> Exchange:
    request = client.build_request("GET", url)
    target = request.url.raw_path.decode("ascii", errors="replace")
    exchange = Exchange(
        url=url,
        request_line=f"GET {target} HTTP/1.1",
        request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
        started_at=utcnow(),
    )
    capture.exchanges.append(exchange)  # before reading: a timeout mid-body still keeps what came
    answer = await client.send(request, stream=True)
    try:
        stream = answer.extensions.get("network_stream")
        exchange.server_address = _address(stream, "server_addr")
        exchange.client_address = _address(stream, "client_addr")
        exchange.status, exchange.reason = answer.status_code, answer.reason_phrase
        exchange.http_version = answer.http_version
        exchange.response_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in answer.headers.raw]
        exchange.truncated = "time"  # until the body is read to its end
        async for chunk in answer.aiter_raw():
            room = settings.max_bytes - len(exchange.body)
            exchange.body += chunk[:room]
            if len(chunk) > room:
                exchange.truncated = "length"
                capture.limited(f"the response is larger than {settings.max_bytes} bytes")
                return exchange
        exchange.truncated = None
    except httpx.HTTPError:
        if exchange.truncated == "time":
            exchange.truncated = "disconnect"
        raise
    finally:
        await answer.aclose()
    return exchange


def _why_refused(exc: BaseException) -> str | None:
    while exc is not None:
        if isinstance(exc, BlockedAddressError):
            return f"address refused: {exc}"
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return None


async def _follow(client: httpx.AsyncClient, capture: Capture, settings: CaptureSettings) -> None:
    current = capture.url
    for _hop in range(settings.max_redirects + 1):
        exchange = await _exchange(client, capture, current, settings)
        location = exchange.header("location") if exchange.status in REDIRECTS else None
        if exchange.truncated or not location:
            return
        try:
            current = normalize_url(urljoin(current, location))
        except UnsafeTextError as exc:
            capture.problems.append(f"redirect to an unusable URL: {exc}")
            return
    capture.limited(f"more than {settings.max_redirects} redirects")


def decoded_body(exchange: Exchange, limit: int) -> tuple[bytes, str | None]:
    """The body with its Content-Encoding undone, at most `limit` bytes, and why it is incomplete (or None)."""
    encoding = (exchange.header("content-encoding") or "identity").strip().lower()
    raw = bytes(exchange.body)
    if encoding in ("identity", ""):
        return raw[:limit], None if len(raw) <= limit else f"the body is larger than {limit} bytes"
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return b"", f"Content-Encoding {scrub(encoding, max_length=40)!r} is not decoded"
    inflater = zlib.decompressobj(wbits=47 if encoding != "deflate" else 15)
    try:
        out = inflater.decompress(raw, limit + 1)  # at most limit + 1 bytes: a bomb stops here
    except zlib.error as exc:
        return b"", f"the {encoding} body cannot be decoded: {exc}"
    if len(out) > limit:
        return out[:limit], f"the body inflates to more than {limit} bytes (a compression bomb)"
    return out, None


#: problems of decoding that are limits (the page was larger than allowed), not faults
_LIMIT_PROBLEMS = ("the body is larger", "the body inflates")


def _text_of(capture: Capture, settings: CaptureSettings) -> None:
    final = capture.final
    if final is None:
        return
    body, problem = decoded_body(final, settings.max_decoded_bytes)
    if problem and problem.startswith(_LIMIT_PROBLEMS):
        capture.limited(problem)
    elif problem:
        capture.problems.append(problem)
    kind = (final.header("content-type") or "").lower()
    page = body.decode("utf-8", errors="replace")
    text = visible_text(page) if "html" in kind or not kind else page if kind.startswith("text/") else ""
    # NUL and other control characters (a bomb of zeros, a binary page) are no reader's text
    capture.text = _CONTROLS.sub("", text.replace("\ufffd", ""))


async def capture_url(
    url: str,
    settings: CaptureSettings,
    transport_factory: TransportFactory | None = None,
    *,
    screenshot: bool | None = None,
) -> Capture:
    """Capture `url` now: every exchange, the visible text and (if asked and possible) a full-page screenshot.

    `transport_factory` makes the HTTP transport (production: the resolver's SSRF-guarded one, so a
    private address is refused unless the allow-networks setting allows it).
    """
    capture = Capture(url=url, started_at=utcnow())
    try:
        capture.url = normalize_url(url)
    except UnsafeTextError as exc:
        capture.status, capture.problems = "failed", [f"not a URL that can be captured: {exc}"]
        capture.finished_at = utcnow()
        return capture
    client = httpx.AsyncClient(
        transport=transport_factory() if transport_factory else None,
        follow_redirects=False,
        timeout=httpx.Timeout(settings.read_timeout),
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate", "Accept": "*/*"},
    )
    try:
        async with client, asyncio.timeout(settings.total_seconds):
            await _follow(client, capture, settings)
    except TimeoutError:
        last = capture.exchanges[-1] if capture.exchanges else None
        if last is not None and last.status is not None:
            last.truncated = "time"
        capture.limited(f"the capture took longer than {settings.total_seconds:g} s")
    except httpx.HTTPError as exc:
        refused = _why_refused(exc)
        if refused:
            capture.limited(refused)
        elif capture.final is None:
            capture.status = "failed"
            capture.problems.append(f"no answer: {type(exc).__name__}: {scrub(str(exc), max_length=300)}")
        else:
            capture.limited(f"the connection failed: {type(exc).__name__}")
    if capture.final is None and capture.status == "complete":
        capture.status = "failed"
    _text_of(capture, settings)
    if settings.screenshots if screenshot is None else screenshot:
        from crawlers.capture.screenshot import take_screenshot

        capture.screenshot, capture.screenshot_problem = await take_screenshot(capture, settings)
    else:
        capture.screenshot_problem = "screenshots are switched off"
    capture.finished_at = utcnow()
    return capture
