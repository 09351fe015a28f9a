"""NSD, the compiled authoritative server from NLnet Labs (Debian's ``nsd``), serving the benchmark's
zones on loopback, so that the server is never what limits the figures (the lab's Python server
took half a core at the rates measured).

The zone files and the configuration are written here, into a directory of the benchmark's own;
NSD runs in the foreground on a free port and is stopped when the benchmark ends.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

import dns.message
import dns.query


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (NSD listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port on 127.0.0.1")


class Nsd:
    """``nsd -d`` serving `zones` (``(origin, zone file text)`` pairs) from `directory`."""

    def __init__(self, zones: Iterable[tuple[str, str]], directory: Path) -> None:
        binary = shutil.which("nsd") or ("/usr/sbin/nsd" if Path("/usr/sbin/nsd").exists() else None)
        if binary is None:
            raise RuntimeError("NSD is not installed: apt-get install nsd (./run bench installs it as root)")
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        zone_dir = directory / "zones"
        zone_dir.mkdir(parents=True, exist_ok=True)
        lines = [
            "server:",
            "  ip-address: 127.0.0.1",
            f"  port: {self.port}",
            "  server-count: 1",  # one core for the server, as the lab server had
            '  username: ""',  # stay the user that started it (no chroot, no privilege drop)
            f'  zonesdir: "{zone_dir}"',
            f'  pidfile: "{directory / "nsd.pid"}"',
            '  database: ""',  # zones are read from the files at start, nothing is compiled to disk
            f'  xfrdfile: "{directory / "xfrd.state"}"',
            f'  zonelistfile: "{directory / "zone.list"}"',
            "  verbosity: 0",
            "  hide-version: yes",
            # Debian's NSD has response rate limiting on (200 answers/s per source /24): every
            # question here comes from 127.0.0.1, and dropped answers would be timed as timeouts
            "  rrl-ratelimit: 0",
            "  rrl-whitelist-ratelimit: 0",
            "remote-control:",
            "  control-enable: no",
        ]
        self.zone_count = 0
        for origin, text in zones:
            file_name = origin.rstrip(".") + ".zone"
            (zone_dir / file_name).write_text(text)
            lines += ["zone:", f'  name: "{origin}"', f'  zonefile: "{file_name}"']
            self.zone_count += 1
        self.config = directory / "nsd.conf"
        self.config.write_text("\n".join(lines) + "\n")

    def start(self, probe_name: str, timeout: float = 120.0) -> Nsd:
        """Start NSD and wait until it answers `probe_name` (loading thousands of zones takes a while)."""
        check = subprocess.run([f"{Path(self.binary).parent}/nsd-checkconf", str(self.config)], capture_output=True)
        if check.returncode != 0:
            raise RuntimeError(f"nsd-checkconf refused the configuration: {check.stderr.decode()[:500]}")
        log = (self.directory / "nsd.log").open("wb")
        self.process = subprocess.Popen([self.binary, "-d", "-c", str(self.config)], stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        query = dns.message.make_query(probe_name, "SOA")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"NSD exited: {(self.directory / 'nsd.log').read_text()[-500:]}")
            try:
                dns.query.udp(query, "127.0.0.1", timeout=0.5, port=self.port)
                return self
            except (dns.exception.Timeout, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("NSD did not answer within its start timeout")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of NSD's processes so far, from /proc."""
        if self.process is None:
            return 0.0
        total = 0.0
        tick = 100.0  # USER_HZ on Linux
        # The process started becomes NSD's zone-transfer daemon; its child is the main process,
        # whose children serve the queries: count the whole tree.
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
        pids = [self.process.pid]
        for pid in pids:  # grows while it is walked: breadth first through the tree
            pids += [child for child, parent in parents.items() if parent == pid]
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # utime, stime, cutime, cstime are fields 14-17 of stat; [0] here is field 3
            total += sum(int(v) for v in fields[11:15]) / tick
        return total

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
