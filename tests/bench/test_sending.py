"""The sending benchmark's parts: the re-check reaches one local TLS server whatever the URL's host,
and its pages pass the re-check as a live pirate page would."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from benchmarks.cases.sending import LoopbackTransport, title, write_pages
from cases.takedown.recheck import Recheck, check_urls
from lab.http_util import ThreadedServer
from lab.tls import write_self_signed


def _pages_app(root: Path, hosts: list[str]) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = dict(scope["headers"])
        hosts.append(headers[b"host"].decode())
        page = root / scope["path"].lstrip("/")
        found = page.is_file()
        body = page.read_bytes() if found else b"gone"
        await send({"type": "http.response.start", "status": 200 if found else 404, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app


def test_the_recheck_reaches_the_local_server_over_tls_and_the_pages_show_their_work(tmp_path: Path) -> None:
    size = write_pages(tmp_path / "pages")
    assert 90_000 < size < 120_000  # about 100 KiB, like a reader site's chapter page
    key, cert = write_self_signed(tmp_path / "tls", ["pirate.test", "*.test"])
    hosts: list[str] = []
    server = ThreadedServer(_pages_app(tmp_path / "pages", hosts), ssl_keyfile=str(key), ssl_certfile=str(cert)).start()
    try:
        policy = dataclasses.replace(Recheck(timeout=10), transport_factory=lambda: LoopbackTransport(server.port))
        urls = [
            "https://pirate-7.test/w7/c0.html",
            "https://pirate-8.test/w8/c1.html",
            "https://pirate-9.test/none.html",
        ]
        findings = asyncio.run(check_urls(policy, urls, [[title(7)], [title(3)], [title(9)]]))
    finally:
        server.stop()
    assert findings[0] is None  # live, and shows its work's title
    assert findings[1] is not None and findings[1].gone  # a page of another work: not this work's
    assert findings[2] is not None and "404" in findings[2].reason
    assert sorted(hosts) == ["pirate-7.test", "pirate-8.test", "pirate-9.test"]  # the host kept in the Host header
