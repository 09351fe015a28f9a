"""The crawler and resolver health dashboard (``generated/crawler-resolver-health.json``): crawls,
resolutions and estimates: requests, errors, latency, cache hits, rate-limit waits, jobs; and the exporter.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard, prometheus, stat, timeseries
from grafana_foundation_sdk.models import dashboard as model

from dashboards.conventions import board, panel, query, sel


def operations() -> dashboard.Dashboard:
    b = board(
        "piratewatch-operations",
        "piratewatch: crawler and resolver health",
        "Crawls, resolutions and estimates: requests, errors, latency, cache hits, rate-limit waits, jobs.",
    )
    rate = "[$__rate_interval]"

    def quantiles(metric: str, by: str = "") -> list[prometheus.Dataquery]:
        group = f"le{', ' + by if by else ''}"
        legend = f" {{{{{by}}}}}" if by else ""
        return [
            query(
                f"histogram_quantile({q}, sum by ({group}) (rate({sel(metric + '_bucket')}{rate})))",
                f"p{int(q * 100)}{legend}",
                ref=r,
            )
            for q, r in ((0.5, "A"), (0.95, "B"))
        ]

    return (
        b.with_row(dashboard.Row("Crawler"))
        .with_panel(
            panel(
                timeseries.Panel,
                "Crawls",
                "Crawls per second by outcome.",
                "ops",
                [query(f"sum by (outcome) (rate({sel('piratewatch_crawls_total')}{rate}))", "{{outcome}}")],
                width=8,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Pages and bytes read",
                "The profile spider's requests per second and bytes read per second.",
                "reqps",
                [
                    query(f"sum(rate({sel('piratewatch_crawl_pages_total')}{rate}))", "pages"),
                    query(f"sum(rate({sel('piratewatch_crawl_read_bytes_total')}{rate}))", "bytes", ref="B"),
                ],
                width=8,
            ).override_by_name("bytes", [model.DynamicConfigValue(id_val="unit", value="Bps")])
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Crawl problems",
                "Failed requests and limits hit, per second, by kind.",
                "ops",
                [query(f"sum by (kind) (rate({sel('piratewatch_crawl_problems_total')}{rate}))", "{{kind}}")],
                width=8,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Crawl duration",
                "How long one crawl takes (p50, p95).",
                "s",
                quantiles("piratewatch_crawl_duration_seconds"),
            )
        )
        .with_panel(
            panel(
                stat.Panel,
                "Jobs due, running and failing",
                "Site jobs due now (queued or not), running now, and failing, by job.",
                "short",
                [
                    query(f"max by (job) ({sel('piratewatch_jobs_due')})", "due {{job}}"),
                    query(f"max by (job) ({sel('piratewatch_jobs_running')})", "running {{job}}", ref="B"),
                    query(f"max by (job) ({sel('piratewatch_jobs_failing')})", "failing {{job}}", ref="C"),
                ],
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Task queue",
                "Jobs waiting in the task queue by job (takedown included), workers alive, approved notices "
                "waiting and how long the oldest has waited (takedown lag, seconds; under a minute when healthy).",
                "short",
                [
                    query(f"max by (job) ({sel('piratewatch_jobs_queued')})", "queued {{job}}"),
                    query(f"max({sel('piratewatch_workers_alive')})", "workers alive", ref="B"),
                    query(f"max({sel('piratewatch_takedown_approved_notices')})", "approved notices waiting", ref="C"),
                    query(f"max({sel('piratewatch_takedown_lag_seconds')})", "takedown lag (s)", ref="D"),
                ],
            )
        )
        .with_row(dashboard.Row("Resolver"))
        .with_panel(
            panel(
                timeseries.Panel,
                "Resolutions",
                "Domains resolved per second; partial when a lookup failed.",
                "ops",
                [query(f"sum by (outcome) (rate({sel('piratewatch_resolutions_total')}{rate}))", "{{outcome}}")],
                width=8,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Resolver requests",
                "DNS, RDAP and WHOIS requests per second.",
                "reqps",
                [
                    query(
                        f"sum by (protocol) (rate({sel('piratewatch_resolver_requests_total')}{rate}))", "{{protocol}}"
                    )
                ],
                width=8,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Resolver failures",
                "Failed lookups per second, by stage and kind.",
                "ops",
                [
                    query(
                        f"sum by (stage, kind) (rate({sel('piratewatch_resolver_failures_total')}{rate}))",
                        "{{stage}} {{kind}}",
                    )
                ],
                width=8,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Cache hit ratio",
                "Share of RDAP and Team Cymru lookups answered from the resolver's cache.",
                "percentunit",
                [
                    query(
                        f"sum(rate({sel('piratewatch_resolver_cache_lookups_total', result='hit')}{rate}))"
                        f" / sum(rate({sel('piratewatch_resolver_cache_lookups_total')}{rate}))",
                        "hit ratio",
                    )
                ],
                width=8,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Rate-limit waits",
                "Requests that waited for a rate limit per second: ours (local) or a server's 429.",
                "ops",
                [query(f"sum by (by) (rate({sel('piratewatch_resolver_rate_limit_waits_total')}{rate}))", "{{by}}")],
                width=8,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Time spent waiting",
                "Seconds spent waiting for rate limits, per second of wall time.",
                "percentunit",
                [
                    query(
                        f"sum by (by) (rate({sel('piratewatch_resolver_rate_limit_wait_seconds_total')}{rate}))",
                        "{{by}}",
                    )
                ],
                width=8,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Resolution duration",
                "How long resolving one domain takes (p50, p95).",
                "s",
                quantiles("piratewatch_resolution_duration_seconds"),
                width=24,
            )
        )
        .with_row(dashboard.Row("Estimates"))
        .with_panel(
            panel(
                timeseries.Panel,
                "Estimates",
                "Site estimates per second: stored, or unknown to every source.",
                "ops",
                [query(f"sum by (outcome) (rate({sel('piratewatch_estimates_total')}{rate}))", "{{outcome}}")],
                width=8,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Traffic source errors",
                "Batches a traffic source failed, per second, by source.",
                "ops",
                [
                    query(
                        f"sum by (source) (rate({sel('piratewatch_traffic_source_errors_total')}{rate}))", "{{source}}"
                    ),
                    query(
                        f"sum by (source) (rate({sel('piratewatch_traffic_source_estimates_total')}{rate}))",
                        "estimates {{source}}",
                        ref="B",
                    ),
                ],
                width=8,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Traffic source duration",
                "How long a source takes per batch (p50, p95).",
                "s",
                quantiles("piratewatch_traffic_source_duration_seconds", "source"),
                width=8,
            )
        )
        .with_row(dashboard.Row("Exporter"))
        .with_panel(
            panel(
                timeseries.Panel,
                "Scrape time",
                "How long reading the store took at each scrape.",
                "s",
                [query(f"max by (instance) ({sel('piratewatch_metrics_collect_duration_seconds')})", "{{instance}}")],
                width=24,
            )
        )
    )
