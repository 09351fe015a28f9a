"""Grafana dashboards of piratewatch, as code: ``python dashboards/generate.py`` writes ``generated/*.json``.

Built with grafana-foundation-sdk (Grafana Labs' own typed builders for dashboards, generated from
Grafana's schema), so the JSON is what Grafana 11 expects without hand-written panel dictionaries.
Both this file and its output are committed; a test checks they agree.

Conventions every panel follows (the rules of Grafana's dashboard linter, also tested):
- every panel and variable queries the data source chosen in the ``datasource`` variable;
- every selector filters on ``job=~"$job"`` and ``instance=~"$instance"``;
- counters appear only inside ``rate`` (over ``$__rate_interval``) or ``increase``;
- every panel has a title, a description and a unit.

The monthly figures are the same on every instance (they come from the store), so panels take
``max`` over instances rather than ``sum``; history backfilled with ``piratewatch metrics backfill``
has one sample per month, which ``last_over_time(...[$__interval])`` shows as points.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import bargauge, common, dashboard, prometheus, stat, table, timeseries
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as common_model
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

HERE = Path(__file__).resolve().parent
OUT = HERE / "generated"
#: the fixed uid of the provisioned data source (provisioning/datasources/piratewatch.yaml)
DATASOURCE_UID = "piratewatch-prometheus"
DS = model.DataSourceRef(type_val="prometheus", uid="${datasource}")
#: what every selector carries
MATCHERS = 'job=~"$job", instance=~"$instance"'


def sel(metric: str, **labels: str) -> str:
    """`metric` with the job and instance matchers and `labels` (values may hold variables)."""
    extra = "".join(f', {k}="{v}"' if not v.startswith("~") else f', {k}=~"{v[1:]}"' for k, v in labels.items())
    return f"{metric}{{{MATCHERS}{extra}}}"


def query(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> prometheus.Dataquery:
    q = prometheus.Dataquery().expr(expr).ref_id(ref).datasource(DS)
    if legend:
        q = q.legend_format(legend)
    if instant:
        q = q.instant().format(PromQueryFormat.TABLE)
    return q


PanelBuilder = Any  # the SDK's panel builders share their methods but no common type


def panel(
    kind: Callable[[], PanelBuilder],
    title: str,
    description: str,
    unit: str,
    targets: list[prometheus.Dataquery],
    *,
    width: int = 12,
    height: int = 8,
) -> PanelBuilder:
    built = kind().title(title).description(description).unit(unit).datasource(DS).span(width).height(height)
    for target in targets:
        built = built.with_target(target)
    return built


def variables(extra: list[Builder[model.VariableModel]] | None = None) -> list[Builder[model.VariableModel]]:
    """The data source, job and instance variables every dashboard starts with."""
    refresh = model.VariableRefresh.ON_TIME_RANGE_CHANGED
    return [
        dashboard.DatasourceVariable("datasource")
        .label("Data source")
        .type("prometheus")
        .current(model.VariableOption(selected=True, text="Prometheus (piratewatch)", value=DATASOURCE_UID)),
        dashboard.QueryVariable("job")
        .label("Job")
        .datasource(DS)
        .query("label_values(piratewatch_store_up, job)")
        .refresh(refresh)
        .include_all(True)
        .all_value(".*")
        .multi(True)
        .sort(model.VariableSort.ALPHABETICAL_ASC),
        dashboard.QueryVariable("instance")
        .label("Instance")
        .datasource(DS)
        .query('label_values(piratewatch_store_up{job=~"$job"}, instance)')
        .refresh(refresh)
        .include_all(True)
        .all_value(".*")
        .multi(True)
        .sort(model.VariableSort.ALPHABETICAL_ASC),
        *(extra or []),
    ]


def board(
    uid: str, title: str, description: str, extra: list[Builder[model.VariableModel]] | None = None
) -> dashboard.Dashboard:
    built = (
        dashboard.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["piratewatch"])
        .readonly()
        .refresh("1m")
        .time("now-30d", "now")
        .timezone("browser")
    )
    for variable in variables(extra):
        built = built.with_variable(variable)
    return built


def market_variable() -> Builder[model.VariableModel]:
    return (
        dashboard.QueryVariable("market")
        .label("Market")
        .description("The audience country the figures call domestic (PIRATEWATCH_METRICS__MARKET).")
        .datasource(DS)
        .query(f"label_values({sel('piratewatch_month_info')}, market)")
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
    )


VISITS_NOTE = (
    "Visits (sessions), not users; from piratewatch's traffic estimates (traffic API, site counters, public rank)."
)


def overview() -> dashboard.Dashboard:
    b = board(
        "piratewatch-overview",
        "piratewatch: overview",
        "Estimated monthly visits to the monitored sites, by language, audience country and content type; sites and events.",
        [market_variable()],
    )
    return (
        b.with_row(dashboard.Row("This month"))
        .with_panel(
            panel(
                stat.Panel,
                "Visits this month",
                f"Estimated visits to all sites this month (central). {VISITS_NOTE}",
                "short",
                [query(f"max({sel('piratewatch_monthly_visits', band='central')})")],
                width=6,
                height=5,
            )
        )
        .with_panel(
            panel(
                stat.Panel,
                "Visits from the market",
                f"Estimated visits this month from the market's country. {VISITS_NOTE}",
                "short",
                [
                    query(
                        f"sum(max by (content_type, country) ({sel('piratewatch_audience_monthly_visits', band='central', country='$market')}))"
                    )
                ],
                width=6,
                height=5,
            )
        )
        .with_panel(
            panel(
                stat.Panel,
                "Sites estimated",
                "Sites with a traffic estimate this month.",
                "short",
                [query(f"max({sel('piratewatch_estimated_sites')})")],
                width=6,
                height=5,
            )
        )
        .with_panel(
            panel(
                stat.Panel,
                "Store readable",
                "1 when the exporter could read the store at its last scrape.",
                "bool",
                [query(f"min({sel('piratewatch_store_up')})")],
                width=6,
                height=5,
            )
        )
        .with_row(dashboard.Row("Trends"))
        .with_panel(
            panel(
                timeseries.Panel,
                "Monthly visits",
                f"Estimated visits per month with their band (low, central, high). {VISITS_NOTE}",
                "short",
                [
                    query(
                        f"max by (band) (last_over_time({sel('piratewatch_monthly_visits')}[$__interval]))", "{{band}}"
                    )
                ],
                width=24,
            ).span_nulls(True)
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Visits by site language",
                f"Central estimate; a site in n languages counts 1/n in each. {VISITS_NOTE}",
                "short",
                [
                    query(
                        f"max by (language) (last_over_time({sel('piratewatch_language_monthly_visits', band='central')}[$__interval]))",
                        "{{language}}",
                    )
                ],
            ).span_nulls(True)
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Visits by content type",
                f"Central estimate; a site of n content types counts 1/n in each. {VISITS_NOTE}",
                "short",
                [
                    query(
                        f"sum by (content_type) (max by (content_type, country) (last_over_time({sel('piratewatch_audience_monthly_visits', band='central')}[$__interval])))",
                        "{{content_type}}",
                    )
                ],
            ).span_nulls(True)
        )
        .with_row(dashboard.Row("Where the visits come from"))
        .with_panel(
            panel(
                bargauge.Panel,
                "Visits by audience country",
                f"This month, central estimate, the 15 largest countries. {VISITS_NOTE}",
                "short",
                [
                    query(
                        f"topk(15, sum by (country) (max by (content_type, country) ({sel('piratewatch_audience_monthly_visits', band='central')})))",
                        "{{country}}",
                        instant=True,
                    )
                ],
            )
        )
        .with_panel(
            panel(
                bargauge.Panel,
                "Domestic share by language",
                "Share of each language's visits from its home country (Japanese: JP, Vietnamese: VN, ...), "
                "among the visits whose audience country is known.",
                "percentunit",
                [
                    query(
                        f"max by (language) ({sel('piratewatch_language_home_monthly_visits', band='central')})"
                        f" / max by (language) ({sel('piratewatch_language_located_monthly_visits', band='central')})",
                        "{{language}}",
                        instant=True,
                    )
                ],
            )
        )
        .with_row(dashboard.Row("Sites"))
        .with_panel(
            panel(
                table.Panel,
                "Top sites this month",
                f"The exported top sites by estimated visits (central). {VISITS_NOTE}",
                "short",
                [
                    query(
                        f"topk(20, max by (site) ({sel('piratewatch_site_monthly_visits', band='central')}))",
                        instant=True,
                    )
                ],
            )
        )
        .with_panel(
            panel(
                bargauge.Panel,
                "Sites by status",
                "Every site the store knows, by status.",
                "short",
                [query(f"max by (status) ({sel('piratewatch_sites')})", "{{status}}", instant=True)],
                width=6,
            )
        )
        .with_panel(
            panel(
                table.Panel,
                "Events this month",
                "New, closed and hopped sites, host changes, domains gone, notices sent and actioned this month.",
                "short",
                [query(f"max by (event) ({sel('piratewatch_monthly_events')})", instant=True)],
                width=6,
            )
        )
    )


def site_detail() -> dashboard.Dashboard:
    site = (
        dashboard.QueryVariable("site")
        .label("Site")
        .description("One of the exported top sites.")
        .datasource(DS)
        .query(f"label_values({sel('piratewatch_site_info')}, site)")
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
    )
    b = board(
        "piratewatch-site",
        "piratewatch: site detail",
        "One top site: its visits, audience, languages, sources and events.",
        [site],
    )
    return (
        b.with_panel(
            panel(
                timeseries.Panel,
                "Monthly visits of $site",
                f"Estimated visits per month with their band. {VISITS_NOTE}",
                "short",
                [
                    query(
                        f"max by (band) (last_over_time({sel('piratewatch_site_monthly_visits', site='$site')}[$__interval]))",
                        "{{band}}",
                    )
                ],
                width=24,
            ).span_nulls(True)
        )
        .with_panel(
            panel(
                bargauge.Panel,
                "Audience of $site",
                "Share of this month's visits from each of the site's top five countries and other.",
                "percentunit",
                [
                    query(
                        f"max by (country) ({sel('piratewatch_site_audience_ratio', site='$site')})",
                        "{{country}}",
                        instant=True,
                    )
                ],
            )
        )
        .with_panel(
            panel(
                table.Panel,
                "Events on $site this month",
                "Domain hops, host changes, domains gone, notices sent and actioned, closure.",
                "short",
                [query(f"max by (event) ({sel('piratewatch_site_monthly_events', site='$site')})", instant=True)],
            )
        )
        .with_panel(
            panel(
                table.Panel,
                "Status, languages, content types and sources",
                "What the store knows of the site (values are 1).",
                "short",
                [
                    query(f"max by (status) ({sel('piratewatch_site_info', site='$site')})", ref="A", instant=True),
                    query(
                        f"max by (language) ({sel('piratewatch_site_language_info', site='$site')})",
                        ref="B",
                        instant=True,
                    ),
                    query(
                        f"max by (content_type) ({sel('piratewatch_site_content_type_info', site='$site')})",
                        ref="C",
                        instant=True,
                    ),
                    query(
                        f"max by (source) ({sel('piratewatch_site_source_info', site='$site')})", ref="D", instant=True
                    ),
                ],
                width=24,
            )
        )
    )


def takedown() -> dashboard.Dashboard:
    b = board(
        "piratewatch-takedown",
        "piratewatch: takedown pipeline",
        "Notices by state and recipient, their pace, deadlines and time to action.",
    )
    return (
        b.with_panel(
            panel(
                timeseries.Panel,
                "Notices by state",
                "Every notice in the store, by state (draft to actioned or escalated).",
                "short",
                [query(f"sum by (state) (max by (state, recipient_kind) ({sel('piratewatch_notices')}))", "{{state}}")],
                width=24,
            ).stacking(common.StackingConfig().mode(common_model.StackingMode.NORMAL))
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Notices sent per day",
                "Notices that left, per day, by recipient kind.",
                "short",
                [
                    query(
                        f"sum by (recipient_kind) (rate({sel('piratewatch_notices_sent_total')}[$__rate_interval])) * 86400",
                        "{{recipient_kind}}",
                    )
                ],
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Notices actioned per day",
                "Notices whose recipient took the content down, per day, by recipient kind.",
                "short",
                [
                    query(
                        f"sum by (recipient_kind) (rate({sel('piratewatch_notices_actioned_total')}[$__rate_interval])) * 86400",
                        "{{recipient_kind}}",
                    )
                ],
            )
        )
        .with_panel(
            panel(
                stat.Panel,
                "Overdue notices",
                "Notices sent and still unanswered past their deadline.",
                "short",
                [query(f"sum(max by (recipient_kind) ({sel('piratewatch_notices_overdue')}))")],
                width=6,
            )
        )
        .with_panel(
            panel(
                stat.Panel,
                "Median time to action",
                "Median time from sending to action of the notices actioned in the time range.",
                "s",
                [
                    query(
                        f"histogram_quantile(0.5, sum by (le) (increase({sel('piratewatch_notice_time_to_action_seconds_bucket')}[$__range])))"
                    )
                ],
                width=6,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Time to action (p50, p90) by recipient kind",
                "Quantiles of the time from sending to action, over notices actioned in each interval.",
                "s",
                [
                    query(
                        f"histogram_quantile(0.5, sum by (le, recipient_kind) (rate({sel('piratewatch_notice_time_to_action_seconds_bucket')}[$__rate_interval])))",
                        "p50 {{recipient_kind}}",
                    ),
                    query(
                        f"histogram_quantile(0.9, sum by (le, recipient_kind) (rate({sel('piratewatch_notice_time_to_action_seconds_bucket')}[$__rate_interval])))",
                        "p90 {{recipient_kind}}",
                        ref="B",
                    ),
                ],
            )
        )
        .with_panel(
            panel(
                table.Panel,
                "Notices by state and recipient kind",
                "Every notice in the store.",
                "short",
                [query(f"max by (state, recipient_kind) ({sel('piratewatch_notices')}) > 0", instant=True)],
            )
        )
    )


def providers() -> dashboard.Dashboard:
    provider = (
        dashboard.QueryVariable("provider")
        .label("Provider")
        .description("The top providers by notices sent (PIRATEWATCH_METRICS__TOP_PROVIDERS).")
        .datasource(DS)
        .query(f"label_values({sel('piratewatch_provider_notices_sent_total')}, provider)")
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .include_all(True)
        .all_value(".*")
        .multi(True)
    )
    b = board(
        "piratewatch-providers",
        "piratewatch: provider scorecards",
        "How the providers that get the most notices answer them.",
        [provider],
    )
    p = {"provider": "~$provider"}
    return (
        b.with_panel(
            panel(
                table.Panel,
                "Notices sent in the time range",
                "Notices sent to each provider in the dashboard's time range.",
                "short",
                [
                    query(
                        f"max by (provider, kind) (increase({sel('piratewatch_provider_notices_sent_total', **p)}[$__range]))",
                        instant=True,
                    )
                ],
            )
        )
        .with_panel(
            panel(
                bargauge.Panel,
                "Actioned share",
                "Share of the notices sent to a provider that it actioned, fully or partly.",
                "percentunit",
                [
                    query(
                        f"max by (provider) ({sel('piratewatch_provider_actioned_ratio', **p)})",
                        "{{provider}}",
                        instant=True,
                    )
                ],
            )
        )
        .with_panel(
            panel(
                bargauge.Panel,
                "Median time to action",
                "Median time from sending to action of a provider's actioned notices.",
                "s",
                [
                    query(
                        f"max by (provider) ({sel('piratewatch_provider_median_time_to_action_seconds', **p)})",
                        "{{provider}}",
                        instant=True,
                    )
                ],
            )
        )
        .with_panel(
            panel(
                table.Panel,
                "Unanswered and non-responsive",
                "Notices never answered, and 1 for providers flagged non-responsive.",
                "short",
                [
                    query(
                        f"max by (provider) ({sel('piratewatch_provider_notices_unanswered', **p)})",
                        ref="A",
                        instant=True,
                    ),
                    query(
                        f"max by (provider) ({sel('piratewatch_provider_non_responsive', **p)})", ref="B", instant=True
                    ),
                ],
            )
        )
        .with_panel(
            panel(
                timeseries.Panel,
                "Notices actioned over time",
                "Notices each provider has actioned, fully or partly.",
                "short",
                [query(f"max by (provider) ({sel('piratewatch_provider_notices_actioned', **p)})", "{{provider}}")],
                width=24,
            )
        )
    )


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
                "Site jobs due now and not running, held by a runner, and failing, by job.",
                "short",
                [
                    query(f"max by (job) ({sel('piratewatch_jobs_due')})", "due {{job}}"),
                    query(f"max by (job) ({sel('piratewatch_jobs_running')})", "running {{job}}", ref="B"),
                    query(f"max by (job) ({sel('piratewatch_jobs_failing')})", "failing {{job}}", ref="C"),
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


DASHBOARDS: dict[str, Callable[[], dashboard.Dashboard]] = {
    "overview": overview,
    "site-detail": site_detail,
    "takedown-pipeline": takedown,
    "provider-scorecards": providers,
    "crawler-resolver-health": operations,
}


def _numbered(data: dict[str, Any]) -> dict[str, Any]:
    """Give every panel a stable id (Grafana needs them unique for links and repeats)."""
    for number, panel_data in enumerate(data.get("panels", []), start=1):
        panel_data["id"] = number
    return data


def build_all() -> dict[str, dict[str, Any]]:
    """Every dashboard as the JSON Grafana loads."""
    return {
        name: _numbered(json.loads(json.dumps(make().build(), cls=JSONEncoder))) for name, make in DASHBOARDS.items()
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name, data in build_all().items():
        (OUT / f"{name}.json").write_text(render(data), "utf-8")
        print(f"wrote {OUT / f'{name}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
