"""What the jobs count: crawls, resolutions and estimates turned into operation counter increments.

The increments are added to the store's counters in the transaction that stores the job's results
(``cases.counters``), so a job killed half-way counts nothing, like it stores nothing; the app's
``/metrics`` exports them whichever process did the work.
"""

from __future__ import annotations

from cases.counters import names as ops
from cases.counters.names import Increment
from cases.crawls.schemas import CrawlIn
from resolver import ResolverStats, SiteProfile


def crawl_counts(crawl: CrawlIn) -> list[Increment]:
    """One crawl: its outcome, pages and bytes read, problems by kind, and how long it took."""
    seconds = max(0.0, (crawl.finished_at - crawl.started_at).total_seconds())
    out = [
        ops.CRAWLS.inc(outcome="ok" if crawl.ok else "failed"),
        ops.CRAWL_PAGES.inc(crawl.pages),
        ops.CRAWL_READ_BYTES.inc(crawl.bytes_read),
        *ops.CRAWL_DURATION.observe(seconds),
    ]
    out += [ops.CRAWL_PROBLEMS.inc(kind=str(p.get("kind", ""))) for p in crawl.problems]
    return out


def resolution_counts(profile: SiteProfile, seconds: float) -> list[Increment]:
    """One domain resolved: complete or partial, each failure by stage and kind, and its time."""
    out = [
        ops.RESOLUTIONS.inc(outcome="partial" if profile.failures else "complete"),
        *ops.RESOLUTION_DURATION.observe(seconds),
    ]
    out += [ops.RESOLVER_FAILURES.inc(stage=f.stage, kind=f.kind) for f in profile.failures]
    return out


def resolver_counts(done: ResolverStats) -> list[Increment]:
    """A batch's requests, cache hits and misses and rate-limit waits (a difference of two snapshots)."""
    return [
        ops.RESOLVER_REQUESTS.inc(done.dns_queries, protocol="dns"),
        ops.RESOLVER_REQUESTS.inc(done.rdap_requests, protocol="rdap"),
        ops.RESOLVER_REQUESTS.inc(done.whois_requests, protocol="whois"),
        ops.RESOLVER_CACHE_LOOKUPS.inc(done.cache_hits, result="hit"),
        ops.RESOLVER_CACHE_LOOKUPS.inc(done.cache_misses, result="miss"),
        ops.RESOLVER_RATE_LIMIT_WAITS.inc(done.local_waits, by="local"),
        ops.RESOLVER_RATE_LIMIT_WAITS.inc(done.server_waits, by="server"),
        ops.RESOLVER_RATE_LIMIT_WAIT_SECONDS.inc(done.local_wait_seconds, by="local"),
        ops.RESOLVER_RATE_LIMIT_WAIT_SECONDS.inc(done.server_wait_seconds, by="server"),
    ]


def source_counts(source: str, seconds: float, estimates: int, failed: bool) -> list[Increment]:
    """One traffic source asked about a batch of sites."""
    out = [
        ops.TRAFFIC_SOURCE_ESTIMATES.inc(estimates, source=source),
        *ops.TRAFFIC_SOURCE_DURATION.observe(seconds, source=source),
    ]
    if failed:
        out.append(ops.TRAFFIC_SOURCE_ERRORS.inc(source=source))
    return out


def estimate_counts(stored: bool) -> list[Increment]:
    """One site estimated: stored, or unknown to every source."""
    return [ops.ESTIMATES.inc(outcome="stored" if stored else "unknown")]
