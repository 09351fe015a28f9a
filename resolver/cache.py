"""The resolver's cache: by registrable domain, IP network, prefix and ASN, with a time to live.

Behind a small interface so that a shared (Redis) cache can replace the in-memory one when
several workers resolve at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, Protocol


class TTLCache(Protocol):
    """What the resolver needs of a cache."""

    def get(self, namespace: str, key: str) -> tuple[bool, Any]: ...

    def set(self, namespace: str, key: str, value: Any) -> None: ...

    def items(self, namespace: str) -> Iterator[tuple[str, Any]]: ...


class MemoryCache:
    """A process-local cache; entries expire `ttl` seconds after they are set."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._data: dict[str, dict[str, tuple[float, Any]]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, namespace: str, key: str) -> tuple[bool, Any]:
        entry = self._data.get(namespace, {}).get(key)
        if entry is None or entry[0] < time.monotonic():
            self.misses += 1
            return False, None
        self.hits += 1
        return True, entry[1]

    def set(self, namespace: str, key: str, value: Any) -> None:
        self._data.setdefault(namespace, {})[key] = (time.monotonic() + self.ttl, value)

    def items(self, namespace: str) -> Iterator[tuple[str, Any]]:
        now = time.monotonic()
        for key, (expires, value) in list(self._data.get(namespace, {}).items()):
            if expires >= now:
                yield key, value
