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
        return busiest(self.arrivals, window)


@pytest.fixture
def server() -> Iterator[tuple[CountingServer, str]]:
    app = CountingServer()
    with ThreadedServer(app) as running:
        yield app, running.url + "/entity"


def busiest(times: list[float], window: float) -> int:
    """The most of `times` that fall within any `window` seconds."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


def run_two_clients(url: str, shared: bool, prefix: str) -> list[float]:
    """Both clients' permit times (wall clock, which the two processes share)."""
    start_at = time.time() + 2.0  # both are up and connected by then
    extra = [REDIS_URL, prefix] if shared else []
    clients = [
        subprocess.Popen(
            [sys.executable, str(CLIENT), url, str(PER_CLIENT), str(RATE), str(start_at), *extra],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    permits: list[float] = []
    for client in clients:
        out, _ = client.communicate(timeout=60)
        assert client.returncode == 0
        permits += [float(line) for line in out.split()]
    return permits


# What is tested is the limiter's decisions: the permit times the clients print. A sliding window of
# 10 a second never grants an 11th within 1 s; each time is read just after its permit, late by however
# long the event loop takes to resume (tens of ms on 2 busy cores), so the count is over 0.8 s, which leaves
# 0.2 s for that. Arrivals at the server are later still by a varying HTTP round trip (0.3 s seen under
# load), so they only confirm that every request went through; without the shared limiter all 20 first
# permits come at once.
WINDOW = 0.8


@pytest.mark.slow
def test_two_processes_together_stay_within_one_servers_limit(server: Any, redis_prefix: str) -> None:
    app, url = server
    permits = run_two_clients(url, shared=True, prefix=redis_prefix)
    assert len(permits) == len(app.arrivals) == 2 * PER_CLIENT
    assert busiest(permits, WINDOW) <= RATE
    # 30 permits at 10 a second take two full windows after the first burst (less the reading delay)
    assert max(permits) - min(permits) >= (2 * PER_CLIENT - RATE) / RATE - (1 - WINDOW)


@pytest.mark.slow
def test_per_process_limits_let_two_processes_exceed_it(server: Any, redis_prefix: str) -> None:
    """The control: the same clients without the shared limiter overrun the server."""
    app, url = server
    permits = run_two_clients(url, shared=False, prefix=redis_prefix)
    assert len(permits) == len(app.arrivals) == 2 * PER_CLIENT
    assert busiest(permits, WINDOW) > RATE
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
