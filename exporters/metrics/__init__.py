"""Prometheus metrics read from the store at scrape time (``docs/metrics.md``).

``metrics_router`` adds ``GET /metrics`` to an app; ``write_history`` writes past months' figures
as OpenMetrics for ``promtool tsdb create-blocks-from openmetrics``.
"""

from exporters.metrics.backfill import write_history
from exporters.metrics.collector import StoreCollector
from exporters.metrics.endpoint import metrics_registry, metrics_router

__all__ = ["StoreCollector", "metrics_registry", "metrics_router", "write_history"]
