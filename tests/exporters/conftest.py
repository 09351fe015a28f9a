"""A synthetic world of sites with fourteen months of estimates and events, its known totals, and a
real Prometheus loaded with its history (backfilled) and scraping the app live.

The known totals are computed here from the world's own description, by plain arithmetic that
does not use the exporters' code, so the report's tables can be checked against them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from cases.audit.models import AuditEvent
from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction, utcnow
from cases.infra.models import InfraEvent, ResolutionSnapshot
from cases.migrations import upgrade
from cases.providers.models import Provider
from cases.sites.models import Domain, Site, SiteContentType, SiteLanguage, SiteStatus
from cases.takedown.models import Notice, NoticeState, TakedownCase
from cases.tenants.models import Association
from cases.traffic.schemas import CountryShare, EstimateIn
from cases.traffic.services import record_estimate
from exporters.config import MetricsSettings
from exporters.figures.calendar import Month, zone
from lab.http_util import ThreadedServer, free_port, wait_for_url

TZ = "Asia/Tokyo"
MARKET = "JP"
METRICS = MetricsSettings(timezone=TZ, market=MARKET, top_sites=8, top_per_group=3, top_providers=5)


@dataclass
class SiteSpec:
    """One site of the world: what it is, and what its estimates are."""

    name: str
    languages: list[str]
    content_types: list[str]
    #: top countries and their shares; the rest of the audience is "other"
    countries: dict[str, float]
    base: float
    status: str = "active"
    id: int = 0

    def central(self, index: int) -> float:
        """Central visits in the world's month number `index` (grows 3 % a month)."""
        return float(round(self.base * (1 + 0.03 * index)))


def _sites() -> list[SiteSpec]:
    specs = []
    for i in range(8):  # Japanese manga sites, read in Japan
        specs.append(
            SiteSpec(f"raw{i}.test", ["ja"], ["manga"], {"JP": 0.85, "US": 0.05, "TW": 0.03}, 4_000_000 - 300_000 * i)
        )
    for i in range(6):  # English sites, read everywhere
        specs.append(
            SiteSpec(
                f"scans{i}.test",
                ["en"],
                ["manga"] if i % 2 else ["anime"],
                {"US": 0.3, "GB": 0.1, "PH": 0.1, "IN": 0.08, "JP": 0.02},
                9_000_000 - 1_000_000 * i,
            )
        )
    for i in range(4):  # Vietnamese sites, read in Viet Nam
        specs.append(
            SiteSpec(f"truyen{i}.test", ["vi"], ["manga"], {"VN": 0.97, "US": 0.01}, 6_000_000 - 1_000_000 * i)
        )
    specs.append(SiteSpec("drama0.test", ["ko"], ["tv"], {"KR": 0.7, "JP": 0.1, "US": 0.1}, 2_500_000))
    specs.append(
        SiteSpec("films0.test", ["en"], ["film"], {"US": 0.4, "GB": 0.2, "CA": 0.1, "AU": 0.1, "DE": 0.1}, 3_000_000)
    )
    # in two languages and two content types: half its visits in each
    specs.append(SiteSpec("both0.test", ["en", "ja"], ["anime", "manga"], {"JP": 0.5, "US": 0.3}, 5_000_000))
    # no language, content type or country breakdown: und, other, unknown
    specs.append(SiteSpec("bare0.test", [], [], {}, 1_000_000))
    # merged into another site: its estimates are left out
    specs.append(SiteSpec("merged0.test", ["ja"], ["manga"], {"JP": 1.0}, 7_000_000, status="merged"))
    return specs


@dataclass
class World:
    """The world as built, and what its totals must be."""

    tz: str
    #: the report month (the last complete month) and the months with estimates, oldest first
    month: Month
    months: list[Month]
    current: Month
    sites: list[SiteSpec]
    factory: sessionmaker[Session]
    url: str
    #: the events put in, by month label: {"notices_sent": 2, ...}
    events: dict[str, dict[str, int]] = field(default_factory=dict)

    def index(self, month: Month) -> int:
        return [m.label for m in self.months].index(month.label)

    def counted(self) -> list[SiteSpec]:
        return [s for s in self.sites if s.status != "merged"]

    def expected(self, month: Month) -> dict[str, Any]:
        """Known totals of `month`: total and by language, country and content type (low, central, high)."""
        k = self.index(month)
        totals = [0.0, 0.0, 0.0]
        by: dict[str, dict[str, list[float]]] = {
            n: defaultdict(lambda: [0.0, 0.0, 0.0]) for n in ("lang", "ct", "country")
        }
        for s in self.counted():
            c = s.central(k)
            bands = [c * 0.6, c, c * 1.5]
            for j in range(3):
                totals[j] += bands[j]
            langs = s.languages or ["und"]
            for lang in langs:
                for j in range(3):
                    by["lang"][lang][j] += bands[j] / len(langs)
            types = s.content_types or ["other"]
            for ct in types:
                for j in range(3):
                    by["ct"][ct][j] += bands[j] / len(types)
            shares = dict(s.countries) or {"unknown": 1.0}
            rest = 1.0 - sum(shares.values())
            if rest > 1e-9:
                shares["other"] = rest
            for country, share in shares.items():
                for j in range(3):
                    by["country"][country][j] += bands[j] * share
        return {"total": totals, **{k2: dict(v) for k2, v in by.items()}}


def _add_estimates(session: Session, world: World) -> None:
    actor = Actor("test:world")
    for spec in world.sites:
        for k, month in enumerate(world.months):
            c = spec.central(k)
            estimate = EstimateIn(
                month=month.label,
                visits_low=c * 0.6,
                visits_central=c,
                visits_high=c * 1.5,
                countries=[CountryShare(country=code, share=share) for code, share in spec.countries.items()],
                sources=["rank:tranco"] if k % 2 else ["rank:tranco", "traffic-api"],
            )
            if spec.name == "raw0.test" and month == world.month:
                # an older computation of the same month, superseded by the newer one below
                stale = estimate.model_copy(update={"visits_central": c * 10, "visits_high": c * 15})
                record_estimate(session, actor, spec.id, stale)
            record_estimate(session, actor, spec.id, estimate)


def _add_events(session: Session, world: World) -> None:
    """Notices, hops, host changes, a domain gone and a closure, at chosen times in chosen months."""
    association = Association(name="Test publishers")
    host = Provider(name="Bulletproof Hosting", kind="host", country="NL", abuse_email="abuse@bp.test")
    cdn = Provider(name="Edge CDN", kind="cdn", abuse_email="abuse@cdn.test")
    session.add_all([association, host, cdn])
    session.flush()
    by_name = {s.name: s for s in world.sites}
    events: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    m = world.month
    tz = zone(world.tz)

    def at(month: Month, day: int, hour: int = 12) -> dt.datetime:
        return dt.datetime(month.year, month.month, day, hour, tzinfo=tz).astimezone(dt.UTC)

    def notice(site: str, provider: Provider, sent: dt.datetime, actioned: dt.datetime | None) -> None:
        case = session.exec(
            select(TakedownCase).where(
                TakedownCase.site_id == by_name[site].id, TakedownCase.provider_id == provider.id
            )
        ).first()
        if case is None:
            case = TakedownCase(site_id=by_name[site].id, provider_id=provider.id or 0, step=provider.kind)
            session.add(case)
            session.flush()
        session.add(
            Notice(
                case_id=case.id or 0,
                association_id=association.id or 0,
                site_id=by_name[site].id,
                provider_id=provider.id or 0,
                legal_basis="dmca_512c3",
                template="dmca_512c3",
                state=NoticeState.ACTIONED if actioned else NoticeState.NO_RESPONSE,
                idempotency_key=f"k-{site}-{sent.timestamp()}",
                sent_at=sent,
                closed_at=actioned,
            )
        )

    # report month: three notices to the top Japanese site's host, two actioned within days
    for day, hours in ((3, 50), (10, 5 * 24), (20, None)):
        sent = at(m, day)
        notice("raw0.test", host, sent, sent + dt.timedelta(hours=hours) if hours else None)
        events[m.label]["notices_sent"] += 1
        if hours:
            events[m.label]["notices_actioned"] += 1
    # half an hour into the report month in Tokyo, still the previous month in UTC
    boundary = m.start.astimezone(dt.UTC) + dt.timedelta(minutes=30)
    notice("scans0.test", cdn, boundary, boundary + dt.timedelta(hours=3))
    events[m.label]["notices_sent"] += 1
    events[m.label]["notices_actioned"] += 1
    # two months before: a Vietnamese site hops to a new domain
    hop_month = m.shift(-2)
    session.add(
        InfraEvent(
            site_id=by_name["truyen0.test"].id,
            at=at(hop_month, 15),
            kind="redirects_to_domain",
            old_value="truyen0.test",
            new_value="truyen0-new.test",
        )
    )
    events[hop_month.label]["domain_hops"] += 1
    events[hop_month.label]["sites_hopped"] += 1
    # last month: raw1.test moves host (its domain was resolved before), and drama0.test's domain dies
    prev = m.shift(-1)
    for name, kind, old, new, addresses in (
        ("raw1.test", "new_host", None, "AS64500 Other Host", ["192.0.2.7"]),
        ("drama0.test", "ip_gone", "192.0.2.9", None, []),
    ):
        domain = session.exec(select(Domain).where(Domain.site_id == by_name[name].id)).one()
        first = ResolutionSnapshot(
            site_id=domain.site_id, domain_id=domain.id or 0, resolved_at=at(prev.shift(-3), 1), addresses=["192.0.2.1"]
        )
        later = ResolutionSnapshot(
            site_id=domain.site_id, domain_id=domain.id or 0, resolved_at=at(prev, 8), addresses=addresses
        )
        session.add_all([first, later])
        session.flush()
        session.add(
            InfraEvent(
                site_id=domain.site_id,
                domain_id=domain.id,
                snapshot_id=later.id,
                at=later.resolved_at,
                kind=kind,
                old_value=old,
                new_value=new,
            )
        )
    events[prev.label]["host_changes"] += 1
    events[prev.label]["domains_gone"] += 1
    # a first resolution is no host change
    domain = session.exec(select(Domain).where(Domain.site_id == by_name["raw2.test"].id)).one()
    snap = ResolutionSnapshot(
        site_id=domain.site_id, domain_id=domain.id or 0, resolved_at=at(prev, 9), addresses=["192.0.2.8"]
    )
    session.add(snap)
    session.flush()
    session.add(
        InfraEvent(
            site_id=domain.site_id,
            domain_id=domain.id,
            snapshot_id=snap.id,
            at=snap.resolved_at,
            kind="new_host",
            new_value="AS64501 First Host",
        )
    )
    # an operator closed a site last month
    session.add(
        AuditEvent(
            at=at(prev, 20),
            actor="test",
            action="update",
            entity_type="site",
            entity_id=str(by_name["films0.test"].id),
            field="status",
            old_value="active",
            new_value="closed",
        )
    )
    events[prev.label]["sites_closed"] += 1
    world.events = {k: dict(v) for k, v in events.items()}


def build_world(url: str, now: dt.datetime | None = None) -> World:
    """Create the world in the (migrated, empty) store at `url`."""
    now = now or utcnow()
    tz = zone(TZ)
    current = Month.containing(now, tz)
    month = current.shift(-1)
    months = current.span(15)  # fourteen complete months and the current one
    factory = session_factory(make_engine(url))
    world = World(TZ, month, months, current, _sites(), factory, url)
    with transaction(factory) as session:
        first_seen = months[0].start.astimezone(dt.UTC) - dt.timedelta(days=40)
        for spec in world.sites:
            site = Site(name=spec.name, status=SiteStatus(spec.status), first_seen_at=first_seen)
            session.add(site)
            session.flush()
            spec.id = site.id or 0
            session.add(
                Domain(
                    site_id=spec.id,
                    fqdn=spec.name,
                    fqdn_unicode=spec.name,
                    registrable_domain=spec.name,
                    first_seen_at=first_seen,
                )
            )
            session.add_all(SiteLanguage(site_id=spec.id, language=lang) for lang in spec.languages)
            session.add_all(SiteContentType(site_id=spec.id, content_type=ct) for ct in spec.content_types)
        # two new sites in the report month (one of them with no estimate at all)
        for name in ("new0.test", "new1.test"):
            session.add(Site(name=name, first_seen_at=month.start.astimezone(dt.UTC) + dt.timedelta(days=4)))
        session.flush()
        _add_estimates(session, world)
        _add_events(session, world)
    world.events.setdefault(month.label, {})
    world.events[month.label]["sites_new"] = 2
    return world


@pytest.fixture
def make_world() -> Callable[[str], World]:
    """Build the world in another store (a command's own SQLite file)."""
    return build_world


@pytest.fixture
def world(db_url: str) -> World:
    """The world on an empty store (SQLite and PostgreSQL)."""
    return build_world(db_url)


@pytest.fixture
def command_world(tmp_path: Path, sqlite_template: Path) -> tuple[World, dict[str, str]]:
    """The world in a SQLite file of its own, and the environment a `piratewatch` command needs to read it."""
    shutil.copy(sqlite_template, tmp_path / "store.db")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    env = {
        "PIRATEWATCH_DATABASE_URL": url,
        "PIRATEWATCH_DATA_DIR": str(tmp_path),
        "PIRATEWATCH_METRICS__TOP_SITES": "8",
        "PIRATEWATCH_METRICS__TOP_PER_GROUP": "3",
        "PIRATEWATCH_REPORTS__TOP_PER_LANGUAGE": "3",
        "PIRATEWATCH_REPORTS__TOP_SITES": "5",
    }
    return build_world(url), env


def served_app(url: str, data_dir: Path, metrics: MetricsSettings) -> ThreadedServer:
    """The piratewatch app on a loopback port, in a thread; started once ``/healthz`` answers (use ``with``)."""
    from piratewatch.config import get_settings
    from piratewatch.services import Services
    from piratewatch.web.app import create_app

    settings = get_settings(data_dir=data_dir, database_url=url, metrics=metrics)
    return ThreadedServer(create_app(Services.from_settings(settings)), ready_path="/healthz", timeout=20)


@pytest.fixture
def serve(tmp_path: Path) -> Callable[..., ThreadedServer]:
    """Serve the app on a store: ``with serve(url) as app:`` (metrics settings: the world's, unless given)."""

    def start(url: str, metrics: MetricsSettings | None = None) -> ThreadedServer:
        return served_app(url, tmp_path, metrics or METRICS)

    return start


class Prometheus:
    """Debian's prometheus on a free loopback port, with a temporary storage and a long retention."""

    def __init__(self, root: Path, scrape_target: str | None = None) -> None:
        self.root = root
        self.data = root / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        scrape = ""
        if scrape_target:
            scrape = (
                "  - job_name: piratewatch\n"
                "    scrape_interval: 1s\n"
                "    scrape_timeout: 1s\n"
                f"    static_configs: [{{targets: ['{scrape_target}']}}]\n"
            )
        (root / "prometheus.yml").write_text(f"global: {{scrape_interval: 15s}}\nscrape_configs:\n{scrape or '  []'}\n")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def load(self, openmetrics_files: list[Path]) -> None:
        """Turn OpenMetrics files into TSDB blocks (before the server starts)."""
        for path in openmetrics_files:
            subprocess.run(
                ["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(path), str(self.data)],
                check=True,
                capture_output=True,
            )

    def __enter__(self) -> Prometheus:
        log = (self.root / "prometheus.log").open("wb")
        self.process = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={self.root / 'prometheus.yml'}",
                f"--storage.tsdb.path={self.data}",
                "--storage.tsdb.retention.time=20y",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process = self.process
        try:
            wait_for_url(f"{self.url}/-/ready", timeout=30, alive=lambda: process.poll() is None)
        except RuntimeError:
            raise RuntimeError(
                f"prometheus did not start: {(self.root / 'prometheus.log').read_text()[-2000:]}"
            ) from None
        return self

    def __exit__(self, *_: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        params = {"query": expr, **({"time": f"{at:.3f}"} if at is not None else {})}
        body = httpx.get(f"{self.url}/api/v1/query", params=params, timeout=30).json()
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def wait_until(self, expr: str, value: float, timeout: float = 30) -> None:
        """Until `expr` evaluates to `value` (a change in the store reached Prometheus)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.query(expr)
            if found and float(found[0]["value"][1]) == value:
                return
            time.sleep(0.5)
        raise RuntimeError(f"{expr} never became {value}")

    def wait_for_scrapes(self, count: int = 3, timeout: float = 30) -> None:
        """Until the target was scraped `count` times (counted over the last minute)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.query("count_over_time(piratewatch_store_up[1m])")
            if found and float(found[0]["value"][1]) >= count:
                return
            time.sleep(0.5)
        raise RuntimeError("prometheus did not scrape the app")


@dataclass
class LoadedPrometheus:
    """A world on SQLite, its app serving /metrics, and a Prometheus with its history and live scrapes."""

    world: World
    prometheus: Prometheus
    app: ThreadedServer


@pytest.fixture(scope="session")
def loaded_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedPrometheus]:
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        pytest.fail("prometheus and promtool are needed (apt-get install prometheus; ./run test installs them)")
    from exporters.metrics import write_history
    from exporters.metrics.collector import rules_of

    root = tmp_path_factory.mktemp("prometheus-world")
    url = f"sqlite:///{root / 'store.db'}"
    upgrade(url)
    world = build_world(url)
    _add_operation_counts(world.factory)
    files = write_history(
        world.factory, world.months[:-1], rules_of(METRICS), root / "history", utcnow(), {"job": "piratewatch"}
    )
    with served_app(url, root, METRICS) as app:
        prometheus = Prometheus(root / "prometheus", scrape_target=f"127.0.0.1:{app.port}")
        prometheus.load(files)
        with prometheus:
            prometheus.wait_for_scrapes()
            # Then work happens while Prometheus watches: rates and time-to-action quantiles get data.
            _add_operation_counts(world.factory)
            _action_a_notice(world)
            prometheus.wait_until('sum(piratewatch_notices_actioned_total{recipient_kind="host"})', 3.0)
            yield LoadedPrometheus(world, prometheus, app)


def _action_a_notice(world: World) -> None:
    """raw0.test's unanswered notice (sent last month) is actioned now."""
    with transaction(world.factory) as session:
        notice = session.exec(select(Notice).where(Notice.state == NoticeState.NO_RESPONSE)).one()
        notice.state = NoticeState.ACTIONED
        notice.closed_at = utcnow()
        session.add(notice)


def _add_operation_counts(factory: sessionmaker[Session]) -> None:
    """What jobs would have counted: crawls, resolutions with a failure, resolver stats, estimates."""
    from cases.counters.services import add_counts
    from cases.crawls.schemas import CrawlIn
    from piratewatch.jobs.counts import crawl_counts, estimate_counts, resolution_counts, resolver_counts, source_counts
    from resolver import ResolverStats, SiteProfile

    now = utcnow()
    crawl = CrawlIn(
        started_at=now - dt.timedelta(seconds=12),
        finished_at=now,
        start_url="https://raw0.test/",
        pages=40,
        bytes_read=2_000_000,
        problems=[{"kind": "timeout", "url": "https://raw0.test/x"}],
    )
    profile = SiteProfile.model_validate(
        {
            "domain": "raw0.test",
            "registrable_domain": "raw0.test",
            "resolved_at": now.isoformat(),
            "dns": {"name": "raw0.test"},
            "failures": [{"stage": "rdap_domain", "target": "raw0.test", "kind": "rate_limited", "message": "429"}],
        }
    )
    with transaction(factory) as session:
        add_counts(session, crawl_counts(crawl))
        add_counts(session, resolution_counts(profile, 0.8))
        add_counts(
            session,
            resolver_counts(
                ResolverStats(
                    dns_queries=9, rdap_requests=3, cache_hits=2, cache_misses=3, local_waits=1, local_wait_seconds=0.5
                )
            ),
        )
        add_counts(session, source_counts("rank", 0.2, 20, failed=False))
        add_counts(session, source_counts("traffic-api", 1.5, 0, failed=True))
        add_counts(session, estimate_counts(True) + estimate_counts(False))
