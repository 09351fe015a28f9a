"""A rate limit towards one server holds across processes when the limiter is shared through Redis."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab.http_util import ThreadedServer
from resolver import RateLimit, Resolver, ResolverSettings
from resolver.limits import RedisLimiters, window_of

from .conftest import REDIS_URL

CLIENT = Path(__file__).with_name("limited_client.py")
RATE = 10  # requests a second the server accepts
PER_CLIENT = 15


class CountingServer:
    """Records when each request arrives (this process's monotonic clock)."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["path"] != "/warm-up":
            with self._lock:
                self.arrivals.append(time.monotonic())
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    def busiest(self, window: float) -> int:
        """The most requests that arrived within any `window` seconds."""
        times = sorted(self.arrivals)
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] > window:
                start += 1
            best = max(best, end - start + 1)
        return best


@pytest.fixture
def server() -> Iterator[tuple[CountingServer, str]]:
    app = CountingServer()
    with ThreadedServer(app) as running:
        yield app, running.url + "/entity"


def run_two_clients(url: str, shared: bool, prefix: str) -> None:
    start_at = time.time() + 2.0  # both are up and connected by then
    extra = [REDIS_URL, prefix] if shared else []
    clients = [
        subprocess.Popen([sys.executable, str(CLIENT), url, str(PER_CLIENT), str(RATE), str(start_at), *extra])
        for _ in range(2)
    ]
    for client in clients:
        assert client.wait(timeout=60) == 0


# The limiter grants permits by its clock; requests reach the server a little later, by a delay that
# varies on a loaded machine (0.3 s seen on 2 busy cores). Counting over 0.5 s, not 1 s, leaves 0.5 s
# for that variation; without the shared limiter 20 requests arrive within far less.
WINDOW = 0.5


@pytest.mark.slow
def test_two_processes_together_stay_within_one_servers_limit(server: Any, redis_prefix: str) -> None:
    app, url = server
    run_two_clients(url, shared=True, prefix=redis_prefix)
    assert len(app.arrivals) == 2 * PER_CLIENT
    assert app.busiest(WINDOW) <= RATE
    # 30 requests at 10 a second take at least two full windows after the first burst
    assert max(app.arrivals) - min(app.arrivals) >= (2 * PER_CLIENT - RATE) / RATE - WINDOW


@pytest.mark.slow
def test_per_process_limits_let_two_processes_exceed_it(server: Any, redis_prefix: str) -> None:
    """The control: the same clients without the shared limiter overrun the server."""
    app, url = server
    run_two_clients(url, shared=False, prefix=redis_prefix)
    assert len(app.arrivals) == 2 * PER_CLIENT
    assert app.busiest(WINDOW) > RATE


async def test_resolver_takes_shared_limits_from_its_settings(redis_prefix: str) -> None:
    settings = ResolverSettings(shared_limits_url=REDIS_URL, shared_limits_prefix=redis_prefix)
    async with Resolver(settings) as resolver:
        shared = RedisLimiters(REDIS_URL)
        assert type(resolver.limiters.for_url("https://rdap.example/x")) is type(shared("h", RateLimit()))
        await shared.aclose()
        await resolver.limiters.acquire("https://rdap.example/x")
        assert resolver.limiters.waits == 0  # the first permit comes at once


@pytest.mark.parametrize(
    ("limit", "window"),
    [
        (RateLimit(requests=5, per_seconds=1), (5, 1000)),
        (RateLimit(requests=10, per_seconds=60), (10, 60000)),
        (RateLimit(requests=0.5, per_seconds=1), (1, 2000)),
    ],
)
def test_fractional_rates_become_whole_requests_per_longer_windows(limit: RateLimit, window: tuple[int, int]) -> None:
    assert window_of(limit) == window
