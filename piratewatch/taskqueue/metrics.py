"""A worker's own ``/metrics``: its process (CPU, memory, open files) and the jobs it ran.

The store's ``/metrics`` (the API's) exports what is shared: the queue's state, notices, counters.
What only a worker knows is here: how many jobs of each kind it is running and has run, and its
process' health. Each worker serves it on ``PIRATEWATCH_QUEUE__METRICS_PORT`` (0: not served);
Prometheus scrapes every worker (see docs/scaling.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

JOBS = Counter(
    "piratewatch_worker_jobs",
    "Jobs this worker ran, by job (resolve, crawl, estimate, takedown) and outcome (done, skipped, failed, error).",
    ["job", "outcome"],
    registry=REGISTRY,
)
RUNNING = Gauge(
    "piratewatch_worker_jobs_running", "Jobs this worker is running now, by job.", ["job"], registry=REGISTRY
)
NOTICES_SENT = Counter(
    "piratewatch_worker_notices_sent", "Notices this worker's takedown jobs sent.", registry=REGISTRY
)


@contextlib.contextmanager
def tracked(job: str) -> Iterator[None]:
    """Count one job of kind `job` as running while the block runs; an exception counts as ``error``."""
    RUNNING.labels(job).inc()
    try:
        yield
    except BaseException:
        JOBS.labels(job, "error").inc()
        raise
    finally:
        RUNNING.labels(job).dec()


def serve(port: int, address: str) -> Any:
    """Serve :data:`REGISTRY` on `address`:`port` in a daemon thread; returns the server (``shutdown()`` stops it)."""
    server, _thread = start_http_server(port, addr=address, registry=REGISTRY)
    return server
