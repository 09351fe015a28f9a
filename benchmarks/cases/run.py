"""Takedown benchmark on PostgreSQL: queue page p95, claims/s with 8 concurrent operators (zero double
claims), then notices/s sent with the pre-send re-check on and off (:mod:`benchmarks.cases.sending`).

Targets (issue): queue page p95 <= 50 ms, >= 500 claims/s, >= 200 notices/s sent, at 1,000,000 notice items.
Run: ``python -m benchmarks cases`` (ITEMS=200000 for a quicker look; SENDS, REPEATS, URL_COUNT for the sending part).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import sqlalchemy as sa

from benchmarks.cases import sending
from benchmarks.common import session, settings_line
from benchmarks.intake.run import fresh_postgres
from benchmarks.load.run import cpu_seconds
from cases.audit.services import Actor
from cases.base import table_of
from cases.db import make_engine, session_factory, transaction, utcnow
from cases.migrations import upgrade
from cases.providers.models import Provider
from cases.sites.models import Site
from cases.sqlutil import insert_returning_ids, insert_rows, refresh_statistics
from cases.takedown.models import Notice, NoticeItem, TakedownCase
from cases.takedown.review import QueueFilters, claim_next, list_queue
from cases.tenants.models import Association
from cases.tenants.roles import Role
from cases.tenants.services import create_api_key
from lab.http_util import free_port, wait_for_url

ITEMS = int(os.environ.get("ITEMS", "1000000"))
ITEMS_PER_NOTICE = 20
CLAIMERS = 8
CLAIMS = int(os.environ.get("CLAIMS", "4000"))


def load(url: str) -> int:
    """`ITEMS` notice items in ITEMS / 20 notices, all in review, over 100 providers and 3 associations."""
    factory = session_factory(make_engine(url))
    notices = ITEMS // ITEMS_PER_NOTICE
    now = utcnow()
    with transaction(factory) as session:
        associations = insert_returning_ids(
            session, table_of(Association), [{"name": f"A{i}", "created_at": now} for i in range(3)]
        )
        site = insert_returning_ids(
            session,
            table_of(Site),
            [
                {
                    "name": "bench.example",
                    "status": "active",
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )[0]
        providers = insert_returning_ids(
            session,
            table_of(Provider),
            [
                {
                    "name": f"P{i}",
                    "kind": ["host", "cdn", "registrar", "search_engine"][i % 4],
                    "accepted_formats": [],
                    "expected_response_days": 7,
                    "abuse_email": f"abuse@p{i}.example",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(100)
            ],
        )
        cases = insert_returning_ids(
            session,
            table_of(TakedownCase),
            [
                {
                    "site_id": site,
                    "provider_id": p,
                    "step": "host",
                    "status": "open",
                    "opened_at": now,
                    "updated_at": now,
                }
                for p in providers
            ],
        )
        rows = [
            {
                "case_id": cases[i % 100],
                "association_id": associations[i % 3],
                "site_id": site,
                "provider_id": providers[i % 100],
                "legal_basis": "dmca_512c3",
                "template": "dmca_512c3",
                "state": "in_review",
                "sender": {},
                "rendered_text": f"Subject: bench {i}\n\nnotice {i}\n",
                "rendered_sha256": "0" * 64,
                "idempotency_key": uuid.uuid4().hex,
                "due_at": now + dt_hours(i % 96),
                "created_at": now,
                "updated_at": now,
            }
            for i in range(notices)
        ]
        ids = insert_returning_ids(session, table_of(Notice), rows)
        items = [
            {
                "notice_id": n,
                "url": f"https://bench.example/{n}/{j}",
                "item_key": f"{n:032x}{j:032x}",
                "outcome": "pending",
            }
            for n in ids
            for j in range(ITEMS_PER_NOTICE)
        ]
        for start in range(0, len(items), 100_000):
            insert_rows(session, table_of(NoticeItem), items[start : start + 100_000])
        refresh_statistics(session, ["notice", "notice_item", "provider"])
    return notices


def dt_hours(hours: int) -> Any:
    import datetime as dt

    return dt.timedelta(hours=hours)


def queue_pages(url: str) -> None:
    factory = session_factory(make_engine(url))
    filters = [
        QueueFilters(),
        QueueFilters(recipient_kind="cdn"),
        QueueFilters(association_id=2),
        QueueFilters(due_within=dt_hours(12)),
    ]
    timings = []
    for i in range(200):
        with factory() as session:
            start = time.perf_counter()
            page = list_queue(session, filters[i % len(filters)], 50)
            timings.append((time.perf_counter() - start) * 1000)
            assert page
    timings.sort()
    print(
        f"queue page (50 rows, 4 filter mixes): p50 {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms"
    )


def _all_at_once(operator: Callable[[int], None]) -> float:
    """Run `operator` 0 … CLAIMERS-1 in threads at once; the seconds until the last one finished."""
    threads = [threading.Thread(target=operator, args=(i,)) for i in range(CLAIMERS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def claims(url: str) -> None:
    factory = session_factory(make_engine(url, pool_size=CLAIMERS))
    got: dict[int, list[int]] = {i: [] for i in range(CLAIMERS)}
    per = CLAIMS // CLAIMERS

    def operator(i: int) -> None:
        actor = Actor(f"bench:op{i}")
        for _ in range(per):
            with transaction(factory) as session:
                notice = claim_next(session, actor)
                if notice is None:
                    return
                got[i].append(notice.id or 0)

    elapsed = _all_at_once(operator)
    every = [n for ids in got.values() for n in ids]
    print(
        f"claims: {len(every)} by {CLAIMERS} operators in {elapsed:.2f} s = {len(every) / elapsed:.0f} claims/s; "
        f"double claims: {len(every) - len(set(every))}"
    )


def claims_over_http(url: str) -> None:
    """The same claims through ``POST /api/v1/queue/claim``: 8 operators, each with an API key of its own
    and one keep-alive connection, against uvicorn (2 workers) on loopback; every answer's notice id is
    kept, so a double claim across the HTTP path (two workers, two sessions) would show."""
    factory = session_factory(make_engine(url))
    with transaction(factory) as db:
        association = db.get(Association, db.scalar(sa.select(table_of(Association).c.id).limit(1)))
        assert association is not None
        keys = [create_api_key(db, association, Role.OPERATOR, Actor(f"bench:http{i}"))[1] for i in range(CLAIMERS)]
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.load.app:app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "2", "--log-level", "warning", "--no-access-log"],
        env={**os.environ, "PIRATEWATCH_DATABASE_URL": url},
    )  # fmt: skip
    got: dict[int, list[int]] = {i: [] for i in range(CLAIMERS)}
    failed: list[int] = []
    per = CLAIMS // CLAIMERS
    try:
        wait_for_url(f"{host}/healthz", timeout=90, alive=lambda: server.poll() is None)

        def operator(i: int) -> None:
            with httpx.Client(base_url=host, headers={"X-API-Key": keys[i]}, timeout=30) as http:
                for _ in range(per):
                    answer = http.post("/api/v1/queue/claim")
                    if answer.status_code == 204:
                        return
                    if answer.status_code != 200:
                        failed.append(answer.status_code)
                        continue
                    got[i].append(int(answer.json()["id"]))

        before = cpu_seconds(server.pid)
        elapsed = _all_at_once(operator)
        server_cpu = cpu_seconds(server.pid) - before
    finally:
        server.terminate()
        server.wait(timeout=30)
    every = [n for ids in got.values() for n in ids]
    print(
        f"claims over HTTP: {len(every)} by {CLAIMERS} operators (API keys, uvicorn 2 workers) in {elapsed:.2f} s = "
        f"{len(every) / elapsed:.0f} claims/s; server CPU {server_cpu / max(1, len(every)) * 1000:.1f} ms a claim; "
        f"double claims: {len(every) - len(set(every))}; failed answers: {len(failed)}"
    )


def main() -> None:
    with session("takedown"):
        print(
            settings_line(
                {
                    "notices": ("over many sites", "all on one site"),
                    "queue pages": ("through the HTTP API and the UI", "in-process calls"),
                }
            )
        )
        _main()


def _main() -> None:
    url = fresh_postgres(f"{os.environ.get('PIRATEWATCH_TEST_DB_PREFIX', 'pw')}_takedown_bench")
    upgrade(url)
    start = time.perf_counter()
    notices = load(url)
    print(
        f"loaded {notices:,} notices / {notices * ITEMS_PER_NOTICE:,} notice items in {time.perf_counter() - start:.1f} s (PostgreSQL)"
    )
    queue_pages(url)
    claims(url)
    claims_over_http(url)
    # Sending: its own store of drafted notices over many sites, the re-check on and off (benchmarks/cases/sending.py).
    sending.main()
