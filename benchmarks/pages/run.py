"""Reading pages of a large store: the API under 50 concurrent clients, the UI's pages under several.

The store (PostgreSQL) is bulk-loaded: SITES sites with a domain each, NOTICES notices of 20 items
each (ITEMS = 20 x NOTICES), each notice on a site of its own case (site i, provider i mod 100), 3
associations, states mixed (60 % in review, 10 % approved, 30 % sent), due times over four days.
The app runs under uvicorn (WORKERS processes, as ``piratewatch serve`` would be deployed) and
locust (``benchmarks/pages/locustfile.py``) drives it from its own process, closed-loop (each
client asks its next page when the last one is answered):

- **API**: API_CLIENTS (50) clients, operator key: a site, a sites search, the queue by recipient
  kind, a notice, the providers;
- **UI**: UI_CLIENTS (8) signed-in operators: the queue with random filters, notices by state, a
  site's page, the providers' page.

Each page is picked at random per request. The two phases alternate (API, UI, API, UI, ...)
REPEATS times, DURATION seconds each; per page kind the p50 and p95 (locust's) are printed as
median and spread over the runs, with requests/s and the server's CPU per request (the uvicorn
process tree; PostgreSQL's backends alive at the end of a run are printed apart). Run: ``python -m benchmarks pages``
(SITES=100000 NOTICES=50000 by default; smaller for a quick look).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from benchmarks.common import children_cpu, session, settings_line, spread
from benchmarks.intake.run import fresh_postgres
from benchmarks.load.run import cpu_seconds
from cases.audit.services import Actor
from cases.base import table_of
from cases.db import make_engine, session_factory, transaction, utcnow
from cases.migrations import upgrade
from cases.providers.models import Provider
from cases.sites.models import Domain, Site
from cases.sqlutil import insert_returning_ids, insert_rows, refresh_statistics
from cases.takedown.models import Notice, NoticeItem, TakedownCase
from cases.tenants.models import Association
from cases.tenants.roles import Role
from cases.tenants.services import create_api_key
from lab.http_util import free_port, wait_for_url

SITES = int(os.environ.get("SITES", "100000"))
NOTICES = int(os.environ.get("NOTICES", "50000"))
ITEMS_PER_NOTICE = 20
API_CLIENTS = int(os.environ.get("API_CLIENTS", "50"))
UI_CLIENTS = int(os.environ.get("UI_CLIENTS", "8"))
DURATION = int(os.environ.get("DURATION", "30"))
REPEATS = int(os.environ.get("REPEATS", "2"))
WORKERS = int(os.environ.get("WORKERS", "2"))
HERE = Path(__file__).parent
STATES = ["in_review"] * 6 + ["approved"] + ["sent"] * 3


def build(url: str) -> str:
    """Load the store; returns an operator's API key."""
    upgrade(url)
    factory = session_factory(make_engine(url))
    now = utcnow()
    stamps = {"created_at": now, "updated_at": now}
    with transaction(factory) as db:
        associations = insert_returning_ids(
            db, table_of(Association), [{"name": f"A{i}", "created_at": now} for i in range(3)]
        )
        _, key = create_api_key(db, db.get_one(Association, associations[0]), Role.OPERATOR, Actor("bench"))
        providers = insert_returning_ids(
            db,
            table_of(Provider),
            [
                {
                    "name": f"Provider {i}",
                    "kind": ["host", "cdn", "registrar", "search_engine"][i % 4],
                    "accepted_formats": [],
                    "expected_response_days": 7,
                    "abuse_email": f"abuse@p{i}.example",
                    **stamps,
                }
                for i in range(100)
            ],
        )
    sites: list[int] = []
    for start in range(0, SITES, 20_000):
        chunk = range(start, min(start + 20_000, SITES))
        with transaction(factory) as db:
            ids = insert_returning_ids(
                db,
                table_of(Site),
                [
                    {
                        "name": f"pirate-{i}.test",
                        "status": "active",
                        "first_seen_at": now,
                        "last_seen_at": now,
                        **stamps,
                    }
                    for i in chunk
                ],
            )
            insert_rows(
                db,
                table_of(Domain),
                [
                    {
                        "site_id": s,
                        "fqdn": f"pirate-{i}.test",
                        "fqdn_unicode": f"pirate-{i}.test",
                        "registrable_domain": f"pirate-{i}.test",
                        "is_ip": False,
                        "status": "active",
                        "first_seen_at": now,
                        "last_seen_at": now,
                    }
                    for i, s in zip(chunk, ids, strict=True)
                ],
            )
            sites += ids
    for start in range(0, NOTICES, 10_000):
        chunk = range(start, min(start + 10_000, NOTICES))
        with transaction(factory) as db:
            cases = insert_returning_ids(
                db,
                table_of(TakedownCase),
                [
                    {
                        "site_id": sites[i % SITES],
                        "provider_id": providers[i % 100],
                        "step": "host",
                        "status": "open",
                        "opened_at": now,
                        "updated_at": now,
                    }
                    for i in chunk
                ],
            )
            rows = []
            for i, case in zip(chunk, cases, strict=True):
                state = STATES[i % len(STATES)]
                rows.append(
                    {
                        "case_id": case,
                        "association_id": associations[i % 3],
                        "site_id": sites[i % SITES],
                        "provider_id": providers[i % 100],
                        "legal_basis": "dmca_512c3",
                        "template": "dmca_512c3",
                        "state": state,
                        "sender": {},
                        "rendered_text": f"Subject: notice {i}\n\nnotice {i}\n",
                        "rendered_sha256": "0" * 64,
                        "idempotency_key": uuid.uuid4().hex,
                        "due_at": now + dt.timedelta(hours=i % 96),
                        "sent_at": now if state == "sent" else None,
                        **stamps,
                    }
                )
            notices = insert_returning_ids(db, table_of(Notice), rows)
            insert_rows(
                db,
                table_of(NoticeItem),
                [
                    {
                        "notice_id": n,
                        "url": f"https://pirate-{i % SITES}.test/{n}/{j}",
                        "item_key": f"{n:032x}{j:032x}",
                        "outcome": "pending",
                    }
                    for i, n in zip(chunk, notices, strict=True)
                    for j in range(ITEMS_PER_NOTICE)
                ],
            )
    with transaction(factory) as db:
        refresh_statistics(db, ["site", "domain", "takedown_case", "notice", "notice_item", "provider"])
    return key


def locust(host: str, key: str, user_class: str, clients: int, out: Path) -> tuple[list[dict[str, str]], float]:
    """One locust run of `clients` users of `user_class`; its stats rows and its own CPU seconds."""
    env = {
        **os.environ,
        "PAGES_API_KEY": key,
        "PAGES_SITES": str(SITES),
        "PAGES_NOTICES": str(NOTICES),
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--host", host,
        "-u", str(clients), "-r", str(clients), "-t", f"{DURATION}s", "--csv", str(out), "--only-summary",
        "--loglevel", "WARNING", "--stop-timeout", "10", user_class,
    ]  # fmt: skip
    before = children_cpu()
    subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with Path(f"{out}_stats.csv").open() as f:
        return list(csv.DictReader(f)), children_cpu() - before


def backends_cpu(engine: sa.Engine, database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving `database` now, by process id."""
    with engine.connect() as conn:
        pids = conn.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"),
            {"db": database},
        ).scalars()
        return {int(p): cpu_seconds(int(p)) for p in pids}


def backends_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the backends alive at the end used since `before` (one that ended meanwhile is not counted)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def main() -> None:
    with session("pages"):
        print(
            settings_line(
                {
                    "clients": ("people and integrations with pauses", "closed loop, no pause between requests"),
                    "server": ("behind a TLS proxy", f"uvicorn on loopback, {WORKERS} workers, plain HTTP"),
                }
            )
        )
        _main()


def _main() -> None:
    database = f"{os.environ.get('PIRATEWATCH_TEST_DB_PREFIX', 'pw')}_pages_bench"
    url = fresh_postgres(database)
    started = time.perf_counter()
    key = build(url)
    print(
        f"  store: {SITES:,} sites, {NOTICES:,} notices, {NOTICES * ITEMS_PER_NOTICE:,} notice items, 100 providers "
        f"(PostgreSQL), built in {time.perf_counter() - started:.0f} s"
    )
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.load.app:app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(WORKERS), "--log-level", "warning", "--no-access-log"],
        env={**os.environ, "PIRATEWATCH_DATABASE_URL": url},
    )  # fmt: skip
    engine = make_engine(url)
    results: dict[str, list[dict[str, str]]] = {}
    totals: dict[str, list[tuple[float, float, float, float, int]]] = {}
    try:
        wait_for_url(f"{host}/healthz", timeout=90, alive=lambda: server.poll() is None)
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(REPEATS):
                for phase, user_class, clients in [("API", "ApiReader", API_CLIENTS), ("UI", "UiReader", UI_CLIENTS)]:
                    server_before, db_before = cpu_seconds(server.pid), backends_cpu(engine, database)
                    rows, locust_cpu = locust(host, key, user_class, clients, Path(tmp) / f"{phase}-{run}")
                    server_cpu = cpu_seconds(server.pid) - server_before
                    db_cpu = backends_used(db_before, backends_cpu(engine, database))
                    for row in rows:
                        results.setdefault(row["Name"], []).append(row)
                    total = next(r for r in rows if r["Name"] == "Aggregated")
                    requests = int(total["Request Count"])
                    totals.setdefault(phase, []).append(
                        (float(total["Requests/s"]), server_cpu, db_cpu, locust_cpu, requests)
                    )
    finally:
        server.terminate()
        server.wait(timeout=30)
        engine.dispose()
    for phase, clients in [("API", API_CLIENTS), ("UI", UI_CLIENTS)]:
        runs = totals[phase]
        requests = sum(r[4] for r in runs)
        print(
            f"  {phase}, {clients} concurrent clients, {DURATION} s x {len(runs)} runs: {spread([r[0] for r in runs])} "
            f"requests/s; CPU per request: server {sum(r[1] for r in runs) / requests * 1000:.1f} ms, PostgreSQL "
            f"{sum(r[2] for r in runs) / requests * 1000:.1f} ms, locust {sum(r[3] for r in runs) / requests * 1000:.1f} ms"
        )
        for name, rows in sorted(results.items()):
            if not name.startswith(phase + " ") or "sign-in" in name:
                continue
            failures = sum(int(r["Failure Count"]) for r in rows)
            count = sum(int(r["Request Count"]) for r in rows)
            print(
                f"    {name}: p50 {spread([float(r['50%']) for r in rows])} ms, p95 {spread([float(r['95%']) for r in rows])} ms; "
                f"{count:,} requests, {failures} failed"
            )
    failed = sum(int(r["Failure Count"]) for rows in results.values() for r in rows if "Aggregated" not in r["Name"])
    print(f"  failed requests in all: {failed}")
    if failed:
        raise SystemExit(1)
