"""The collector behind ``/metrics``: reads the store at every scrape.

A custom collector (prometheus-client's pattern for exporting state that lives elsewhere) yields
fresh metric families on each ``collect()``: the current month's figures, the live state of sites,
notices, providers and jobs, and the operation counters the jobs keep in the store. When the
store cannot be read, the scrape still answers, with ``piratewatch_store_up 0``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import utcnow
from exporters.config import MetricsSettings
from exporters.figures.calendar import Month, zone
from exporters.figures.model import MonthFigures
from exporters.figures.series import FAMILIES, month_samples
from exporters.figures.store import FigureRules, load_catalogue, month_figures
from exporters.metrics import live

log = logging.getLogger(__name__)


def rules_of(settings: MetricsSettings) -> FigureRules:
    """The figure rules the metrics settings ask for."""
    return FigureRules(
        top_sites=settings.top_sites,
        top_per_group=settings.top_per_group,
        max_languages=settings.max_languages,
        max_countries=settings.max_countries,
        market=settings.market,
    )


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

    def collect(self) -> Iterator[Metric]:
        start = time.perf_counter()
        families: list[Metric] = []
        up = 1.0
        try:
            families = self._read(self.clock())
        except SQLAlchemyError:
            log.exception("metrics: the store could not be read")
            up = 0.0
        yield from families
        store_up = GaugeMetricFamily("piratewatch_store_up", "1 when the store could be read at this scrape.")
        store_up.add_metric([], up)
        yield store_up
        took = GaugeMetricFamily(
            "piratewatch_metrics_collect_duration_seconds", "How long reading the store for this scrape took."
        )
        took.add_metric([], time.perf_counter() - start)
        yield took

    def _read(self, now: dt.datetime) -> list[Metric]:
        month = Month.containing(now, zone(self.settings.timezone))
        with self.factory() as session:
            catalogue = load_catalogue(session)
            figures = month_figures(session, month, rules_of(self.settings), catalogue)
            families = gauges_of_month(figures)
            families += live.site_families(catalogue, self.settings.max_languages)
            families += live.notice_families(session, now)
            families += live.provider_families(session, self.settings.top_providers)
            families += live.job_families(session, now)
            families += live.operation_families(session)
        return families


def gauges_of_month(figures: MonthFigures) -> list[Metric]:
    """The month's figures as gauge families (every family present, even when empty)."""
    labels = {f.name: f.labels for f in FAMILIES}
    gauges = {f.name: GaugeMetricFamily(f.name, f.help, labels=list(f.labels)) for f in FAMILIES}
    for sample in month_samples(figures):
        gauges[sample.name].add_metric([sample.labels[k] for k in labels[sample.name]], sample.value)
    return list(gauges.values())
