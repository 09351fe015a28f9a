"""``GET /metrics`` cold and warm, and while the workers run an estimate batch, on PostgreSQL.

SITES sites are submitted (the intake's own path) with a local rank list; the app runs under uvicorn
(one worker, as the scrape is one request at a time). Figures, each a scrape's wall time seen by
the client (httpx on loopback) and the exposition's size:

- **cold**: the first scrape of a new server process (nothing cached), REPEATS times, a new process each;
- **warm**: WARM scrapes in a row on an idle store (the collector reuses its cached part while the
  store's fingerprint holds);
- **during the batch**: the scheduler and WORKERS workers run the estimate job for every site (read
  the site, stream the rank list, store the estimate), while a scrape is made every SCRAPE_EVERY
  seconds, as Prometheus would: each new estimate changes the fingerprint, so most of these
  scrapes recompute.

Run: ``python -m benchmarks metrics`` (SITES=10000, WORKERS=2, REPEATS=3, WARM=20).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.common import session, settings_line, spread
from benchmarks.intake.run import fresh_postgres
from benchmarks.load.run import cpu_seconds
from benchmarks.takedown.run import done_jobs
from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.migrations import upgrade
from cases.tenants.services import create_association
from lab.http_util import free_port, wait_for_url

SITES = int(os.environ.get("SITES", "10000"))
WORKERS = int(os.environ.get("WORKERS", "2"))
REPEATS = int(os.environ.get("REPEATS", "3"))
WARM = int(os.environ.get("WARM", "20"))
SCRAPE_EVERY = float(os.environ.get("SCRAPE_EVERY", "1"))
BATCH_SECONDS = float(os.environ.get("BATCH_SECONDS", "120"))
ACTOR = Actor("bench")


def seed(url: str, ranks: Path) -> None:
    upgrade(url)
    factory = session_factory(make_engine(url))
    hosts = [f"bench-{i}.test" for i in range(SITES)]
    ranks.write_text("".join(f"{i + 1},{h}\n" for i, h in enumerate(hosts)))
    with transaction(factory) as db:
        association = create_association(db, "Bench", ACTOR).id or 0
    for start in range(0, SITES, 1000):
        with transaction(factory) as db:
            batch = [
                SiteIn.model_validate(
                    {"domains": [h], "source_ref": h, "languages": ["ja"], "content_types": ["manga"]}
                )
                for h in hosts[start : start + 1000]
            ]
            submit_sites(db, ACTOR, association, batch, via="api")


def scrape(client: httpx.Client) -> tuple[float, int]:
    """One scrape: its wall time (ms) and the exposition's size (bytes)."""
    start = time.perf_counter()
    answer = client.get("/metrics")
    elapsed = (time.perf_counter() - start) * 1000
    answer.raise_for_status()
    return elapsed, len(answer.content)


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.load.app:app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1", "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    host = f"http://127.0.0.1:{port}"
    wait_for_url(f"{host}/healthz", timeout=90, alive=lambda: server.poll() is None)
    return server, host


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=90)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main() -> None:
    with session("metrics"):
        print(
            settings_line(
                {"scrape interval": ("Prometheus's (15 s in dashboards/)", f"{SCRAPE_EVERY} s during the batch")}
            )
        )
        _main()


def _main() -> None:
    url = fresh_postgres(f"{os.environ.get('PIRATEWATCH_TEST_DB_PREFIX', 'pw')}_metrics_bench")
    with tempfile.TemporaryDirectory() as tmp:
        ranks = Path(tmp) / "ranks.csv"
        started = time.perf_counter()
        seed(url, ranks)
        print(f"  store: {SITES:,} sites submitted in {time.perf_counter() - started:.0f} s (PostgreSQL)")
        env = {
            **os.environ,
            "PIRATEWATCH_DATABASE_URL": url,
            "PIRATEWATCH_DATA_DIR": str(Path(tmp) / "data"),
            "PIRATEWATCH_TRAFFIC__RANK_LIST_PATH": str(ranks),
            "PIRATEWATCH_QUEUE__JOBS": '["estimate"]',
        }
        cold: list[float] = []
        warm: list[float] = []
        sizes: list[int] = []
        server_cpu: list[float] = []
        for _ in range(REPEATS):
            server, host = serve(env)
            try:
                with httpx.Client(base_url=host, timeout=120) as client:
                    before = cpu_seconds(server.pid)
                    ms, size = scrape(client)
                    server_cpu.append(cpu_seconds(server.pid) - before)
                    cold.append(ms)
                    sizes.append(size)
                    for _ in range(WARM):
                        warm.append(scrape(client)[0])
            finally:
                stop(server)
        print(
            f"  cold (first scrape of a new server, idle store): {spread(cold, ',.0f')} ms; server CPU "
            f"{spread([c * 1000 for c in server_cpu], ',.0f')} ms; {spread([float(s) for s in sizes])} bytes"
        )
        print(
            f"  warm ({WARM} in a row x {REPEATS}, idle store): p50 {statistics.median(warm):.1f} ms, p95 {p95(warm):.1f} ms"
        )
        server, host = serve(env)
        engine = make_engine(url)
        during: list[float] = []
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "piratewatch", command, "--log-level", "warning"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for command in ["scheduler", *["worker"] * WORKERS]
        ]
        try:
            with httpx.Client(base_url=host, timeout=120) as client:
                scrape(client)  # this server's first scrape is not counted: the cold figure is above
                deadline = time.monotonic() + 300
                while done_jobs(engine) == 0 and time.monotonic() < deadline:
                    time.sleep(0.5)
                first_done, began = done_jobs(engine), time.monotonic()
                while time.monotonic() - began < BATCH_SECONDS and done_jobs(engine) < SITES:
                    during.append(scrape(client)[0])
                    time.sleep(SCRAPE_EVERY)
                jobs = done_jobs(engine) - first_done
                seconds = time.monotonic() - began
        finally:
            for p in workers:
                p.terminate()
            for p in workers:
                p.wait(timeout=90)
            stop(server)
            engine.dispose()
    if not during:
        raise SystemExit("  no estimate job was done: no scrape during the batch")
    print(
        f"  during the estimate batch ({WORKERS} workers, {jobs:,} jobs done in {seconds:.0f} s = {jobs / seconds:,.0f}/s): "
        f"{len(during)} scrapes, p50 {statistics.median(during):.0f} ms, p95 {p95(during):.0f} ms, max {max(during):.0f} ms"
    )


if __name__ == "__main__":
    main()
