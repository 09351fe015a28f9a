"""A local RDAP server: answers from files, unchanged, plus a bootstrap that points at itself.

    server = RdapServer(domains={"google.com": Path(".../google.com.json")}, ...)
    with server.serve() as http: ...  # http.url is the base URL

Scripted misbehaviour for tests: answer 429 (with Retry-After) to the first N requests of a path,
answer slowly, drip the answer one byte at a time, send a huge answer (streamed, never held in
memory), redirect (RFC 7480 §5.2), or answer with a body of our choosing.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from lab.http_util import ThreadedServer

RDAP_JSON = "application/rdap+json"


@dataclass
class Script:
    """How to misbehave on one path."""

    status_first: int | None = None  # e.g. 429
    times: int = 0  # for how many requests
    retry_after: str = "0"
    delay: float = 0.0
    #: send the answer one byte every `drip` seconds
    drip: float = 0.0
    #: send a well-formed answer padded to this many bytes, in 64 KiB chunks
    huge_bytes: int = 0
    #: answer `redirect_status` with this Location (absolute or relative)
    redirect_to: str | None = None
    redirect_status: int = 307


async def _drip(body: bytes, every: float) -> AsyncIterator[bytes]:
    for i in range(len(body)):
        yield body[i : i + 1]
        await asyncio.sleep(every)


async def _huge(size: int) -> AsyncIterator[bytes]:
    """``{"objectClassName": "domain", "ldhName": "huge.com", "remarks": [{"description": ["xxx..."]}]}``"""
    head, tail = b'{"objectClassName": "domain", "ldhName": "huge.com", "remarks": [{"description": ["', b'"]}]}'
    yield head
    chunk = b"x" * 65536
    left = max(0, size - len(head) - len(tail))
    while left > 0:
        yield chunk[: min(left, len(chunk))]
        left -= len(chunk)
        await asyncio.sleep(0)
    yield tail


@dataclass
class RdapServer:
    """Serves domain, ip and entity answers; `ip_networks` maps CIDRs to answers for the bootstrap."""

    domains: dict[str, Any] = field(default_factory=dict)  # name -> Path or JSON-ready object
    ips: dict[str, Any] = field(default_factory=dict)  # address -> Path or object
    entities: dict[str, Any] = field(default_factory=dict)
    tlds: list[str] = field(default_factory=list)  # TLDs the bootstrap sends here
    ip_networks: list[str] = field(default_factory=list)  # CIDRs the bootstrap sends here
    scripts: dict[str, Script] = field(default_factory=dict)  # path -> behaviour
    hits: Counter[str] = field(default_factory=Counter)
    base_url: str = ""

    def _body(self, value: Any) -> Response:
        if isinstance(value, Path):
            return Response(value.read_bytes(), media_type=RDAP_JSON)
        if isinstance(value, bytes):
            return Response(value, media_type=RDAP_JSON)
        return JSONResponse(value, media_type=RDAP_JSON)

    async def _serve(self, request: Request) -> Response:
        path = request.url.path
        self.hits[path] += 1
        script = self.scripts.get(path)
        if script is not None:
            if script.delay:
                await asyncio.sleep(script.delay)
            if script.status_first and self.hits[path] <= script.times:
                return JSONResponse(
                    {"errorCode": script.status_first, "title": "scripted"},
                    status_code=script.status_first,
                    headers={"Retry-After": script.retry_after},
                )
            if script.redirect_to is not None:
                return Response(status_code=script.redirect_status, headers={"Location": script.redirect_to})
            if script.huge_bytes:
                return StreamingResponse(_huge(script.huge_bytes), media_type=RDAP_JSON)
        kind, _, key = path.strip("/").partition("/")
        table = {"domain": self.domains, "ip": self.ips, "entity": self.entities}.get(kind, {})
        value = table.get(key.lower()) if kind != "ip" else table.get(key)
        if value is None:
            return JSONResponse({"errorCode": 404, "title": "not found"}, status_code=404, media_type=RDAP_JSON)
        if script is not None and script.drip:
            return StreamingResponse(_drip(bytes(self._body(value).body), script.drip), media_type=RDAP_JSON)
        return self._body(value)

    def bootstrap(self, kind: str) -> dict[str, Any]:
        """An RFC 9224 bootstrap file pointing `kind` ("dns" or "ip") at this server."""
        keys = self.tlds if kind == "dns" else self.ip_networks
        return {"version": "1.0", "services": [[keys, [self.base_url + "/"]]] if keys else []}

    def app(self) -> Starlette:
        async def boot_dns(_: Request) -> Response:
            return JSONResponse(self.bootstrap("dns"))

        async def boot_ip(_: Request) -> Response:
            return JSONResponse(self.bootstrap("ip"))

        return Starlette(
            routes=[
                Route("/bootstrap/dns.json", boot_dns),
                Route("/bootstrap/ip.json", boot_ip),
                Route("/{kind:str}/{key:path}", self._serve),
            ]
        )

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ThreadedServer:
        server = ThreadedServer(self.app(), host, port)
        self.base_url = server.url
        return server

    def write_bootstrap(self, directory: Path) -> Path:
        """Write one bootstrap file naming this server for its TLDs and networks."""
        path = directory / "rdap-bootstrap.json"
        services = self.bootstrap("dns")["services"] + self.bootstrap("ip")["services"]
        path.write_text(json.dumps({"version": "1.0", "services": services}))
        return path
