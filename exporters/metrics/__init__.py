"""Prometheus metrics read from the store at scrape time (``docs/metrics.md``).

``StoreCollector`` renders them (``piratewatch.web.metrics`` serves ``GET /metrics``); ``write_history`` writes past months' figures
as OpenMetrics for ``promtool tsdb create-blocks-from openmetrics``.
"""

from exporters.metrics.backfill import write_history
from exporters.metrics.collector import StoreCollector, metrics_registry

__all__ = ["StoreCollector", "metrics_registry", "write_history"]
