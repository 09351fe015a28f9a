"""Wrong-key attempts, limited per client and per key prefix (API and UI sign-in alike).

An API key is long and random, so guessing one is hopeless; what a limit stops is the cheap part of
an attack: trying leaked or half-remembered keys, and filling the logs and the store's CPU. Failures
are counted in fixed windows of a minute, per client address and per key prefix (the part of a key
printed in logs and the UI); once either count is over the limit, the next attempts answer 429 with
``Retry-After`` until the window ends, without even looking the key up.

With ``PIRATEWATCH_REDIS_URL`` set, the counts live in Redis (``INCR`` and ``EXPIRE``, atomic in
one pipeline), so every worker of the app shares them; otherwise they are kept in this process.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger("piratewatch.web")

WINDOW_SECONDS = 60
#: keys of a key's prefix: "pw_" and the first characters of the random part
PREFIX_LENGTH = 11


class FailureCounts(Protocol):
    """Counts of failures in the current window, by key."""

    def count(self, key: str) -> int: ...

    def add(self, key: str) -> None: ...


@dataclass
class MemoryCounts:
    """Counts kept in this process (one app process, or tests)."""

    max_keys: int = 100_000
    _windows: dict[str, tuple[int, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, key: str) -> int:
        window = int(time.time()) // WINDOW_SECONDS
        with self._lock:
            started, count = self._windows.get(key, (window, 0))
        return count if started == window else 0

    def add(self, key: str) -> None:
        window = int(time.time()) // WINDOW_SECONDS
        with self._lock:
            if len(self._windows) >= self.max_keys:  # bounded: a flood of addresses forgets the old ones
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            started, count = self._windows.get(key, (window, 0))
            self._windows[key] = (window, count + 1 if started == window else 1)


class RedisCounts:
    """Counts in Redis, shared by every process of the app."""

    def __init__(self, url: str, prefix: str = "piratewatch:auth-failures") -> None:
        import redis

        self._redis: Any = redis.Redis.from_url(url, socket_timeout=2)
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}:{int(time.time()) // WINDOW_SECONDS}:{key}"

    def count(self, key: str) -> int:
        import redis

        try:
            value = self._redis.get(self._key(key))
        except redis.RedisError as exc:
            # Redis away: sign-in keeps working (unthrottled) rather than every request failing.
            log.warning("wrong-key counts unavailable (%s); not throttling", exc)
            return 0
        return int(value or 0)

    def add(self, key: str) -> None:
        import redis

        name = self._key(key)
        try:
            with self._redis.pipeline() as pipe:
                pipe.incr(name)
                pipe.expire(name, WINDOW_SECONDS * 2)
                pipe.execute()
        except redis.RedisError as exc:
            log.warning("wrong-key attempt not counted (%s)", exc)


@dataclass
class AuthThrottle:
    """Whether a client may try a key now, and the record of its failures."""

    counts: FailureCounts
    per_minute: int

    @staticmethod
    def _keys(client: str, key: str | None) -> list[str]:
        keys = [f"client:{client}"]
        if key:
            keys.append(f"prefix:{key.strip()[:PREFIX_LENGTH]}")
        return keys

    def retry_after(self, client: str, key: str | None) -> int | None:
        """Seconds until `client` (or this key's prefix) may try again, or None: it may try now."""
        if any(self.counts.count(k) >= self.per_minute for k in self._keys(client, key)):
            return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
        return None

    def failed(self, client: str, key: str | None) -> None:
        """Count a wrong or missing key."""
        for k in self._keys(client, key):
            self.counts.add(k)


def throttle_for(redis_url: str, per_minute: int, prefix: str = "piratewatch:auth-failures") -> AuthThrottle:
    """The throttle the settings describe: shared through Redis when a URL is set."""
    return AuthThrottle(RedisCounts(redis_url, prefix) if redis_url else MemoryCounts(), per_minute)
