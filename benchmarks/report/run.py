"""Reports and metrics benchmark: 10,000 sites x 36 months of estimates, on SQLite and PostgreSQL.

1. ``piratewatch report monthly`` from the store, run as a command (imports included): wall time and
   the process's peak RSS (targets: <= 15 s, <= 1 GB).
2. ``GET /metrics`` on ``piratewatch serve`` over a socket: p50 / p95 / max of SCRAPES scrapes
   (target: <= 200 ms at 10,000 sites).

The synthetic store (fixed seed): 10,000 sites in 20 languages (5 % in two) and 9 content types,
36 months of estimates each (10 % of site-months computed twice), top-5 audience countries out of
60, plus 20,000 notices to 300 providers (a third actioned) and 5,000 infrastructure events.
Run: ``./run bench report`` (SITES=2000 for a quicker look; BACKENDS=sqlite for one store).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.intake.run import fresh_postgres
from cases.base import table_of
from cases.db import make_engine, session_factory, transaction, utcnow
from cases.infra.models import InfraEvent
from cases.migrations import upgrade
from cases.providers.models import Provider
from cases.sites.models import Domain, Site, SiteContentType, SiteLanguage
from cases.sqlutil import insert_returning_ids, insert_rows, refresh_statistics
from cases.takedown.models import Notice, TakedownCase
from cases.tenants.models import Association
from cases.traffic.models import TrafficEstimate
from exporters.figures.calendar import Month, zone

SITES = int(os.environ.get("SITES", "10000"))
MONTHS = 36
SCRAPES = int(os.environ.get("SCRAPES", "30"))
BACKENDS = os.environ.get("BACKENDS", "sqlite,postgresql").split(",")
LANGUAGES = [
    "ja",
    "en",
    "vi",
    "ko",
    "zh",
    "th",
    "id",
    "es",
    "pt",
    "fr",
    "de",
    "ru",
    "ar",
    "it",
    "pl",
    "tr",
    "ms",
    "tl",
    "nl",
    "uk",
]
CONTENT_TYPES = ["manga", "anime", "film", "tv", "music", "book", "game", "software", "other"]
COUNTRIES = [
    f"{a}{b}"
    for a, b in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH", "QRSTUVWXYZ" * 6, strict=False)
]
COUNTRIES[:6] = ["JP", "US", "VN", "KR", "CN", "GB"]


def populate(url: str, seed: int = 7) -> Month:
    """Load the synthetic store; returns the report month (the last complete one of the 36)."""
    rng = random.Random(seed)
    upgrade(url)
    factory = session_factory(make_engine(url))
    tz = zone("UTC")
    # 36 months up to the current one: /metrics shows the current month, the report the one before
    current = Month.containing(utcnow(), tz)
    last = current.shift(-1)
    months = current.span(MONTHS)
    now = utcnow()
    with transaction(factory) as session:
        first_seen = months[0].start - dt.timedelta(days=10)
        site_ids = insert_returning_ids(
            session,
            table_of(Site),
            [
                {
                    "name": f"site{i}.example",
                    "status": "active",
                    "first_seen_at": first_seen + dt.timedelta(days=i % 1000),
                    "last_seen_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(SITES)
            ],
        )
        insert_rows(
            session,
            table_of(Domain),
            [
                {
                    "site_id": s,
                    "fqdn": f"site{i}.example",
                    "fqdn_unicode": f"site{i}.example",
                    "registrable_domain": f"site{i}.example",
                    "is_ip": False,
                    "status": "active",
                    "first_seen_at": now,
                    "last_seen_at": now,
                }
                for i, s in enumerate(site_ids)
            ],
        )
        languages, types = [], []
        for s in site_ids:
            chosen = rng.sample(LANGUAGES[:8], 2) if rng.random() < 0.05 else [rng.choice(LANGUAGES)]
            languages += [{"site_id": s, "language": lang} for lang in chosen]
            types.append({"site_id": s, "content_type": rng.choice(CONTENT_TYPES)})
        insert_rows(session, table_of(SiteLanguage), languages)
        insert_rows(session, table_of(SiteContentType), types)
        estimates = []
        for s in site_ids:
            base = 10 ** rng.uniform(3, 7.5)
            countries = rng.sample(COUNTRIES, 5)
            shares = sorted((rng.random() for _ in range(5)), reverse=True)
            scale = rng.uniform(0.6, 0.95) / sum(shares)
            audience = [{"country": c, "share": round(x * scale, 4)} for c, x in zip(countries, shares, strict=True)]
            for k, month in enumerate(months):
                central = base * (1 + 0.02 * k) * rng.uniform(0.9, 1.1)
                for revision in range(2 if rng.random() < 0.1 else 1):
                    estimates.append(
                        {
                            "site_id": s,
                            "month": month.label,
                            "visits_low": central * 0.6,
                            "visits_central": central * (1 + 0.1 * revision),
                            "visits_high": central * 1.6,
                            "countries": audience,
                            "sources": ["rank:tranco"],
                            "method": {},
                            "computed_at": month.start.astimezone(dt.UTC) + dt.timedelta(days=1 + revision),
                        }
                    )
        insert_rows(session, table_of(TrafficEstimate), estimates)
        association = insert_returning_ids(session, table_of(Association), [{"name": "Bench", "created_at": now}])[0]
        providers = insert_returning_ids(
            session,
            table_of(Provider),
            [
                {
                    "name": f"provider{i}",
                    "kind": ["host", "cdn", "registrar", "search_engine"][i % 4],
                    "accepted_formats": [],
                    "expected_response_days": 7,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(300)
            ],
        )
        pairs = sorted({(rng.choice(site_ids), rng.choice(providers)) for _ in range(6000)})
        cases = insert_returning_ids(
            session,
            table_of(TakedownCase),
            [
                {"site_id": s, "provider_id": p, "step": "host", "status": "open", "opened_at": now, "updated_at": now}
                for s, p in pairs
            ],
        )
        notices = []
        for n in range(20_000):
            case = rng.randrange(len(cases))
            sent = months[rng.randrange(MONTHS)].start.astimezone(dt.UTC) + dt.timedelta(hours=rng.uniform(0, 600))
            actioned = rng.random() < 0.33
            notices.append(
                {
                    "case_id": cases[case],
                    "association_id": association,
                    "site_id": pairs[case][0],
                    "provider_id": pairs[case][1],
                    "legal_basis": "dmca_512c3",
                    "template": "dmca_512c3",
                    "state": "actioned" if actioned else "no_response",
                    "sender": {},
                    "idempotency_key": f"bench-{n}",
                    "sent_at": sent,
                    "closed_at": sent + dt.timedelta(hours=rng.uniform(1, 400)) if actioned else None,
                    "created_at": sent,
                    "updated_at": sent,
                }
            )
        insert_rows(session, table_of(Notice), notices)
        insert_rows(
            session,
            table_of(InfraEvent),
            [
                {
                    "site_id": rng.choice(site_ids),
                    "at": months[rng.randrange(MONTHS)].start.astimezone(dt.UTC) + dt.timedelta(days=3),
                    "kind": rng.choice(["redirects_to_domain", "new_host", "new_cdn", "ip_gone"]),
                }
                for _ in range(5000)
            ],
        )
        refresh_statistics(
            session, ["site", "site_language", "site_content_type", "traffic_estimate", "notice", "infra_event"]
        )
    return last


def _peak_rss_mb(pid: int) -> float | None:
    """The process's peak RSS since its exec (VmHWM), while it runs."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run_report(url: str, month: Month, out: Path) -> tuple[float, float, float]:
    """Seconds, CPU seconds and peak RSS (MB) of `piratewatch report monthly` as a command.

    The peak is read from /proc while the command runs: getrusage's ru_maxrss of a child also
    counts the memory of this process it was forked from (here, the whole synthetic store).
    """
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "piratewatch", "report", "monthly", month.label, "--out", str(out)],
        env={**os.environ, "PIRATEWATCH_DATABASE_URL": url, "PIRATEWATCH_DATA_DIR": str(out.parent)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            break
        peak = max(peak, _peak_rss_mb(process.pid) or 0.0)
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"report failed: {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_utime + usage.ru_stime, peak


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape_times(url: str, data_dir: Path) -> tuple[list[float], int, float, float]:
    """Milliseconds of each of SCRAPES scrapes of /metrics on `piratewatch serve`, the exposition size, and
    the server's CPU milliseconds per scrape (what a scrape costs, whatever else the machine does), and the
    milliseconds of the first scrape (cold: it computes the month's figures)."""
    from lab.http_util import free_port, wait_for_url

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "piratewatch", "serve", "--port", str(port)],
        env={**os.environ, "PIRATEWATCH_DATABASE_URL": url, "PIRATEWATCH_DATA_DIR": str(data_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_url(f"http://127.0.0.1:{port}/healthz", timeout=60, alive=lambda: server.poll() is None, status=None)
        with httpx.Client(timeout=30) as client:
            # The first scrape computes the month's figures (the cold case, after the store changed);
            # the next ones reuse them until an estimate or a site changes.
            start = time.perf_counter()
            client.get(f"http://127.0.0.1:{port}/metrics")
            cold = (time.perf_counter() - start) * 1000
            times, size = [], 0
            cpu_before = _cpu_seconds(server.pid)
            for _ in range(SCRAPES):
                start = time.perf_counter()
                response = client.get(f"http://127.0.0.1:{port}/metrics")
                times.append((time.perf_counter() - start) * 1000)
                size = len(response.content)
                response.raise_for_status()
            cpu = (_cpu_seconds(server.pid) - cpu_before) / SCRAPES * 1000
        return times, size, cpu, cold
    finally:
        server.terminate()
        server.wait(10)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    load = os.getloadavg()
    print(f"  {SITES:,} sites x {MONTHS} months; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="pw-bench-report-") as tmp:
        root = Path(tmp)
        for backend in BACKENDS:
            url = f"sqlite:///{root / 'store.db'}" if backend == "sqlite" else fresh_postgres("pw_bench_report")
            started = time.perf_counter()
            month = populate(url)
            loaded = time.perf_counter() - started
            seconds, cpu, rss = run_report(url, month, root / f"report-{backend}")
            times, size, scrape_cpu, cold = scrape_times(url, root)
            results[backend] = {"report": seconds, "rss": rss, "scrapes": times}
            label = "SQLite    " if backend == "sqlite" else "PostgreSQL"
            print(f"  {label} store loaded in {loaded:.0f} s")
            print(
                f"  {label} report monthly {month.label}: {seconds:.1f} s ({cpu:.1f} s of CPU), peak RSS {rss:.0f} MB "
                f"(targets: <= 15 s, <= 1024 MB)"
            )
            print(
                f"  {label} GET /metrics ({size / 1024:.0f} KiB): p50 {statistics.median(times):.0f} ms, "
                f"p95 {percentile(times, 0.95):.0f} ms, max {max(times):.0f} ms over {len(times)} scrapes, "
                f"{scrape_cpu:.0f} ms of server CPU each (target: <= 200 ms); the first, cold: {cold:.0f} ms"
            )
    load = os.getloadavg()
    print(f"  load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
