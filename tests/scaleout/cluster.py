"""A small production on loopback for the fault tests: sites to crawl, an SMTP server, a private
PostgreSQL cluster, and worker and scheduler processes started as an operator would.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import transaction
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from lab.http_util import free_port

from ..conftest import SENDER

ACTOR = Actor("test:faults")


class SiteServer:
    """Any host name gets a small page; hosts starting with ``slow`` answer their home page after `slow` s."""

    def __init__(self, slow: float = 4.0) -> None:
        self.slow = slow
        self.homes: Counter[str] = Counter()
        self.slow_in_flight = 0  # slow home pages being answered right now

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        host = dict(scope["headers"]).get(b"host", b"").decode().split(":")[0]
        status, body = 404, b"not here"
        if scope["path"] == "/":
            self.homes[host] += 1
            if host.startswith("slow"):
                self.slow_in_flight += 1
                try:
                    await asyncio.sleep(self.slow)
                finally:
                    self.slow_in_flight -= 1
            status, body = (
                200,
                f"<html lang=en><head><title>{host}</title></head><body><h1>{host}</h1></body></html>".encode(),
            )
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": body})


class Sink:
    """A real SMTP server (aiosmtpd) counting messages per idempotency key; can hold one message."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.keys: Counter[str] = Counter()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.hold_next = threading.Event()  # set: the next message waits in DATA until `release`
        self.holding = threading.Event()
        self.release = threading.Event()
        #: the client's (address, port) of the message held: which connection, so which process
        self.held_peer: tuple[str, int] | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        # Counted as soon as the content is here: the recipient has it, whether or not we answer.
        self.keys[str(message["X-Piratewatch-Idempotency-Key"])] += 1
        if self.hold_next.is_set():
            self.hold_next.clear()
            self.held_peer = tuple(session.peer)
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 20)
        return "250 OK"

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.release.set()
        self.controller.stop()


class PrivatePostgres:
    """A PostgreSQL cluster of its own (Debian's binaries) in a temporary directory, on a free port.

    Only this cluster is stopped and started by the restart test; the machine's shared server is
    never touched. initdb refuses to run as root, so as root it runs as the ``postgres`` user.
    """

    BIN = Path(
        os.environ.get("PIRATEWATCH_TEST_PG_BIN")
        or max(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name),
            default="/usr/lib/postgresql/15/bin",
        )
    )

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pw-pg-"))
        self.port = free_port()
        self.data = self.dir / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]

    @classmethod
    def available(cls) -> bool:
        return (cls.BIN / "initdb").exists()

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, timeout=60)

    def init(self) -> PrivatePostgres:
        self._run(str(self.BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start"
        )

    def stop(self) -> None:
        self._run(str(self.BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    """A new, migrated database on the server at `admin_url`; returns its URL."""
    from cases.migrations import upgrade

    admin = sa.engine.make_url(admin_url)
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = admin.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def drop_database(admin_url: str, name: str) -> None:
    engine = sa.create_engine(sa.engine.make_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def submit(factory: sessionmaker[Session], association_id: int, hosts: list[str]) -> list[int]:
    """Submit each host as a site with one evidence URL (as the API does); returns the site ids."""
    sites = [
        SiteIn.model_validate(
            {
                "source_ref": f"ref-{host}",
                "domains": [host],
                "works": [{"ref": "W1", "titles": {"en": "Work One"}, "content_type": "manga"}],
                "evidence": [{"url": f"https://{host}/w/1", "work_ref": "W1"}],
            }
        )
        for host in hosts
    ]
    with transaction(factory) as session:
        results, _ = submit_sites(session, ACTOR, association_id, sites, via="api")
    return [r.site_id for r in results if r is not None]


def approve_notices(factory: sessionmaker[Session], association_id: int, site_ids: list[int]) -> list[int]:
    """One approved DMCA notice per site, to a host with an abuse address."""
    from cases.providers.services import add_provider
    from cases.takedown.models import LegalBasis
    from cases.takedown.review import approve
    from cases.takedown.services import draft_notice, open_case, submit_for_review

    ids = []
    with transaction(factory) as session:
        host = add_provider(session, ACTOR, "Bulletproof Hosting Ltd", "host", abuse_email="abuse@host.example")
        for site_id in site_ids:
            case = open_case(session, ACTOR, site_id, host.id or 0)
            notice = draft_notice(session, ACTOR, case.id or 0, association_id, LegalBasis.DMCA, dict(SENDER))
            submit_for_review(session, ACTOR, notice.id or 0)
            approve(session, ACTOR, notice.id or 0)
            ids.append(notice.id or 0)
    return ids


class Cluster:
    """A scheduler and workers as separate processes (each in its own process group, like a machine)."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, **env}
        self.log_dir = log_dir
        self.workers: list[subprocess.Popen[bytes]] = []
        self.scheduler: subprocess.Popen[bytes] | None = None

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "piratewatch", *args],
            env={**self.env, "PIRATEWATCH_QUEUE__ALIVE_FILE": str(self.alive_file(name))},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its crawl children die with it when the group is killed
        )

    def start(self, workers: int) -> None:
        self.scheduler = self._start("scheduler", "scheduler")
        for i in range(workers):
            self.add_worker(f"worker-{i}")

    def add_worker(self, name: str) -> subprocess.Popen[bytes]:
        process = self._start(name, "worker", "--name", name)
        self.workers.append(process)
        return process

    @staticmethod
    def children(pid: int) -> list[tuple[int, str]]:
        """(pid, command line) of a process's children."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    found.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
            except (OSError, ValueError, IndexError):
                continue
        return found

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL a worker and everything it started: no clean-up of any kind runs."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def alive_file(self, name: str) -> Path:
        """The file a process touches while healthy (what a container health check reads)."""
        return self.log_dir / f"{name}.alive"

    def logs(self, tail: int = 3000) -> str:
        """Every process's log (its last `tail` characters; 0: all of it)."""
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-tail:]}" for p in sorted(self.log_dir.glob("*.log"))
        )

    def stop(self) -> None:
        processes = [p for p in [self.scheduler, *self.workers] if p is not None and p.poll() is None]
        for p in processes:
            os.killpg(p.pid, signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def wait_for(condition: Callable[[], bool], timeout: float, message: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message())
        time.sleep(0.2)


def cluster_env(
    db_url: str, data_dir: Path, site_port: int, hosts: list[str], rank_list: Path, smtp_port: int
) -> dict[str, str]:
    """Settings of every process: short heartbeats and intervals so that a test sees recovery in seconds."""
    return {
        "PIRATEWATCH_DATABASE_URL": db_url,
        "PIRATEWATCH_DATA_DIR": str(data_dir),
        "PIRATEWATCH_CRAWLER__ALLOW_NETWORKS": '["127.0.0.0/8"]',
        "PIRATEWATCH_CRAWLER__HOST_OVERRIDES": json.dumps(dict.fromkeys(hosts, "127.0.0.1")),
        "PIRATEWATCH_CRAWLER__START_URL_TEMPLATE": f"http://{{host}}:{site_port}/",
        "PIRATEWATCH_CRAWLER__DELAY_SECONDS": "0",
        "PIRATEWATCH_CRAWLER__TIMEOUT_SECONDS": "10",
        "PIRATEWATCH_CRAWLER__MAX_PAGES": "5",
        "PIRATEWATCH_CRAWLER__LEASE_SECONDS": "600",
        "PIRATEWATCH_TRAFFIC__RANK_LIST_PATH": str(rank_list),
        "PIRATEWATCH_NOTICES__SMTP_PORT": str(smtp_port),
        "PIRATEWATCH_QUEUE__JOBS": '["crawl", "estimate"]',
        "PIRATEWATCH_QUEUE__CONCURRENCY": "2",
        "PIRATEWATCH_QUEUE__SCHEDULER_INTERVAL_SECONDS": "0.5",
        "PIRATEWATCH_QUEUE__SCHEDULE_SITES_SECONDS": "0.5",
        "PIRATEWATCH_QUEUE__HEARTBEAT_SECONDS": "0.5",
        "PIRATEWATCH_QUEUE__POLL_SECONDS": "0.5",
        "PIRATEWATCH_QUEUE__STALLED_AFTER_SECONDS": "3",
        "PIRATEWATCH_QUEUE__RECONNECT_SECONDS": "0.5",
        "PIRATEWATCH_NOTICES__RECHECK_BEFORE_SEND": "false",
        "PIRATEWATCH_QUEUE__IN_FLIGHT_SECONDS": "2",
        "PIRATEWATCH_QUEUE__SHUTDOWN_GRACE_SECONDS": "5",
    }
