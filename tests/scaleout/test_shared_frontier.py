"""A big site split over two crawl processes sharing one frontier in Redis: every page once."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from crawlers.config import CrawlerSettings
from crawlers.crawl import crawl_site
from lab.http_util import ThreadedServer

from .conftest import REDIS_URL

PAGES = 80


class BigSite:
    """Pages 0..PAGES-1; each links to the next three and back to the first (many duplicate links)."""

    def __init__(self) -> None:
        self.gets: Counter[str] = Counter()
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope["path"]
        with self._lock:
            self.gets[path] += 1
        # A slow site (0.1 s a page, one at a time per process: 8 s for one process alone) so that
        # the second process, which waits for work at Scrapy's 5 s engine heartbeat, gets a share.
        await asyncio.sleep(0.1)
        number = (
            0 if path == "/" else int(path.strip("/").removeprefix("page-") or 0) if path.startswith("/page-") else -1
        )
        if number < 0:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        links = "".join(f'<a href="/page-{n}/">page {n}</a>' for n in range(number + 1, min(number + 4, PAGES)))
        body = f"<html><head><title>Page {number}</title></head><body><a href='/'>home</a>{links}</body></html>"
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": body.encode()})


@pytest.fixture
def big_site() -> Iterator[tuple[BigSite, int]]:
    app = BigSite()
    with ThreadedServer(app) as server:
        yield app, server.port


@pytest.mark.slow
def test_two_processes_share_one_frontier_and_fetch_every_page_once(big_site: Any) -> None:
    app, port = big_site
    config = CrawlerSettings(
        allow_networks=["127.0.0.0/8"],
        host_overrides={"big.test": "127.0.0.1"},
        start_url_template=f"http://{{host}}:{port}/",
        delay_seconds=0,
        concurrency_per_site=1,
        max_pages=1000,
        max_depth=PAGES,
        timeout_seconds=5,
        frontier_redis_url=REDIS_URL,
        frontier_processes=2,
        frontier_idle_seconds=6,  # longer than the engine's 5 s heartbeat, when an idle child looks again
        crawl_deadline_seconds=90,
    )
    outcome = crawl_site(config.start_url_template.format(host="big.test"), config, config.host_overrides)
    assert outcome.error is None, outcome.error
    pages = {p for p in app.gets if p == "/" or p.startswith("/page-")}
    assert pages == {"/", *(f"/page-{n}/" for n in range(1, PAGES))}
    assert max(app.gets[p] for p in pages) == 1, {p: n for p, n in app.gets.items() if n > 1}
    profile = outcome.profile
    assert profile["frontier"]["processes"] == 2
    assert all(n > 0 for n in profile["frontier"]["pages"]), profile["frontier"]  # both took a share
    assert profile["pages"] == PAGES and profile["title"] == "Page 0"
    # the crawl's keys are gone from Redis
    client = redis.Redis.from_url(REDIS_URL)
    assert not list(client.scan_iter("piratewatch:frontier:*"))
    client.close()
