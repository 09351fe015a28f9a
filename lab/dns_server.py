"""An authoritative DNS server on loopback, for the offline demo lab and the tests.

It answers from zones given as data, over real UDP and TCP sockets, and can misbehave on purpose:
truncate UDP answers (so clients must retry over TCP), answer SERVFAIL or REFUSED (a lame server),
or answer late (a slow server). It runs its own event loop in a background thread, so synchronous
and asynchronous code can both use it.

    with DnsServer(zone_text) as server:
        server.port  # the UDP and TCP port it listens on
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone


@dataclass
class Behaviour:
    """Scripted misbehaviour for names under a suffix."""

    rcode: int | None = None  # e.g. dns.rcode.SERVFAIL
    delay: float = 0.0  # seconds before answering
    truncate_udp: bool = False  # answer with TC set and no records over UDP


@dataclass
class _Zones:
    records: dict[tuple[dns.name.Name, int], dns.rrset.RRset] = field(default_factory=dict)
    names: set[dns.name.Name] = field(default_factory=set)
    origins: list[dns.name.Name] = field(default_factory=list)
    #: the same origins as a set: finding a name's zone walks up its labels instead of scanning
    #: every origin, which matters once the lab serves thousands of zones (the resolver benchmark)
    origin_set: set[dns.name.Name] = field(default_factory=set)


def _load(zone_texts: Iterable[tuple[str, str]]) -> _Zones:
    zones = _Zones()
    for origin, text in zone_texts:
        zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
        assert zone.origin is not None
        zones.origins.append(zone.origin)
        zones.origin_set.add(zone.origin)
        for name, node in zone.nodes.items():
            zones.names.add(name)
            for rdataset in node.rdatasets:
                rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype)
                rrset.update(rdataset)  # type: ignore[no-untyped-call]
                zones.records[(name, rdataset.rdtype)] = rrset
    return zones


#: TCP and UDP port pairs tried when any free port will do (see DnsServer._listen)
_PORT_ATTEMPTS = 20


class DnsServer:
    """Serve `zones` (``(origin, zone file text)`` pairs) on `host`:`port` (0 picks a free port)."""

    def __init__(
        self,
        zones: Iterable[tuple[str, str]],
        host: str = "127.0.0.1",
        port: int = 0,
        behaviours: dict[str, Behaviour] | None = None,
    ) -> None:
        self._zones = _load(zones)
        self.host = host
        self.port = port
        self.behaviours = {dns.name.from_text(k): v for k, v in (behaviours or {}).items()}
        self.queries = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._tasks: set[asyncio.Future[None]] = set()

    # -- answering ---------------------------------------------------------------------------

    def _behaviour(self, name: dns.name.Name) -> Behaviour | None:
        for suffix, behaviour in self.behaviours.items():
            if name.is_subdomain(suffix):
                return behaviour
        return None

    def _authoritative(self, name: dns.name.Name) -> bool:
        origins = self._zones.origin_set
        return any(dns.name.Name(name.labels[-depth:]) in origins for depth in range(len(name.labels), 0, -1))

    def answer(self, query: dns.message.Message, over_udp: bool) -> dns.message.Message:
        """The response to `query` (one question), following in-zone CNAMEs like a real server."""
        self.queries += 1
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response
        question = query.question[0]
        qname, qtype = question.name, question.rdtype
        behaviour = self._behaviour(qname)
        if behaviour and behaviour.rcode is not None:
            response.set_rcode(dns.rcode.Rcode(behaviour.rcode))
            return response
        if not self._authoritative(qname):
            response.set_rcode(dns.rcode.REFUSED)
            return response
        name = qname
        seen: set[dns.name.Name] = set()
        while True:
            exact = self._zones.records.get((name, qtype))
            if exact is not None:
                response.answer.append(exact)
                break
            cname = self._zones.records.get((name, dns.rdatatype.CNAME))
            if cname is None or qtype == dns.rdatatype.CNAME or name in seen or len(seen) > 16:
                if name not in self._zones.names and not response.answer:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                break
            seen.add(name)
            response.answer.append(cname)
            name = cname[0].target
            if not self._authoritative(name):
                break
        if over_udp and behaviour and behaviour.truncate_udp:
            response.answer.clear()
            response.flags |= dns.flags.TC
        return response

    @staticmethod
    def _parse(wire: bytes) -> dns.message.Message | None:
        try:
            return dns.message.from_wire(wire)
        except Exception:
            return None  # not a DNS message: dropped, as a real server would

    def _delay_for(self, query: dns.message.Message) -> float:
        behaviour = self._behaviour(query.question[0].name) if query.question else None
        return behaviour.delay if behaviour else 0.0

    def _respond(self, query: dns.message.Message, over_udp: bool) -> bytes:
        response = self.answer(query, over_udp)
        max_size = 65535 if not over_udp else max(512, query.payload if query.edns >= 0 else 512)
        try:
            return response.to_wire(max_size=max_size)
        except dns.exception.TooBig:
            response.answer.clear()
            response.flags |= dns.flags.TC
            return response.to_wire()

    # -- sockets -------------------------------------------------------------------------------

    class _Udp(asyncio.DatagramProtocol):
        def __init__(self, server: DnsServer) -> None:
            self.server = server
            self.transport: asyncio.DatagramTransport | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport  # type: ignore[assignment]

        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            # Each message is parsed once, and answered at once unless a slow answer is scripted:
            # a task per datagram and a second parse were most of the server's time under load
            # (the resolver benchmark), which then measured the lab server, not the resolver.
            query = self.server._parse(data)
            if query is None:
                return
            delay = self.server._delay_for(query)
            if delay <= 0:
                self._send(query, addr)
                return
            task = asyncio.ensure_future(self._reply_later(query, addr, delay))
            self.server._tasks.add(task)  # keep a reference until it is done
            task.add_done_callback(self.server._tasks.discard)

        def _send(self, query: dns.message.Message, addr: tuple[str, int]) -> None:
            if self.transport is not None:
                self.transport.sendto(self.server._respond(query, over_udp=True), addr)

        async def _reply_later(self, query: dns.message.Message, addr: tuple[str, int], delay: float) -> None:
            await asyncio.sleep(delay)
            self._send(query, addr)

    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                length = int.from_bytes(await reader.readexactly(2), "big")
                query = self._parse(await reader.readexactly(length))
                if query is None:
                    break
                delay = self._delay_for(query)
                if delay > 0:
                    await asyncio.sleep(delay)
                wire = self._respond(query, over_udp=False)
                writer.write(len(wire).to_bytes(2, "big") + wire)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(RuntimeError):
                writer.close()

    async def _listen(self) -> tuple[asyncio.Server, asyncio.DatagramTransport]:
        """TCP and UDP on one port. Asked for any port (0), the kernel picks a free TCP port, and its
        number may be taken for UDP by another program (another lab's DNS server, a resolver's query
        socket): then another pair is tried, a bounded number of times."""
        loop = asyncio.get_running_loop()
        attempts = 1 if self.port else _PORT_ATTEMPTS
        for attempt in range(1, attempts + 1):
            tcp = await asyncio.start_server(self._tcp_client, self.host, self.port)
            port = tcp.sockets[0].getsockname()[1]
            try:
                udp, _ = await loop.create_datagram_endpoint(lambda: DnsServer._Udp(self), local_addr=(self.host, port))
            except OSError as exc:
                tcp.close()
                await tcp.wait_closed()
                if exc.errno != errno.EADDRINUSE or attempt == attempts:
                    raise
                continue
            self.port = port
            return tcp, udp
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        tcp, udp = await self._listen()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            udp.close()
            tcp.close()
            with contextlib.suppress(Exception):
                await tcp.wait_closed()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()
        finally:
            # Slow answers and open TCP clients may still be pending: end them before the loop.
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            if pending:  # gather() of nothing needs a current loop, which this thread does not set
                self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

    def start(self) -> DnsServer:
        self._thread = threading.Thread(target=self._run, name="lab-dns", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=10)
        if self._error is not None:
            raise RuntimeError(f"lab DNS server failed to start: {self._error}") from self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> DnsServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
