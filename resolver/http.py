"""HTTP for the resolver: one client whose every connection passes the SSRF guard, and one rate
limiter per remote server shared by every task of the process (or by every process: ``resolver.limits``).

The guard sits in the network backend, at connect time, on the address actually dialled: a name
that resolves to a public address when checked and to 127.0.0.1 when connected (DNS rebinding)
cannot slip through, because the checked address is the one we connect to. TLS still uses the host
name for SNI and certificate checks.
"""

from __future__ import annotations

import asyncio
import ipaddress
import select
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from resolver.config import RateLimit, ResolverSettings
from resolver.errors import BlockedAddressError
from resolver.limits import LimiterFactory, ServerLimiter, local_limiter
from resolver.ssrf import AddressGuard

NameResolver = Callable[[str], Awaitable[list[str]]]


async def system_resolve(host: str) -> list[str]:
    """Addresses of `host` from the operating system's resolver."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _Stream(httpcore.AsyncNetworkStream):
    """httpcore's anyio stream, with its socket looked up once.

    The connection pool asks every idle connection whether its socket is readable (closed by the
    server) each time it hands out a connection; through anyio each question rebuilt the stream's
    attribute table and called ``getpeername``. With 50 resolutions at once that was 28,000
    questions for 2,200 RDAP requests and a tenth of the resolver's CPU.
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream, sock: socket.socket | None = None) -> None:
        self._inner = inner
        self._socket: socket.socket | None = sock if sock is not None else inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout), self._socket)

    def get_extra_info(self, info: str) -> Any:
        if info == "socket":
            return self._socket
        if info == "is_readable":
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


def _readable(sock: socket.socket | None) -> bool:
    """Whether a read would return at once (for an idle connection: the server closed it).
    A socket that is gone counts as readable, as in httpcore."""
    fd = sock.fileno() if sock is not None else -1
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves names itself, refuses blocked addresses, and connects to the address it checked."""

    def __init__(
        self, guard: AddressGuard, resolve: NameResolver = system_resolve, ports: Mapping[int, int] | None = None
    ) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._guard = guard
        self._resolve = resolve
        # where a site's standard ports are really served (the lab serves every site on one port)
        self._ports = dict(ports or {})

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
        port = self._ports.get(port, port)
        return _Stream(await self._inner.connect_tcp(allowed[0], port, timeout, local_address, socket_options))

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

    def __init__(
        self,
        guard: AddressGuard,
        resolve: NameResolver = system_resolve,
        verify: bool = True,
        ports: Mapping[int, int] | None = None,
    ) -> None:
        super().__init__(verify=verify, retries=0)
        ssl_context = httpx.create_ssl_context(verify=verify)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(guard, resolve, ports),
        )


class PlainErrorsTransport(GuardedTransport):
    """The guarded transport for httpx users outside the resolver: a refused address is an
    ``httpx.ConnectError`` like any other connection failure, not an exception they cannot name."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except BlockedAddressError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc


def guarded_transport(settings: ResolverSettings, *, verify: bool = True) -> GuardedTransport:
    """A transport for fetching pages of the sites we watch, for code outside the resolver.

    Names are resolved by the configured nameservers when there are any (else the system's), the
    standard ports are those the probe uses (``probe_https_port``, ``probe_http_port``), and every connection passes the SSRF guard: pages named by submitted evidence cannot make us reach
    into our own network. A refused address raises ``httpx.ConnectError``.
    """
    from resolver.dns import DnsClient  # the DNS client is only needed when nameservers are configured

    resolve = DnsClient(settings).addresses if settings.nameservers else system_resolve
    ports = {443: settings.probe_https_port, 80: settings.probe_http_port}
    return PlainErrorsTransport(AddressGuard.from_strings(settings.allow_networks), resolve, verify=verify, ports=ports)


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
    """One limiter per remote server, made by `factory` (this process's by default; see ``resolver.limits``)."""

    def __init__(self, settings: ResolverSettings, factory: LimiterFactory = local_limiter) -> None:
        self._settings = settings
        self._factory = factory
        self._limiters: dict[str, ServerLimiter] = {}
        self.waits = 0
        self.wait_seconds = 0.0

    def for_url(self, url: str) -> ServerLimiter:
        host = (urlsplit(url).hostname or "").lower()
        limiter = self._limiters.get(host)
        if limiter is None:
            limit: RateLimit = self._settings.rate_limits.get(host, self._settings.default_rate_limit)
            limiter = self._factory(host, limit)
            self._limiters[host] = limiter
        return limiter

    async def acquire(self, url: str) -> None:
        start = time.monotonic()
        if await self.for_url(url).acquire():  # True: the permit had to be waited for
            self.waits += 1
            self.wait_seconds += time.monotonic() - start
