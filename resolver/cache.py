"""The resolver's cache: by registrable domain, IP network, prefix and ASN, with a time to live.

Behind a small interface so that a shared (Redis) cache can replace the in-memory one when
several workers resolve at once.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
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


class SingleFlight:
    """Shares lookups already under way, so a cold cache costs one request per key, not one per task.

    When many sites on one network are resolved at once, they would all miss the cache before the
    first answer lands in it. With ``claim``, the first task for a key does the lookup and the
    others wait for it, then read the cache::

        while (hit := cached()) is None:
            async with flights.claim(key) as mine:
                if mine:
                    return await lookup()
        return hit
    """

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Event] = {}

    @asynccontextmanager
    async def claim(self, key: str) -> AsyncIterator[bool]:
        """Yields True to the task that must do the lookup, False (after it finished) to the others."""
        pending = self._pending.get(key)
        if pending is not None:
            await pending.wait()
            yield False
            return
        done = self._pending[key] = asyncio.Event()
        try:
            yield True
        finally:
            del self._pending[key]
            done.set()


def address_group(ip: str) -> str:
    """The /24 (IPv6: /48) holding `ip`: the unit lookups of one network are shared by.

    Announcements more specific than /24 or /48 are not routed on the internet, so one answer nearly
    always covers the group; when it does not, a waiting address simply asks for itself.
    """
    address = ipaddress.ip_address(ip)
    return str(ipaddress.ip_network(f"{ip}/{24 if address.version == 4 else 48}", strict=False))


#: announced prefixes at least this specific (IPv4, IPv6) are used to share network lookups: a wider
#: announcement holds too many unrelated networks for its addresses to wait on one answer
_WIDEST_SHARED = {4: 8, 6: 16}


def announced_group(ip: str, announced: str | None) -> str | None:
    """The announced prefix holding `ip` (from the BGP origin lookup) if it is wider than
    :func:`address_group`'s unit and usable as a wider unit of sharing, else None.

    The value comes from outside (a DNS TXT answer): anything that is not a network holding `ip`,
    of the same family and no wider than :data:`_WIDEST_SHARED`, is ignored.
    """
    if not announced:
        return None
    try:
        address = ipaddress.ip_address(ip)
        network = ipaddress.ip_network(announced, strict=False)
    except ValueError:
        return None
    unit = 24 if address.version == 4 else 48
    if network.version != address.version or address not in network:
        return None
    if not _WIDEST_SHARED[address.version] <= network.prefixlen < unit:
        return None
    return str(network)
