"""Fault tests: three worker processes and a scheduler on real PostgreSQL, a real SMTP server, real
crawls; workers are SIGKILLed mid-job and PostgreSQL is restarted mid-run.

What must hold: every due (site, job) pair is done exactly once (one crawl row and one estimate row
per site), the job of a killed worker completes on another, no notice reaches the SMTP server
twice, and every submission made during the faults is stored and worked on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cases.db import make_engine, session_factory, transaction
from cases.takedown.config import NoticeSettings
from cases.tenants.services import create_association
from lab.http_util import ThreadedServer

from ..conftest import POSTGRES_URL
from .cluster import (
    ACTOR,
    Cluster,
    PrivatePostgres,
    Sink,
    SiteServer,
    approve_notices,
    cluster_env,
    create_database,
    drop_database,
    submit,
    wait_for,
)

# Deadlines are generous on purpose: a test ends as soon as its condition holds, and CI shares the two
# cores with the rest of the suite, where a crawl child can take many seconds to start.
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(400)]


def counts(engine: sa.engine.Engine, table: str) -> dict[int, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text(f"SELECT site_id, count(*) FROM {table} GROUP BY site_id")).all())


def pending(engine: sa.engine.Engine) -> int:
    """Pairs not done yet (never run, or due again)."""
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM job_due WHERE last_done_at IS NULL")).scalar_one())


class World:
    def __init__(self, db_url: str, tmp: Path, hosts: list[str], sites: SiteServer, port: int, sink: Sink) -> None:
        self.engine = make_engine(db_url)
        self.factory = session_factory(self.engine)
        with transaction(self.factory) as session:
            self.association = create_association(session, "Association A", ACTOR).id or 0
        self.rank_list = tmp / "ranks.csv"
        # every host that may ever be submitted is on the list, so every estimate has a source
        all_hosts = [*hosts, *(f"late-{i}.test" for i in range(10))]
        self.rank_list.write_text("".join(f"{i + 100},{h}\n" for i, h in enumerate(all_hosts)))
        self.env = cluster_env(db_url, tmp / "data", port, all_hosts, self.rank_list, sink.port)
        self.sites, self.sink = sites, sink
        self.cluster = Cluster(self.env, tmp)

    def all_done(self, site_ids: list[int]) -> bool:
        crawls, estimates = counts(self.engine, "site_crawl"), counts(self.engine, "traffic_estimate")
        return all(crawls.get(s) and estimates.get(s) for s in site_ids) and pending(self.engine) == 0


@pytest.fixture
def sites_server() -> Iterator[tuple[SiteServer, int]]:
    app = SiteServer(slow=4.0)
    with ThreadedServer(app) as server:
        yield app, server.port


@pytest.fixture
def shared_db() -> Iterator[str]:
    name = f"{os.environ.get('PIRATEWATCH_TEST_DB_PREFIX', 'pw_test')}_faults_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    url = create_database(POSTGRES_URL, name)
    yield url
    drop_database(POSTGRES_URL, name)


def test_sigkilled_workers_lose_and_repeat_nothing(shared_db: str, sites_server: Any, tmp_path: Path) -> None:
    sites_app, port = sites_server
    hosts = ["slow-1.test", *(f"site-{i}.test" for i in range(4))]
    with Sink() as sink:
        world = World(shared_db, tmp_path, hosts, sites_app, port, sink)
        site_ids = submit(world.factory, world.association, hosts)
        notices = approve_notices(world.factory, world.association, site_ids)
        sink.hold_next.set()  # the first notice's message will wait in DATA: its sender is killed then
        try:
            world.cluster.start(workers=3)

            # 1. A worker mid-crawl (its crawl child is fetching the slow site) is killed with its child.
            def crawling_slow() -> Any:
                for worker in world.cluster.workers:
                    if worker.poll() is None and any(
                        "--url http://slow-1.test:" in cmd for _, cmd in Cluster.children(worker.pid)
                    ):
                        return worker
                return None

            wait_for(
                # the slow home page is being answered: the crawl is surely mid-way
                lambda: sites_app.slow_in_flight > 0 and crawling_slow() is not None,
                45,
                lambda: "no worker crawled the slow site\n" + world.cluster.logs(),
            )
            world.cluster.kill(crawling_slow())

            # 2. The worker whose SMTP message is in the server's hands, before the server answers. (It
            # may be the worker killed above, if it was sending while it crawled: then it is dead already.)
            wait_for(sink.holding.is_set, 60, lambda: "no notice was sent\n" + world.cluster.logs())
            assert sink.held_peer is not None
            sender = next(
                (w for w in world.cluster.workers if w.poll() is None and _owns_connection(w.pid, sink.held_peer[1])),
                None,
            )
            if sender is not None:
                world.cluster.kill(sender)
            sink.release.set()

            # 3. Submissions keep coming while workers are down; a worker joins later.
            late = submit(world.factory, world.association, ["late-1.test", "late-2.test"])
            world.cluster.add_worker("worker-late")

            every = [*site_ids, *late]
            wait_for(lambda: world.all_done(every), 180, lambda: "work left undone\n" + world.cluster.logs())
            wait_for(
                lambda: _notice_states(world.engine, notices)["approved"] == 0,
                60,
                lambda: f"notices left unsent: {_notice_states(world.engine, notices)}\n" + world.cluster.logs(),
            )
        finally:
            world.cluster.stop()

        # exactly once: one crawl and one estimate per site, killed jobs included
        assert counts(world.engine, "site_crawl") == dict.fromkeys(every, 1)
        assert counts(world.engine, "traffic_estimate") == dict.fromkeys(every, 1)
        assert sites_app.homes["slow-1.test"] == 2  # fetched by the killed worker, then by another
        # no notice reached the server twice; each is sent, or (the one cut mid-send) awaits an operator
        assert sink.keys and max(sink.keys.values()) == 1, sink.keys
        sent_or_settled = _notice_states(world.engine, notices)
        assert sent_or_settled["sent"] + sent_or_settled["sending"] == len(notices)
        # those the killed sender had in flight (its window: the held one, and any other it had not
        # yet recorded) await an operator; each reached the recipient (below), none was sent twice
        assert 1 <= sent_or_settled["sending"] <= NoticeSettings().smtp_connections
        assert len(sink.keys) == len(notices)  # the interrupted one too reached the recipient, once
        # no submission lost
        with world.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM submission")).scalar_one() == len(every)
        world.engine.dispose()


def _history(world: World) -> str:
    """Who stored what, when (for a failure's message)."""
    with world.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT at, actor, entity_type, entity_id FROM audit_event WHERE entity_type IN "
                "('site_crawl', 'traffic_estimate') ORDER BY at"
            )
        ).all()
    return "\n".join(map(str, rows)) + "\n" + world.cluster.logs()


def _owns_connection(pid: int, local_port: int) -> bool:
    """Whether the process holds the TCP socket bound to `local_port` on loopback (read from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == local_port and fields[9] in inodes:
            return True
    return False


#: what the processes log when they lose the database (a worker's failed heartbeat or fetch, a scheduler's pass)
OUTAGE_SIGNS = ("reconnecting", "Database error", "pass failed")
#: the first a process logs of it (its connection pool cannot reconnect): a worker logs the signs above only
#: when its pool gives up (after 30 s), not during a short outage
POOL_SIGN = "error connecting"


def _log_size(log_dir: Path, name: str) -> int:
    path = log_dir / f"{name}.log"
    return path.stat().st_size if path.exists() else 0


def _logged_since(log_dir: Path, name: str, offset: int, signs: tuple[str, ...]) -> bool:
    """Whether the process `name` logged one of `signs` after the first `offset` bytes of its log."""
    with (log_dir / f"{name}.log").open("rb") as log:
        log.seek(offset)
        text = log.read().decode(errors="replace")
    return any(sign in text for sign in signs)


def _jobs_running(log_dir: Path, name: str) -> int:
    """Jobs the worker `name` has started and not ended, by its log (procrastinate logs both, whatever the end)."""
    text = (log_dir / f"{name}.log").read_text(errors="replace")
    return text.count("Starting job ") - text.count(" ended with status: ")


def _notice_states(engine: sa.engine.Engine, ids: list[int]) -> dict[str, int]:
    states = {"approved": 0, "sending": 0, "sent": 0}
    with engine.connect() as conn:
        for (state,) in conn.execute(sa.text("SELECT state FROM notice WHERE id = ANY(:ids)"), {"ids": ids}):
            states[state] = states.get(state, 0) + 1
    return states


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if not PrivatePostgres.available():
        pytest.fail(f"PostgreSQL's binaries are not in {PrivatePostgres.BIN} (set PIRATEWATCH_TEST_PG_BIN)")
    cluster = PrivatePostgres().init()
    cluster.start()
    yield cluster
    cluster.destroy()


def test_workers_reconnect_after_postgres_restarts(
    private_postgres: PrivatePostgres, sites_server: Any, tmp_path: Path
) -> None:
    sites_app, port = sites_server
    db_url = create_database(private_postgres.url, "piratewatch")
    hosts = [f"site-{i}.test" for i in range(8)]
    with Sink() as sink:
        world = World(db_url, tmp_path, hosts, sites_app, port, sink)
        first = submit(world.factory, world.association, hosts[:4])
        try:
            world.cluster.start(workers=3)
            wait_for(
                lambda: len(counts(world.engine, "site_crawl")) >= 2,
                90,
                lambda: "nothing done\n" + world.cluster.logs(),
            )

            names = ["scheduler", *(f"worker-{i}" for i in range(3))]
            before = {n: _log_size(tmp_path, n) for n in names}
            private_postgres.stop()  # mid-run: crawls are in flight, workers poll and beat
            # Down until the scheduler and every worker have felt the outage (one with a sign the end looks
            # for), and the jobs in flight have run into it: each failed to store its results, to be retried.
            wait_for(
                lambda: (
                    all(_logged_since(tmp_path, n, before[n], (*OUTAGE_SIGNS, POOL_SIGN)) for n in names)
                    and any(_logged_since(tmp_path, n, before[n], OUTAGE_SIGNS) for n in names)
                    and all(_jobs_running(tmp_path, n) == 0 for n in names[1:])
                ),
                60,
                lambda: "the outage went unnoticed\n" + world.cluster.logs(),
            )
            private_postgres.start()
            restarted = time.time()

            second = submit(world.factory, world.association, hosts[4:])
            wait_for(
                lambda: world.all_done([*first, *second]), 180, lambda: "work left undone\n" + world.cluster.logs()
            )
            assert all(w.poll() is None for w in world.cluster.workers), "a worker exited instead of reconnecting"
            assert world.cluster.scheduler is not None and world.cluster.scheduler.poll() is None
            # their health checks see them healthy again: each touched its alive file since the restart
            wait_for(
                lambda: all(world.cluster.alive_file(n).stat().st_mtime > restarted for n in names),
                30,
                lambda: "a process did not report healthy after the restart\n" + world.cluster.logs(),
            )
        finally:
            world.cluster.stop()
        assert counts(world.engine, "site_crawl") == dict.fromkeys([*first, *second], 1), _history(world)
        assert counts(world.engine, "traffic_estimate") == dict.fromkeys([*first, *second], 1), _history(world)
        logs = world.cluster.logs(tail=0)
        warnings = "\n".join(line for line in logs.splitlines() if "WARNING" in line or "ERROR" in line)
        # the outage was felt (a failed heartbeat, fetch or pass), and survived
        assert any(sign in logs for sign in OUTAGE_SIGNS), warnings
        world.engine.dispose()
