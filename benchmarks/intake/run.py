"""Intake benchmark: import a 100,000-row CSV into SQLite and PostgreSQL (rows/s, peak memory),
then page through ``GET /api/v1/sites`` at 100,000 sites (first page and a deep page, p50/p95).

Targets (issue): >= 5,000 rows/s on PostgreSQL, page p95 <= 20 ms, peak memory <= 300 MB.
Run: ``./run bench intake`` (ROWS=20000 for a quicker look).
"""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
import uvicorn

from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.migrations import upgrade
from cases.pagination import encode_cursor
from cases.tenants.models import Role
from cases.tenants.services import create_api_key, create_association, get_association
from piratewatch.app import create_app
from piratewatch.settings import get_settings

ROWS = int(os.environ.get("ROWS", "100000"))
POSTGRES_ADMIN = os.environ.get("PIRATEWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def make_csv(path: Path, rows: int) -> None:
    """One site and one infringing URL per row (so the store ends with `rows` sites), 2,000 works."""
    with path.open("w") as f:
        f.write("domain,url,languages,content_types,work_ref,title_ja,title_en,note\n")
        for i in range(rows):
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


def timed_import(url: str, csv: Path) -> tuple[float, float]:
    """Seconds, and the importing process's peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "piratewatch", "sites", "import", str(csv), "--association", "Bench"],
        env={**os.environ, "PIRATEWATCH_DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def page_latency(url: str, label: str) -> None:
    engine = make_engine(url)
    factory = session_factory(engine)
    with transaction(factory) as session:
        bench = get_association(session, "Bench")
        ops = create_association(session, f"ops-{time.time_ns()}", Actor("bench"))
        _, submitter = create_api_key(session, bench, Role.SUBMITTER, Actor("bench"))
        _, operator = create_api_key(session, ops, Role.OPERATOR, Actor("bench"))
    with engine.connect() as conn:
        sites = conn.execute(sa.text("SELECT count(*), max(id) FROM site")).one()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(get_settings(database_url=url), engine=engine)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    deep = encode_cursor(int(sites[1] * 0.02))  # 98 % of the way down
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        for who, key in (("operator", operator), ("submitter", submitter)):
            for where, params in (("first page", {}), ("deep page", {"cursor": deep})):
                samples = []
                for _ in range(20):  # warm-up
                    http.get("/api/v1/sites", params=params, headers={"X-API-Key": key})
                for _ in range(200):
                    t0 = time.perf_counter()
                    r = http.get("/api/v1/sites", params={**params, "limit": 50}, headers={"X-API-Key": key})
                    samples.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200 and len(r.json()["items"]) == 50
                q = statistics.quantiles(samples, n=100)
                print(
                    f"  {label:10} GET /api/v1/sites {where:10} as {who:9} at {sites[0]:,} sites: "
                    f"p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms"
                )
    server.should_exit = True
    thread.join(timeout=10)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "sites.csv"
        make_csv(csv, ROWS)
        targets = [("SQLite", f"sqlite:///{tmp}/bench.db"), ("PostgreSQL", fresh_postgres("pw_bench_intake"))]
        for label, url in targets:
            seed(url)
            elapsed, peak = timed_import(url, csv)
            print(
                f"  {label:10} import {ROWS:,} rows: {elapsed:.1f} s, {ROWS / elapsed:,.0f} rows/s, peak RSS {peak:.0f} MB"
            )
            elapsed2, _ = timed_import(url, csv)
            print(f"  {label:10} re-import (nothing new): {elapsed2:.1f} s, {ROWS / elapsed2:,.0f} rows/s")
            page_latency(url, label)


if __name__ == "__main__":
    main()
