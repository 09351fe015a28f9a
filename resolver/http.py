"""HTTP for the resolver: one client whose every connection passes the SSRF guard, and one rate
limiter per remote server shared by every task of the process.

The guard sits in the network backend, at connect time, on the address actually dialled: a name
that resolves to a public address when checked and to 127.0.0.1 when connected (DNS rebinding)
cannot slip through, because the checked address is the one we connect to. TLS still uses the host
name for SNI and certificate checks.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from aiolimiter import AsyncLimiter

from resolver.settings import RateLimit, ResolverSettings
from resolver.ssrf import AddressGuard, BlockedAddressError

NameResolver = Callable[[str], Awaitable[list[str]]]


async def system_resolve(host: str) -> list[str]:
    """Addresses of `host` from the operating system's resolver."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves names itself, refuses blocked addresses, and connects to the address it checked."""

    def __init__(self, guard: AddressGuard, resolve: NameResolver = system_resolve) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._guard = guard
        self._resolve = resolve

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            try:
                addresses = await self._resolve(host)
            except OSError as exc:  # the resolver's own errors (gaierror) become connect errors
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        allowed = [a for a in addresses if self._guard.is_allowed(a)]
        if not allowed:
            self._guard.check(addresses[0])  # raises with the reason
            raise BlockedAddressError(addresses[0], "not allowed")
        return await self._inner.connect_tcp(allowed[0], port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Any = None,
    ) -> Any:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the guarded network backend."""

    def __init__(self, guard: AddressGuard, resolve: NameResolver = system_resolve, verify: bool = True) -> None:
        super().__init__(verify=verify, retries=0)
        ssl_context = httpx.create_ssl_context(verify=verify)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(guard, resolve),
        )


def make_http_client(
    settings: ResolverSettings, resolve: NameResolver = system_resolve, verify: bool = True
) -> httpx.AsyncClient:
    """The resolver's HTTP client: timeouts, user agent, SSRF guard, no automatic redirects."""
    guard = AddressGuard.from_strings(settings.allow_networks)
    return httpx.AsyncClient(
        transport=GuardedTransport(guard, resolve, verify=verify),
        timeout=httpx.Timeout(settings.http_timeout),
        headers={"User-Agent": settings.user_agent, "Accept": "application/rdap+json, application/json"},
        follow_redirects=False,
    )


class Limiters:
    """One leaky-bucket limiter per remote server, shared by all tasks of this process."""

    def __init__(self, settings: ResolverSettings) -> None:
        self._settings = settings
        self._limiters: dict[str, AsyncLimiter] = {}
        self.waits = 0
        self.wait_seconds = 0.0

    def for_url(self, url: str) -> AsyncLimiter:
        host = (urlsplit(url).hostname or "").lower()
        limiter = self._limiters.get(host)
        if limiter is None:
            limit: RateLimit = self._settings.rate_limits.get(host, self._settings.default_rate_limit)
            limiter = AsyncLimiter(limit.requests, limit.per_seconds)
            self._limiters[host] = limiter
        return limiter

    async def acquire(self, url: str) -> None:
        limiter = self.for_url(url)
        if limiter.has_capacity():
            await limiter.acquire()
            return
        self.waits += 1
        start = time.monotonic()
        await limiter.acquire()
        self.wait_seconds += time.monotonic() - start
