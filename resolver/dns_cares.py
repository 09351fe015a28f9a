"""DNS questions through c-ares (the pycares binding): the resolver's fast path.

c-ares does in C what dnspython does in Python on every question: building the query, the socket
work, matching ids, retries, falling back to TCP on a truncated answer, and parsing the answer.
The resolver benchmark measured the Python side of those as most of the DNS stage's CPU time.
The answers are turned into the same ``DnsRecord`` values the dnspython path gives (names without
their final dot and lower-cased for CNAME, NS and MX; the master-file text for SOA and PTR), and
every error becomes a :class:`DnsQuestionError` of the same kind the dnspython path records.

The whole question is bounded by ``dns_lifetime`` here, whatever c-ares's own retry schedule
(it adapts its per-attempt timeout to the server's measured latency), so a slow server costs
exactly what it costs with dnspython.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections import deque
from typing import Any

import pycares

from resolver.config import ResolverSettings

#: question types the fast path answers; any other goes through dnspython
SUPPORTED = frozenset({"A", "AAAA", "CNAME", "NS", "MX", "TXT", "SOA", "PTR"})

_NXDOMAIN = {pycares.errno.ARES_ENOTFOUND}
_NO_DATA = {pycares.errno.ARES_ENODATA}
_TIMEOUT = {pycares.errno.ARES_ETIMEOUT}
#: a name that cannot be asked at all (dnspython refuses it while building the query)
_MALFORMED = {pycares.errno.ARES_EBADNAME, pycares.errno.ARES_EBADQUERY, pycares.errno.ARES_EBADSTR}
_TYPE_CODES = {t: getattr(pycares, f"QUERY_TYPE_{t}") for t in SUPPORTED}


class DnsQuestionError(Exception):
    """A question that got no usable answer: `kind` is the failure kind recorded (nxdomain, ...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def server_address(host: str, port: int) -> str:
    """The ``host:port`` form c-ares takes for one nameserver (IPv6 in brackets)."""
    return f"[{host}]:{port}" if ipaddress.ip_address(host).version == 6 else f"{host}:{port}"


class _CaresError(Exception):
    """c-ares's status for one question (``pycares.errno``), with its text."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(code, text)
        self.code, self.text = code, text


class _LoopChannel:
    """A pycares channel driven by the asyncio loop itself: c-ares says which sockets to watch
    (``sock_state_cb``) and the loop calls it back when they are ready, so answers are handled
    in the loop's thread. aiodns's default instead runs c-ares's own event thread and hands
    every answer over with ``call_soon_threadsafe`` under a lock both threads take; driving the
    channel from the loop took about a tenth less CPU per site in the resolver benchmark."""

    def __init__(self, loop: asyncio.AbstractEventLoop, servers: list[str] | None, **options: Any) -> None:
        self.loop = loop
        self.pending = 0
        self._timer: asyncio.TimerHandle | None = None
        self.channel = pycares.Channel(sock_state_cb=self._sock_state, servers=servers, **options)

    def _sock_state(self, fd: int, readable: bool, writable: bool) -> None:
        if readable:
            self.loop.add_reader(fd, self._process, fd, pycares.ARES_SOCKET_BAD)
        else:
            self.loop.remove_reader(fd)
        if writable:
            self.loop.add_writer(fd, self._process, pycares.ARES_SOCKET_BAD, fd)
        else:
            self.loop.remove_writer(fd)

    def _process(self, read_fd: int, write_fd: int) -> None:
        self.channel.process_fd(read_fd, write_fd)

    def _arm(self) -> None:
        """Wake c-ares when its next retry is due (it keeps no clock of its own in this mode)."""
        if self._timer is None and self.pending:
            due = self.channel.timeout()  # type: ignore[no-untyped-call]
            self._timer = self.loop.call_later(max(0.01, due or 0.1), self._tick)

    def _tick(self) -> None:
        self._timer = None
        self.channel.process_fd(pycares.ARES_SOCKET_BAD, pycares.ARES_SOCKET_BAD)
        self._arm()

    def query(self, name: str, qtype: int) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = self.loop.create_future()

        def done(result: Any, code: int | None) -> None:
            self.pending -= 1
            if future.done():  # expired or cancelled meanwhile
                return
            if code is not None:
                future.set_exception(_CaresError(code, str(pycares.errno.strerror(code))))
            else:
                future.set_result(result)

        self.pending += 1
        try:
            self.channel.query(name, qtype, callback=done)
        except pycares.AresError as exc:  # refused before it was sent (a malformed name)
            if future.done():
                future.exception()  # c-ares reported it through the callback as well: consumed here
            else:
                self.pending -= 1
            code = exc.args[0] if exc.args else pycares.errno.ARES_EBADNAME
            raise _CaresError(code, str(exc.args[1] if len(exc.args) > 1 else exc)) from None
        self._arm()
        return future

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.channel.cancel()  # every question still asked ends (ARES_ECANCELLED)


class CaresExchange:
    """One c-ares channel per event loop, asked for records of one type at a time."""

    def __init__(self, settings: ResolverSettings) -> None:
        self.settings = settings
        self._resolver: _LoopChannel | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Questions still waiting, oldest first, with their deadlines. Every question has the same
        # lifetime, so deadlines come in order and one timer at a time (for the oldest) bounds
        # them all: a timer per question (or asyncio.wait_for, a task per question) was a sixth
        # of the DNS stage's CPU time in the resolver benchmark's profile.
        self._waiting: deque[tuple[float, asyncio.Future[Any]]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    def _channel(self) -> _LoopChannel:
        loop = asyncio.get_running_loop()
        if self._resolver is None or self._loop is not loop:
            # A client may outlive an event loop (the benchmark runs several): the channel
            # delivers its answers to the loop it was made in, so a new loop needs a new one.
            if self._resolver is not None:
                self._resolver.close()
            s = self.settings
            tries = max(1, round(s.dns_lifetime / s.dns_timeout)) if s.dns_timeout > 0 else 1
            options: dict[str, Any] = {
                "timeout": s.dns_timeout,
                "tries": tries,
                # no search list: the names asked are absolute (dnspython: search=False)
                "flags": pycares.ARES_FLAG_NOSEARCH,
                "udp_port": s.dns_port,
                "tcp_port": s.dns_port,
            }
            servers = [server_address(ns, s.dns_port) for ns in s.nameservers] or None
            self._resolver = _LoopChannel(loop, servers, **options)
            self._loop = loop
            self._waiting.clear()
            self._timer = None
        return self._resolver

    def _expire_later(self, future: asyncio.Future[Any]) -> None:
        assert self._loop is not None
        deadline = self._loop.time() + self.settings.dns_lifetime
        waiting = self._waiting
        # Answers come back roughly in the order asked: dropping the answered ones at the head
        # keeps the queue short. Kept until their deadline, they (and the answers they hold)
        # were 200 MB at 10,000 sites in the resolver benchmark.
        while waiting and waiting[0][1].done():
            waiting.popleft()
        waiting.append((deadline, future))
        if self._timer is None:
            self._timer = self._loop.call_at(deadline, self._expire)

    def _expire(self) -> None:
        """Fail every question past its deadline (a late answer to a done future is dropped)."""
        assert self._loop is not None
        self._timer = None
        now = self._loop.time()
        waiting = self._waiting
        while waiting and (waiting[0][1].done() or waiting[0][0] <= now):
            _, future = waiting.popleft()
            if not future.done():
                future.set_exception(TimeoutError())
        if waiting:
            self._timer = self._loop.call_at(waiting[0][0], self._expire)

    async def records(self, name: str, rdtype: str) -> list[tuple[int, str]]:
        """``(ttl, text)`` of every `rdtype` record in the answer to `name` `rdtype`; [] when none."""
        wanted = _TYPE_CODES[rdtype]
        try:
            future = self._channel().query(name, wanted)
            self._expire_later(future)
            result = await future
        except TimeoutError:
            raise DnsQuestionError("timeout", f"no answer within {self.settings.dns_lifetime} s") from None
        except _CaresError as exc:
            code, text = exc.code, exc.text
            if code in _NO_DATA:
                return []
            if code in _NXDOMAIN:
                raise DnsQuestionError("nxdomain", "no such domain") from None
            if code in _TIMEOUT:
                raise DnsQuestionError("timeout", f"no answer within {self.settings.dns_lifetime} s") from None
            if code in _MALFORMED:
                raise DnsQuestionError("malformed", f"{name}: {text}"[:300]) from None
            # SERVFAIL, REFUSED, a garbled answer or a refused connection from every server:
            # dnspython's resolver calls all of these "no nameserver answered" (NoNameservers).
            raise DnsQuestionError("servfail", f"{name} {rdtype}: {text}"[:300]) from None
        except (ValueError, UnicodeError) as exc:  # a name pycares cannot encode
            raise DnsQuestionError("malformed", f"{name}: {exc}"[:300]) from None
        return [(rr.ttl, _text(rr.data, rdtype)) for rr in result.answer if rr.type == wanted]

    def close(self) -> None:
        if self._resolver is not None:
            self._resolver.close()
            self._resolver = None
        self._waiting.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _name(value: str) -> str:
    return value.rstrip(".").lower()


def _absolute(value: str) -> str:
    """A name as dnspython prints an absolute one (the root is ``.``)."""
    return value if value.endswith(".") else value + "."


def _text(data: Any, rdtype: str) -> str:
    """The record's value written as the dnspython path writes it (see ``resolver.dns._text``)."""
    if rdtype in ("A", "AAAA"):
        return str(data.addr)
    if rdtype == "CNAME":
        return _name(data.cname)
    if rdtype == "NS":
        return _name(data.nsdname)
    if rdtype == "MX":
        return _name(data.exchange)
    if rdtype == "TXT":
        return bytes(data.data).decode("utf-8", "replace")
    if rdtype == "PTR":
        return _absolute(data.dname)
    # SOA
    return (
        f"{_absolute(data.mname)} {_absolute(data.rname)} "
        f"{data.serial} {data.refresh} {data.retry} {data.expire} {data.minimum}"
    )
