"""ASGI middleware of the app: request ids, the request body limit, and refusing unsafe characters in URLs."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestIdMiddleware:
    """Give every request an id (the caller's ``X-Request-ID`` if sane), echo it, and keep it for audit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimitMiddleware:
    """Answer 413 to bodies over `max_bytes`, whether announced by Content-Length or streamed.

    Checking while streaming matters: a chunked upload has no Content-Length, and reading it whole
    before checking is exactly the memory exhaustion the limit is for.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send) -> None:
        await _answer(send, 413, {"detail": f"request body larger than the limit of {self.max_bytes} bytes"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._reject(send)
            return
        # Read the body first, up to the limit, then replay it to the app: the app never sees a
        # body over the limit, and memory stays bounded by the limit.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            received += len(body)
            if received > self.max_bytes:
                await self._reject(send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        problem = _unsafe_body(dict(scope["headers"]).get(b"content-type", b""), b"".join(chunks))
        if problem is not None:
            await _answer(send, 422, {"detail": [{"loc": ["body"], "msg": problem, "type": "unsafe_text"}]})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


#: what no path or query parameter may hold once decoded: C0 controls (NUL first), DEL, C1 controls.
#: PostgreSQL refuses NUL in text, and no filter, id or cursor of ours ever contains a control character.
_UNSAFE_IN_URL = re.compile(rb"[\x00-\x1f\x7f]|\xc2[\x80-\x9f]")


class UnsafeUrlMiddleware:
    """Answer 422, naming the parameter, to a request whose path or query holds a control character.

    One check at the edge for every route (API, UI, metrics): a NUL in ``?q=`` or ``?association=``
    never reaches the store, where PostgreSQL would refuse it with a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = _unsafe_part(scope)
            if problem is not None:
                body = json.dumps(
                    {
                        "detail": [
                            {"loc": problem, "msg": "contains a control character (e.g. NUL)", "type": "unsafe_text"}
                        ]
                    }
                ).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 422,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _unsafe_part(scope: Scope) -> list[str] | None:
    path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
    if _UNSAFE_IN_URL.search(unquote_to_bytes(path)):
        return ["path"]
    query: bytes = scope.get("query_string", b"")
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        if _UNSAFE_IN_URL.search(unquote_to_bytes(value.replace(b"+", b" "))) or _UNSAFE_IN_URL.search(
            unquote_to_bytes(name)
        ):
            return ["query", unquote_to_bytes(name).decode("utf-8", "replace")[:50]]
    return None


#: a JSON escape of a control character no text of ours may hold (tab, LF and CR are text), after an
#: even number of backslashes (``\\u0000`` is a backslash and the letters u0000, not NUL)
_JSON_CONTROL = re.compile(rb"(?<!\\)(?:\\\\)*\\u00(0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])")
_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: UTF-16 surrogates written as JSON escapes: a high one followed by a low one is a character (an
#: emoji), either alone is a string that cannot be stored or written as UTF-8
_SURROGATE_PAIR = re.compile(rb"\\u[dD][89aAbB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _unsafe_body(content_type: bytes, body: bytes) -> str | None:
    """Why a JSON or form body must be refused before any route reads it (None: it may go on)."""
    kind = content_type.split(b";")[0].strip().lower()
    if kind == b"application/json" or kind.endswith(b"+json"):
        found = _RAW_CONTROL.search(body) or _JSON_CONTROL.search(body)
        if found is None and _SURROGATE.search(body):
            found = _SURROGATE.search(_SURROGATE_PAIR.sub(b"__", body))
    elif kind == b"application/x-www-form-urlencoded":
        found = _RAW_CONTROL.search(unquote_to_bytes(body.replace(b"+", b" ")))
    else:
        return None
    if found is None:
        return None
    return f"the body holds a character no text may hold (a control character such as NUL, or a lone surrogate) at byte {found.start() + 1}"


async def _answer(send: Send, status: int, payload: object) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
