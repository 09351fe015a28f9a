"""The collector behind ``/metrics``: reads the store at every scrape.

A custom collector (prometheus-client's pattern for exporting state that lives elsewhere) yields
fresh metric families on each ``collect()``: the current month's figures, the live state of sites,
notices, providers and jobs, and the operation counters the jobs keep in the store. When the
store cannot be read, the scrape still answers, with ``piratewatch_store_up 0``.

The month's visit figures (10,000 sites' estimates and attributes) are the expensive part and
change only when an estimate or a site changes, so they are recomputed only when the store's
fingerprint of them changes: the count and newest id of the month's estimates (estimates are
only ever added), and the count, newest id and newest update of sites and of their languages
and content types (tags are only ever added; a status change updates ``site.updated_at``). The
events, notices, providers, jobs and counters are read at every scrape.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from prometheus_client import generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from cases.db import utcnow
from cases.sites.models import Site, SiteContentType, SiteLanguage
from cases.traffic.models import TrafficEstimate
from exporters.config import MetricsSettings
from exporters.figures.calendar import Month, zone
from exporters.figures.estimates import ParseCache
from exporters.figures.events import month_events
from exporters.figures.model import MonthFigures
from exporters.figures.series import (
    FAMILIES,
    MONTHLY_EVENTS,
    SITE_MONTHLY_EVENTS,
    Family,
    Sample,
    event_samples,
    month_samples,
)
from exporters.figures.site_facts import SiteFacts, load_site_facts
from exporters.figures.store import FigureRules, visit_figures, with_events
from exporters.metrics import live
from exporters.metrics.evidence import evidence_families

log = logging.getLogger(__name__)

_EVENT_FAMILIES = (MONTHLY_EVENTS, SITE_MONTHLY_EVENTS)


def rules_of(settings: MetricsSettings) -> FigureRules:
    """The figure rules the metrics settings ask for."""
    return FigureRules(
        top_sites=settings.top_sites,
        top_per_group=settings.top_per_group,
        max_languages=settings.max_languages,
        max_countries=settings.max_countries,
        market=settings.market,
    )


def gauges(samples: list[Sample], families: tuple[Family, ...] = FAMILIES) -> list[Metric]:
    """`samples` as gauge families (each of `families` present, even when empty)."""
    labels = {f.name: f.labels for f in families}
    out = {f.name: GaugeMetricFamily(f.name, f.help, labels=list(f.labels)) for f in families}
    for sample in samples:
        if sample.name in out:
            out[sample.name].add_metric([sample.labels[k] for k in labels[sample.name]], sample.value)
    return list(out.values())


def fingerprint(session: Session, month: str) -> tuple[Any, ...]:
    """What changes whenever the month's visit figures may change (see the module's docstring)."""
    conn = session.connection()
    sites = conn.execute(sa.select(sa.func.count(), sa.func.max(col(Site.id)), sa.func.max(col(Site.updated_at)))).one()
    tags = [
        conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in (SiteLanguage, SiteContentType)
    ]
    estimates = conn.execute(
        sa.select(sa.func.count(), sa.func.max(col(TrafficEstimate.id))).where(col(TrafficEstimate.month) == month)
    ).one()
    return (month, *sites, *tags, *estimates)


@dataclass(frozen=True)
class _Visits:
    """The cached part: the month's visit figures, the site facts, their families and their text."""

    key: tuple[Any, ...]
    site_facts: SiteFacts
    figures: MonthFigures
    families: list[Metric]
    text: bytes


class _Families(Collector):
    """Families already made, for rendering them with prometheus-client."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def render(families: list[Metric]) -> bytes:
    """`families` in the Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))
    return generate_latest(registry)


class StoreCollector(Collector):
    """Yields every piratewatch metric family, read from the store at collect time."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: MetricsSettings,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.clock = clock
        self._visits: _Visits | None = None
        self._parsed = ParseCache()
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        cached, fresh = self._scrape()
        yield from cached.families if cached else []
        yield from fresh

    def render(self) -> bytes:
        """The whole exposition; the cached part's text is reused as long as the store's fingerprint holds."""
        cached, fresh = self._scrape()
        return (cached.text if cached else b"") + render(fresh)

    def _scrape(self) -> tuple[_Visits | None, list[Metric]]:
        start = time.perf_counter()
        cached: _Visits | None = None
        fresh: list[Metric] = []
        up = 1.0
        try:
            cached, fresh = self._read(self.clock())
        except SQLAlchemyError:
            log.exception("metrics: the store could not be read")
            up = 0.0
        store_up = GaugeMetricFamily("piratewatch_store_up", "1 when the store could be read at this scrape.")
        store_up.add_metric([], up)
        took = GaugeMetricFamily(
            "piratewatch_metrics_collect_duration_seconds", "How long reading the store for this scrape took."
        )
        took.add_metric([], time.perf_counter() - start)
        return cached, [*fresh, store_up, took]

    def _visit_part(self, session: Session, month: Month) -> _Visits:
        key = (*fingerprint(session, month.label), str(month.tz.key), self.settings.model_dump_json())
        with self._lock:
            cached = self._visits
            if cached is None or cached.key != key:
                site_facts = load_site_facts(session)
                if len(self._parsed.audiences) > 200_000:  # texts of estimates long replaced
                    self._parsed = ParseCache()
                figures = visit_figures(session, month, rules_of(self.settings), site_facts, self._parsed)
                visit_families = tuple(f for f in FAMILIES if f not in _EVENT_FAMILIES)
                families = gauges(month_samples(figures), visit_families)
                families += live.site_families(site_facts, self.settings.max_languages)
                cached = self._visits = _Visits(key, site_facts, figures, families, render(families))
            return cached

    def _read(self, now: dt.datetime) -> tuple[_Visits, list[Metric]]:
        month = Month.containing(now, zone(self.settings.timezone))
        with self.factory() as session:
            visits = self._visit_part(session, month)
            events = with_events(visits.figures, *month_events(session, month))
            fresh = gauges(event_samples(events), _EVENT_FAMILIES)
            fresh += live.notice_families(session, now)
            fresh += live.provider_families(session, self.settings.top_providers)
            fresh += live.job_families(session, now)
            fresh += live.operation_families(session)
            fresh += evidence_families(session)
        return visits, fresh


def metrics_registry(factory: sessionmaker[Session], settings: MetricsSettings) -> CollectorRegistry:
    """A registry holding only the store collector (no process metrics of whichever worker answers)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(factory, settings))
    return registry
