"""The peers the resolver's DNS stage is measured against, all asking the same questions of the same
server at the same concurrency: a bare dnspython loop (one socket per worker, reused), a bare c-ares
loop (aiodns, one channel), and dnsperf, DNS-OARC's C load tool (Debian's ``dnsperf``).

Each returns a :class:`Run`: questions asked, unanswered ones, wall time and the CPU time of the
client (the benchmark process, or dnsperf) and of the server.
"""

from __future__ import annotations

import asyncio
import re
import resource
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiodns
import aiodns.error
import dns.asyncbackend
import dns.asyncquery
import dns.exception
import dns.message


@dataclass
class Run:
    questions: int
    unanswered: int
    seconds: float
    client_cpu: float  # seconds
    server_cpu: float  # seconds

    @property
    def rate(self) -> float:
        return self.questions / self.seconds if self.seconds else 0.0


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def dnspython_loop(questions: Sequence[tuple[str, str]], port: int, concurrency: int) -> tuple[int, int]:
    """dnspython alone: `concurrency` workers, each with one UDP socket it keeps, one question at a time."""
    pending = iter(questions)
    done = failed = 0
    backend = dns.asyncbackend.get_default_backend()

    async def worker() -> None:
        nonlocal done, failed
        sock = await backend.make_socket(socket.AF_INET, socket.SOCK_DGRAM)  # type: ignore[no-untyped-call]
        try:
            for name, rdtype in pending:  # one shared iterator: each question is asked once
                try:
                    await dns.asyncquery.udp(
                        dns.message.make_query(name, rdtype), "127.0.0.1", timeout=2.0, port=port, sock=sock
                    )
                except dns.exception.Timeout:
                    failed += 1
                done += 1
        finally:
            await sock.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, failed


async def cares_loop(questions: Sequence[tuple[str, str]], port: int, concurrency: int) -> tuple[int, int]:
    """c-ares alone (aiodns): one channel, `concurrency` questions outstanding at any time."""
    resolver = aiodns.DNSResolver([f"127.0.0.1:{port}"], timeout=2.0, tries=1)
    pending = iter(questions)
    done = failed = 0

    async def worker() -> None:
        nonlocal done, failed
        for name, rdtype in pending:
            try:
                await resolver.query_dns(name, rdtype)
            except aiodns.error.DNSError as exc:
                if exc.args and exc.args[0] == aiodns.error.ARES_ETIMEOUT:
                    failed += 1
            done += 1

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        resolver._channel.cancel()
    return done, failed


def measure(
    work: Callable[[], tuple[int, int]], server_cpu: Callable[[], float], client_cpu: Callable[[], float] = own_cpu
) -> Run:
    cpu0, server0, start = client_cpu(), server_cpu(), time.perf_counter()
    done, failed = work()
    seconds = time.perf_counter() - start
    return Run(done, failed, seconds, client_cpu() - cpu0, server_cpu() - server0)


def dnsperf_binary() -> str | None:
    return shutil.which("dnsperf")


def write_dnsperf_input(questions: Sequence[tuple[str, str]], path: Path) -> Path:
    path.write_text("".join(f"{name} {rdtype}\n" for name, rdtype in questions))
    return path


def dnsperf(input_file: Path, port: int, concurrency: int) -> tuple[int, int]:
    """dnsperf through the question file once, `concurrency` questions outstanding."""
    binary = dnsperf_binary()
    if binary is None:
        raise RuntimeError("dnsperf is not installed (apt-get install dnsperf)")
    out = subprocess.run(
        # -t 2: the bare loops' timeout (dnsperf waits 5 s for a lost answer by default)
        [
            binary,
            "-s",
            "127.0.0.1",
            "-p",
            str(port),
            "-d",
            str(input_file),
            "-n",
            "1",
            "-q",
            str(concurrency),
            "-t",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout
    sent = re.search(r"Queries sent:\s+(\d+)", out)
    completed = re.search(r"Queries completed:\s+(\d+)", out)
    if not sent or not completed:
        raise RuntimeError(f"dnsperf printed no summary: {out[-500:]}")
    return int(completed.group(1)), int(sent.group(1)) - int(completed.group(1))
