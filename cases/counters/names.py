"""Every operation counter family, declared once: its name, help, labels and their allowed values.

The jobs that count (crawlers, resolver, estimators) and the metrics collector that exports the
counts both read this catalogue, so a name cannot drift between writer and reader. Label values
outside a family's vocabulary are counted as ``other``: the series stay bounded whatever a remote
server or an exception class is called.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Latency buckets in seconds, from a cached DNS answer to a crawl that hits its time limit.
DURATION_BUCKETS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

OTHER = "other"


def canonical_labels(labels: Mapping[str, str]) -> str:
    """The stored form of a label set: ``k=v`` pairs sorted by key, joined by commas."""
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def parse_labels(text: str) -> dict[str, str]:
    """The label set of a stored counter (the inverse of :func:`canonical_labels`)."""
    if not text:
        return {}
    return dict(pair.split("=", 1) for pair in text.split(","))


def bucket_label(bound: float) -> str:
    """An ``le`` value as Prometheus writes it (``0.5``, ``10.0``, ``+Inf``)."""
    return "+Inf" if math.isinf(bound) else repr(float(bound))


@dataclass(frozen=True)
class Increment:
    """An amount to add to one stored counter."""

    name: str
    labels: str
    value: float


@dataclass(frozen=True)
class _Family:
    name: str
    help: str
    labels: tuple[str, ...] = ()
    #: the allowed values of each label; anything else becomes ``other``
    values: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def label_set(self, given: Mapping[str, str]) -> dict[str, str]:
        """`given` reduced to this family's labels and vocabularies (a missing label is ``other``)."""
        if set(given) - set(self.labels):
            raise ValueError(f"{self.name}: unknown labels {sorted(set(given) - set(self.labels))}")
        out = {}
        for label in self.labels:
            value = given.get(label, OTHER)
            out[label] = value if value in self.values.get(label, frozenset()) else OTHER
        return out


@dataclass(frozen=True)
class CounterFamily(_Family):
    """A counter: exported as ``piratewatch_<name>_total``."""

    def inc(self, amount: float = 1.0, **labels: str) -> Increment:
        """An increment of `amount` for the series with `labels`."""
        if amount < 0 or math.isnan(amount):
            raise ValueError(f"{self.name}: a counter only goes up (got {amount})")
        return Increment(self.name, canonical_labels(self.label_set(labels)), float(amount))


@dataclass(frozen=True)
class HistogramFamily(_Family):
    """A histogram in seconds: exported as ``piratewatch_<name>`` with buckets, sum and count."""

    buckets: tuple[float, ...] = DURATION_BUCKETS

    def observe(self, value: float, **labels: str) -> list[Increment]:
        """The increments that record one observation of `value`."""
        base = self.label_set(labels)
        out = [
            Increment(f"{self.name}_bucket", canonical_labels({**base, "le": bucket_label(bound)}), 1.0)
            for bound in (*self.buckets, math.inf)
            if value <= bound
        ]
        out.append(Increment(f"{self.name}_sum", canonical_labels(base), float(value)))
        out.append(Increment(f"{self.name}_count", canonical_labels(base), 1.0))
        return out


def _vocabulary(*values: str) -> frozenset[str]:
    return frozenset(values)


CRAWL_PROBLEM_KINDS = _vocabulary(
    "blocked-address",
    "redirect-limit",
    "too-large",
    "timeout",
    "ignored",
    "bad-sitemap",
    "sitemap-limit",
    "crawl-failed",
    "closespider_pagecount",
    "closespider_timeout",
    "closespider_errorcount",
)
RESOLVER_STAGES = _vocabulary(
    "dns", "cymru", "rdns", "rdap_bootstrap", "rdap_domain", "rdap_registrar", "rdap_ip", "whois", "probe", "origin"
)
RESOLVER_FAILURE_KINDS = _vocabulary(
    "nxdomain",
    "servfail",
    "timeout",
    "network_error",
    "http_error",
    "malformed",
    "rate_limited",
    "quota_warning",
    "blocked_address",
    "unsupported",
    "cname_loop",
    "cname_too_deep",
)
TRAFFIC_SOURCES = _vocabulary("traffic-api", "counters", "rank")

CRAWLS = CounterFamily(
    "crawls",
    "Crawls of sites by the profile spider, by outcome.",
    ("outcome",),
    {"outcome": _vocabulary("ok", "failed")},
)
CRAWL_PAGES = CounterFamily("crawl_pages", "Pages the profile spider fetched (its HTTP requests).")
CRAWL_READ_BYTES = CounterFamily("crawl_read_bytes", "Bytes of pages the profile spider read.")
CRAWL_PROBLEMS = CounterFamily(
    "crawl_problems",
    "Problems met while crawling (failed requests, limits hit), by kind.",
    ("kind",),
    {"kind": CRAWL_PROBLEM_KINDS},
)
CRAWL_DURATION = HistogramFamily("crawl_duration_seconds", "How long one crawl of a site took.")

RESOLUTIONS = CounterFamily(
    "resolutions",
    "Domains resolved (DNS, hosting, CDN, registrar); partial when some lookup failed.",
    ("outcome",),
    {"outcome": _vocabulary("complete", "partial")},
)
RESOLVER_REQUESTS = CounterFamily(
    "resolver_requests",
    "Requests the resolver sent, by protocol (DNS includes Team Cymru and reverse DNS).",
    ("protocol",),
    {"protocol": _vocabulary("dns", "rdap", "whois")},
)
RESOLVER_FAILURES = CounterFamily(
    "resolver_failures",
    "Lookups that failed while resolving, by stage and kind.",
    ("stage", "kind"),
    {"stage": RESOLVER_STAGES, "kind": RESOLVER_FAILURE_KINDS},
)
RESOLVER_CACHE_LOOKUPS = CounterFamily(
    "resolver_cache_lookups",
    "Lookups in the resolver's cache (RDAP and Team Cymru answers by domain and network), by result.",
    ("result",),
    {"result": _vocabulary("hit", "miss")},
)
RESOLVER_RATE_LIMIT_WAITS = CounterFamily(
    "resolver_rate_limit_waits",
    "Times a request waited for a rate limit: ours (local) or the server's 429 Retry-After (server).",
    ("by",),
    {"by": _vocabulary("local", "server")},
)
RESOLVER_RATE_LIMIT_WAIT_SECONDS = CounterFamily(
    "resolver_rate_limit_wait_seconds",
    "Seconds spent waiting for rate limits, ours (local) or the server's (server).",
    ("by",),
    {"by": _vocabulary("local", "server")},
)
RESOLUTION_DURATION = HistogramFamily("resolution_duration_seconds", "How long resolving one domain took.")

ESTIMATES = CounterFamily(
    "estimates",
    "Monthly traffic estimates made: stored, or unknown when no source knew the site.",
    ("outcome",),
    {"outcome": _vocabulary("stored", "unknown")},
)
TRAFFIC_SOURCE_ESTIMATES = CounterFamily(
    "traffic_source_estimates",
    "Site estimates a traffic source gave, by source.",
    ("source",),
    {"source": TRAFFIC_SOURCES},
)
TRAFFIC_SOURCE_ERRORS = CounterFamily(
    "traffic_source_errors",
    "Times a traffic source failed for a whole batch (an API outage, an unreadable list), by source.",
    ("source",),
    {"source": TRAFFIC_SOURCES},
)
TRAFFIC_SOURCE_DURATION = HistogramFamily(
    "traffic_source_duration_seconds",
    "How long a traffic source took to estimate one batch of sites.",
    ("source",),
    {"source": TRAFFIC_SOURCES},
)

COUNTERS: tuple[CounterFamily, ...] = (
    CRAWLS,
    CRAWL_PAGES,
    CRAWL_READ_BYTES,
    CRAWL_PROBLEMS,
    RESOLUTIONS,
    RESOLVER_REQUESTS,
    RESOLVER_FAILURES,
    RESOLVER_CACHE_LOOKUPS,
    RESOLVER_RATE_LIMIT_WAITS,
    RESOLVER_RATE_LIMIT_WAIT_SECONDS,
    ESTIMATES,
    TRAFFIC_SOURCE_ESTIMATES,
    TRAFFIC_SOURCE_ERRORS,
)
HISTOGRAMS: tuple[HistogramFamily, ...] = (CRAWL_DURATION, RESOLUTION_DURATION, TRAFFIC_SOURCE_DURATION)
