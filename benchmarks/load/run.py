"""Load benchmark: submissions through ``POST /api/v1/submissions``, served by uvicorn, on PostgreSQL.

Locust (the ``bench`` extra) drives the API on loopback from its own process at a fixed rate: each
request posts one new site (a new submission, site, domain and evidence item). The server runs
in its own processes (uvicorn workers) against a fresh PostgreSQL database. After the run, the
store must hold exactly one submission per successful request: nothing lost, nothing doubled.

The store is seeded first with SEED_SITES sites (default 20,000) by a CSV import, which ends by
refreshing the planner's statistics: on an empty store whose tables grow during the run, the
statements prepared while the tables were nearly empty keep their sequential scans until
autovacuum analyses the tables (see docs/performance.md).

Target (issue 7): >= 300 submissions/s with p99 <= 250 ms and no errors. Two runs by default, both
asking for 330 submissions/s: one site per request (330 requests/s), then ten (33 requests/s), as an
association's tool that batches its reports would send them.
Run: ``./run bench load``. Knobs: SITES_PER_REQUEST (one run with that many sites per request),
SUBMISSIONS (submissions/s asked, default 330: a server that keeps up reaches 300), DURATION (s, default 60), WORKERS (uvicorn
workers, default 2).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

from benchmarks.intake.run import make_csv
from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.migrations import upgrade
from cases.tenants.roles import Role
from cases.tenants.services import create_api_key, create_association
from lab.http_util import free_port, wait_for_url

SUBMISSIONS = float(os.environ.get("SUBMISSIONS", "330"))
DURATION = int(os.environ.get("DURATION", "60"))
WORKERS = int(os.environ.get("WORKERS", "2"))
BATCHES = [int(os.environ["SITES_PER_REQUEST"])] if "SITES_PER_REQUEST" in os.environ else [1, 10]
WARMUP = 5
SEED_SITES = int(os.environ.get("SEED_SITES", "20000"))
POSTGRES_ADMIN = os.environ.get("PIRATEWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASE = f"{os.environ.get('PIRATEWATCH_TEST_DB_PREFIX', 'pw')}_bench_load"
HERE = Path(__file__).parent


def fresh_postgres(name: str) -> str:
    admin = sa.engine.make_url(POSTGRES_ADMIN)
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its descendants (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        p = pending.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        pending += [int(c) for c in children]
    return total


def backend_cpu(engine: sa.Engine) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the benchmark database (same machine)."""
    with engine.connect() as conn:
        pids = conn.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"),
            {"db": DATABASE},
        ).scalars()
        return {int(pid): cpu_seconds(int(pid)) for pid in pids}


def locust(host: str, key: str, batch: int, seconds: int, out: Path) -> tuple[dict[str, str], float, set[str]]:
    """Run locust headless; its aggregated stats row, its own CPU seconds, the refs acknowledged.

    Each user asks for 5 requests/s (constant throughput): a slow server gets fewer, it is not
    flooded by a backlog.
    """
    users = max(1, round(SUBMISSIONS / batch / 5))
    env = {
        **os.environ,
        "LOAD_ACK_FILE": f"{out}_acknowledged.txt",
        "LOAD_API_KEY": key,
        "LOAD_PER_USER_RATE": str(SUBMISSIONS / batch / users),
        "LOAD_SITES_PER_REQUEST": str(batch),
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--host", host,
        "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--csv", str(out), "--only-summary",
        "--loglevel", "WARNING", "--stop-timeout", "10",
    ]  # fmt: skip
    before = os.times()
    subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = os.times()
    used = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    with Path(f"{out}_stats.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["Name"] == "Aggregated"]
    return rows[0], used, set(Path(f"{out}_acknowledged.txt").read_text().split())


def run(batch: int) -> None:
    """One run on a fresh database and server, `batch` sites per request."""
    url = fresh_postgres(DATABASE)
    upgrade(url)
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        association = create_association(session, "Load", Actor("bench"))
        _, key = create_api_key(session, association, Role.SUBMITTER, Actor("bench"))
        create_association(session, "Seed", Actor("bench"))
    if SEED_SITES:
        with tempfile.TemporaryDirectory() as tmp:
            seed = Path(tmp) / "seed.csv"
            make_csv(seed, SEED_SITES)
            subprocess.run(
                [sys.executable, "-m", "piratewatch", "sites", "import", str(seed), "--association", "Seed"],
                env={**os.environ, "PIRATEWATCH_DATABASE_URL": url},
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.load.app:app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(WORKERS), "--log-level", "warning", "--no-access-log"],
        env={**os.environ, "PIRATEWATCH_DATABASE_URL": url},
    )  # fmt: skip
    try:
        try:
            wait_for_url(f"{host}/healthz", timeout=60, alive=lambda: server.poll() is None)
        except RuntimeError:
            raise SystemExit("the server did not start") from None
        print(
            f"  {batch} site(s) per request, {SUBMISSIONS / batch:.0f} requests/s asked, {WORKERS} uvicorn worker(s), "
            f"{SEED_SITES:,} sites in the store before; load average before: {os.getloadavg()[0]:.1f}"
        )
        with tempfile.TemporaryDirectory() as tmp:
            _, _, acknowledged = locust(host, key, batch, WARMUP, Path(tmp) / "warmup")
            server_cpu, backends = cpu_seconds(server.pid), backend_cpu(engine)
            stats, locust_cpu, more = locust(host, key, batch, DURATION, Path(tmp) / "run")
            acknowledged |= more
            server_cpu = cpu_seconds(server.pid) - server_cpu
            database_cpu = sum(used - backends.get(pid, 0.0) for pid, used in backend_cpu(engine).items())
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    with engine.connect() as conn:
        stored = set(
            conn.execute(
                sa.text("SELECT source_ref FROM submission WHERE association_id = :a"), {"a": association.id}
            ).scalars()
        )
        sites = int(conn.execute(sa.text("SELECT count(*) FROM site")).scalar_one()) - SEED_SITES
    engine.dispose()
    requests = int(stats["Request Count"])
    failures = int(stats["Failure Count"])
    rate = float(stats["Requests/s"]) * batch
    print(
        f"    {requests:,} requests in {DURATION} s: {float(stats['Requests/s']):.0f} requests/s = {rate:.0f} submissions/s, "
        f"{failures} errors"
    )
    print(
        f"    latency: p50 {stats['50%']} ms, p95 {stats['95%']} ms, p99 {stats['99%']} ms, max {float(stats['Max Response Time']):.0f} ms"
    )
    print(
        f"    CPU during the run: server {server_cpu:.0f} s ({server_cpu / DURATION:.2f} cores, "
        f"{server_cpu / max(requests, 1) * 1000:.1f} ms a request), PostgreSQL {database_cpu:.0f} s "
        f"({database_cpu / max(requests, 1) * 1000:.1f} ms a request), locust {locust_cpu:.0f} s; "
        f"load average after: {load_after:.1f}"
    )
    lost = acknowledged - stored
    # Requests still in flight when locust stopped may have been stored without an answer read.
    print(
        f"    store: {len(stored):,} new submissions and {sites:,} new sites; {len(acknowledged):,} acknowledged, "
        f"{len(lost)} of them missing; {len(stored - acknowledged)} stored but cut off at the stop"
    )
    verdict = "met" if rate >= 300 and float(stats["99%"]) <= 250 and failures == 0 and not lost else "missed"
    print(f"    target >= 300 submissions/s, p99 <= 250 ms, no errors: {verdict}")


def main() -> None:
    for batch in BATCHES:
        run(batch)


if __name__ == "__main__":
    main()
