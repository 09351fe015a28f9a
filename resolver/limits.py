"""Rate limits per remote server: kept in this process, or shared by every process through Redis.

The resolver takes a permit from the server's limiter before each request (:class:`Limiters`).
Which limiter a server gets is the business of a :data:`LimiterFactory`:

- :func:`local_limiter` (the default): aiolimiter's leaky bucket, shared by the tasks of one
  process. Enough for one process; N worker processes would each allow the full rate, N times
  what the server accepts.
- :class:`RedisLimiters` (``ResolverSettings.shared_limits_url``): one sliding-window log per server
  in Redis, checked and filled by one atomic Lua script (pyrate-limiter's ``RedisBucket``), so every
  process on every machine draws from the same window and the limit holds for all of them together.
  Windows are measured with each machine's clock: keep the machines on NTP.

A caller can pass any factory (``Resolver(settings, limiter_factory=...)``); the resolver needs
only :class:`ServerLimiter`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

from aiolimiter import AsyncLimiter

from resolver.config import RateLimit


class ServerLimiter(Protocol):
    """Permits for requests to one server."""

    async def acquire(self) -> bool:
        """Wait for a permit; True when it had to wait (the limit was reached)."""
        ...


#: host name, its limit → the limiter every request to that host goes through
LimiterFactory = Callable[[str, RateLimit], ServerLimiter]


class _Local:
    def __init__(self, limit: RateLimit) -> None:
        self._limiter = AsyncLimiter(limit.requests, limit.per_seconds)

    async def acquire(self) -> bool:
        waited = not self._limiter.has_capacity()
        await self._limiter.acquire()
        return waited


def local_limiter(host: str, limit: RateLimit) -> ServerLimiter:
    """A leaky bucket in this process (aiolimiter)."""
    return _Local(limit)


def window_of(limit: RateLimit) -> tuple[int, int]:
    """The limit as (requests, window in milliseconds) with a whole number of requests.

    A fractional rate (0.5 a second) becomes one request per longer window (one per 2 s).
    """
    if limit.requests >= 1:
        return math.floor(limit.requests), max(1, round(limit.per_seconds * 1000))
    return 1, max(1, round(limit.per_seconds / limit.requests * 1000))


class _Shared:
    """One server's window in Redis; the bucket is set up on first use (it loads a Lua script)."""

    def __init__(self, redis: Any, key: str, limit: RateLimit) -> None:
        self._redis, self._key, self._limit = redis, key, limit
        self._limiter: Any = None

    async def acquire(self) -> bool:
        from pyrate_limiter import Limiter, Rate, RedisBucket

        if self._limiter is None:
            requests, window_ms = window_of(self._limit)
            bucket = await RedisBucket.init([Rate(requests, window_ms)], self._redis, self._key)
            self._limiter = Limiter(bucket)
        if await self._limiter.try_acquire_async(self._key, blocking=False):
            return False
        await self._limiter.try_acquire_async(self._key)
        return True


class RedisLimiters:
    """A :data:`LimiterFactory` whose limiters live in Redis, shared by every process using `url`.

    Keys are ``<prefix>:<host>``; two deployments sharing one Redis need different prefixes.
    """

    def __init__(self, url: str, prefix: str = "piratewatch:ratelimit") -> None:
        from redis.asyncio import Redis

        # No connection is made here: redis-py connects on the first command.
        self.redis = Redis.from_url(url)
        self.prefix = prefix

    def __call__(self, host: str, limit: RateLimit) -> ServerLimiter:
        return _Shared(self.redis, f"{self.prefix}:{host}", limit)

    async def aclose(self) -> None:
        """Close the Redis connections."""
        await self.redis.aclose()
