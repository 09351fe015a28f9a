"""The SSRF guard in Scrapy: a downloader middleware and the DNS resolver.

The middleware refuses a request (and every redirect, which comes back through it) whose host is
or resolves to an address the guard blocks, before anything is sent; the resolver applies the same
guard to the address Scrapy actually connects to, so a name that answers differently the second
time (DNS rebinding) is refused too. Host overrides map lab names to loopback, like curl's
``--resolve``; they are still checked against the guard's allow-list.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

from resolver.errors import BlockedAddressError
from resolver.ssrf import AddressGuard


class BlockedRequest(IgnoreRequest):
    """Raised by :class:`AddressGuardMiddleware` for a request to an address the guard refuses."""


def _guard(settings: Any) -> AddressGuard:
    return AddressGuard.from_strings(settings.getlist("PIRATEWATCH_ALLOW_NETWORKS"))


class AddressGuardMiddleware:
    """Refuse requests to loopback, private, link-local, … addresses unless allow-listed."""

    def __init__(self, guard: AddressGuard, overrides: dict[str, str]) -> None:
        self._guard = guard
        self._overrides = overrides
        self._checked: dict[str, str | None] = {}  # host → refusal reason (None: allowed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressGuardMiddleware:
        return cls(_guard(crawler.settings), dict(crawler.settings.getdict("PIRATEWATCH_HOST_OVERRIDES")))

    async def _reason(self, host: str) -> str | None:
        if host in self._checked:
            return self._checked[host]
        try:
            addresses = [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            if host in self._overrides:
                addresses = [self._overrides[host]]
            else:
                try:
                    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
                except OSError as exc:
                    return f"cannot resolve {host}: {exc}"
                addresses = [str(i[4][0]) for i in infos]
        reason = None
        for address in addresses:
            try:
                self._guard.check(address)
            except BlockedAddressError as exc:
                reason = str(exc)
                break
        self._checked[host] = reason
        return reason

    async def process_request(self, request: Any) -> None:
        """Let the request through, or raise :class:`BlockedRequest` (its errback records why)."""
        host = urlsplit(request.url).hostname or ""
        reason = await self._reason(host)
        if reason is not None:
            raise BlockedRequest(f"ssrf-guard: {reason}")


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, with host overrides and the guard on the resolved address."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.overrides: dict[str, str] = {}
        self.guard = AddressGuard()

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.overrides = dict(crawler.settings.getdict("PIRATEWATCH_HOST_OVERRIDES"))
        resolver.guard = _guard(crawler.settings)
        return resolver

    def _checked(self, address: str) -> str:
        self.guard.check(address)
        return address

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # noqa: N802 - Twisted's interface
        if name in self.overrides:
            return defer.maybeDeferred(self._checked, self.overrides[name])
        return super().getHostByName(name, timeout).addCallback(self._checked)
