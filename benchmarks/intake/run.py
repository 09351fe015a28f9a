"""Intake benchmark: import a 100,000-row CSV into SQLite and PostgreSQL (rows/s, peak memory),
then page through ``GET /api/v1/sites`` at 100,000 sites (first page and a deep page, p50/p95).

Targets: >= 5,000 rows/s on both stores, page p95 <= 20 ms, peak memory <= 300 MB at 1,000,000 rows.
Run: ``./run bench intake`` (ROWS=20000 REPEATS=1 for a quicker look; ROWS=1000000 STORES=sqlite
REPEATS=1 PAGES=0 for the memory figure). Follows :mod:`benchmarks.common`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from benchmarks.common import Sample, alternate, session, settings_line, summary
from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.migrations import upgrade
from cases.pagination import encode_cursor
from cases.tenants.roles import Role
from cases.tenants.services import create_api_key, create_association, get_association
from lab.http_util import ThreadedServer
from piratewatch.config import get_settings
from piratewatch.services import Services
from piratewatch.web.app import create_app

ROWS = int(os.environ.get("ROWS", "100000"))
REPEATS = int(os.environ.get("REPEATS", "3"))
#: PAGES=0 leaves out the page latencies (a memory run at 1,000,000 rows needs only the import)
PAGES = os.environ.get("PAGES", "1") != "0"
POSTGRES_ADMIN = os.environ.get("PIRATEWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def make_csv(path: Path, rows: int, every: int = 1) -> None:
    """One site and one infringing URL per row (so the store ends with `rows` sites), 2,000 works.

    With `every`, only every `every`-th of those rows: another association reporting some of the
    same sites.
    """
    with path.open("w") as f:
        f.write("domain,url,languages,content_types,work_ref,title_ja,title_en,note\n")
        for i in range(0, rows, every):
            site = i
            w = i % 2000
            f.write(
                f"pirate-{site}.com,https://pirate-{site}.com/manga/work-{w}/chapter-{i % 97},ja,manga,"
                f"W{w},作品{w},Work {w},row {i}\n"
            )


def fresh_postgres(name: str) -> str:
    admin = sa.engine.make_url(POSTGRES_ADMIN)
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def seed(url: str) -> None:
    upgrade(url)
    with transaction(session_factory(make_engine(url))) as session:
        create_association(session, "Bench", Actor("bench"))
        create_association(session, "Small", Actor("bench"))


def timed_import(url: str, csv: Path, association: str = "Bench", rows: int = 0) -> Sample:
    """One ``piratewatch sites import`` in its own process: wall time, its own CPU and peak RSS
    (``wait4`` answers for that child alone), and on PostgreSQL the CPU of the backends serving it."""
    command = [sys.executable, "-m", "piratewatch", "sites", "import", str(csv), "--association", association]
    env = {**os.environ, "PIRATEWATCH_DATABASE_URL": url}
    backends = BackendCpu(url) if url.startswith("postgresql") else None
    with backends or contextlib.nullcontext():
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"the import failed with exit code {proc.returncode}")
    importer = usage.ru_utime + usage.ru_stime
    parts = {"importer": importer}
    if backends is not None:
        parts["PostgreSQL backends"] = backends.total
    return Sample(rows, elapsed, sum(parts.values()), parts, usage.ru_maxrss / 1024)


def _cpu_seconds(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BackendCpu:
    """CPU seconds of the PostgreSQL backends serving one database, sampled while they live.

    The importer's connections close when it exits, so their last sample (at most 0.2 s old)
    stands for their total. Same machine only (reads /proc).
    """

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.seen: dict[int, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.engine.connect() as conn:
            own = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            database = conn.execute(sa.text("SELECT current_database()")).scalar_one()
            while not self.done.wait(0.2):
                pids = conn.execute(
                    sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> :own"),
                    {"d": database, "own": own},
                ).scalars()
                for pid in pids:
                    used = _cpu_seconds(pid)
                    if used is not None:
                        self.seen[pid] = used
                conn.commit()

    def __enter__(self) -> BackendCpu:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()
        self.engine.dispose()

    @property
    def total(self) -> float:
        return sum(self.seen.values())


def page_latency(url: str, label: str) -> None:
    engine = make_engine(url)
    factory = session_factory(engine)
    with transaction(factory) as session:
        bench = get_association(session, "Bench")
        small = get_association(session, "Small")
        ops = create_association(session, f"ops-{time.time_ns()}", Actor("bench"))
        _, submitter = create_api_key(session, bench, Role.SUBMITTER, Actor("bench"))
        _, small_submitter = create_api_key(session, small, Role.SUBMITTER, Actor("bench"))
        _, operator = create_api_key(session, ops, Role.OPERATOR, Actor("bench"))
    with engine.connect() as conn:
        sites = conn.execute(sa.text("SELECT count(*), max(id) FROM site")).one()
    app = create_app(Services.from_settings(get_settings(database_url=url), engine=engine))
    server = ThreadedServer(app).start()

    def deep(association_id: int | None) -> tuple[str, int, int]:
        """A cursor 98 % of the way down the caller's sites (a full page below it if there are
        enough), and how many sites the first and the deep page must show."""
        query = "SELECT id FROM site ORDER BY id"
        if association_id is not None:
            query = f"SELECT DISTINCT site_id FROM submission WHERE association_id = {association_id} ORDER BY site_id"
        with engine.connect() as conn:
            ids = list(conn.execute(sa.text(query)).scalars())
        at = min(len(ids) - 1, max(50, int(len(ids) * 0.02)))
        return encode_cursor(ids[at]), min(50, len(ids)), min(50, at)

    callers = (
        ("operator", operator, deep(None)),
        ("submitter", submitter, deep(bench.id)),
        ("1% submitter", small_submitter, deep(small.id)),
    )
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for who, key, (cursor, full, below) in callers:
            for where, params, expected in (("first page", {}, full), ("deep page", {"cursor": cursor}, below)):
                samples = []
                for _ in range(20):  # warm-up
                    http.get("/api/v1/sites", params=params, headers={"X-API-Key": key})
                cpu = time.process_time()
                for _ in range(200):
                    t0 = time.perf_counter()
                    r = http.get("/api/v1/sites", params={**params, "limit": 50}, headers={"X-API-Key": key})
                    samples.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200 and len(r.json()["items"]) == expected
                # Client and server share this process: its CPU a request bounds the server's.
                cpu = (time.process_time() - cpu) / 200 * 1000
                q = statistics.quantiles(samples, n=100)
                print(
                    f"  {label:10} GET /api/v1/sites {where:10} as {who:12} at {sites[0]:,} sites: "
                    f"p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms (CPU {cpu:.1f} ms)"
                )
    server.stop()


def _store(label: str, tmp: str, database: str, run: int) -> str:
    if label == "SQLite":
        return f"sqlite:///{tmp}/bench-{run}.db"
    return fresh_postgres(database)


def main() -> None:
    database = f"{os.environ.get('PIRATEWATCH_TEST_DB_PREFIX', 'pw')}_bench_intake"
    only = os.environ.get("STORES", "sqlite,postgresql").split(",")
    labels = [label for label in ("SQLite", "PostgreSQL") if label.lower() in only]
    with session("intake"), tempfile.TemporaryDirectory() as tmp:
        csv, small_csv = Path(tmp) / "sites.csv", Path(tmp) / "small.csv"
        make_csv(csv, ROWS)
        make_csv(small_csv, ROWS, every=100)
        print(
            f"  {ROWS:,} rows (one site, one URL, a work of 2,000 in two languages each), "
            f"{REPEATS} runs per store alternated {'/'.join(labels)}, each into a fresh store"
        )
        print(settings_line({}) + " (`piratewatch sites import` in its own process, chunks of 1,000 rows)")
        last: dict[str, str] = {}
        reimports: dict[str, list[Sample]] = {label: [] for label in labels}
        runs = iter(range(1_000_000))

        def one(label: str) -> Sample:
            url = _store(label, tmp, database, next(runs))
            seed(url)
            first = timed_import(url, csv, rows=ROWS)
            reimports[label].append(timed_import(url, csv, rows=ROWS))
            last[label] = url
            return first

        samples = alternate({label: functools.partial(one, label) for label in labels}, REPEATS)
        for label in labels:
            print(summary(f"{label:10} import {ROWS:,} rows", samples[label], "row"))
            print(summary(f"{label:10} re-import (nothing new)", reimports[label], "row"))
        for label in labels:
            url = last[label]
            with make_engine(url).connect() as conn:
                counts = [
                    conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in ("site", "submission")
                ]
            assert counts == [ROWS, ROWS], counts
            if PAGES:
                timed_import(url, small_csv, "Small", rows=ROWS // 100)  # another association reports 1 % of the sites
                page_latency(url, label)


if __name__ == "__main__":
    main()
