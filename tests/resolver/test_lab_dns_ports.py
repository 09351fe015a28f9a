"""The lab's DNS server listens on one port for TCP and UDP: a UDP port taken by another program when any
free port will do is a reason to try another pair, not a failed test set-up."""

from __future__ import annotations

import asyncio
import errno
import socket
from typing import Any

import pytest

from lab.dns_server import DnsServer

ZONE = ("lab.test.", "$TTL 300\n@ SOA ns1.lab.test. x.lab.test. 1 900 900 1800 60\n@ A 192.0.2.1\n")


def test_a_udp_port_taken_elsewhere_makes_it_try_another_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    real = asyncio.BaseEventLoop.create_datagram_endpoint
    refused: list[int] = []

    async def taken_once(self: Any, factory: Any, local_addr: Any = None, **kwargs: Any) -> Any:
        if not refused:
            refused.append(local_addr[1])
            raise OSError(errno.EADDRINUSE, "Address already in use")
        return await real(self, factory, local_addr=local_addr, **kwargs)

    monkeypatch.setattr(asyncio.BaseEventLoop, "create_datagram_endpoint", taken_once)
    with DnsServer([ZONE]) as server:
        assert refused and server.port != 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:  # TCP answers on the port it settled on
            tcp.settimeout(2)
            tcp.connect((server.host, server.port))


def test_a_port_asked_for_by_number_is_not_swapped_for_another(monkeypatch: pytest.MonkeyPatch) -> None:
    async def always_taken(self: Any, factory: Any, local_addr: Any = None, **kwargs: Any) -> Any:
        raise OSError(errno.EADDRINUSE, "Address already in use")

    monkeypatch.setattr(asyncio.BaseEventLoop, "create_datagram_endpoint", always_taken)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        wanted = probe.getsockname()[1]
    with pytest.raises(RuntimeError, match="in use"), DnsServer([ZONE], port=wanted):
        pass
