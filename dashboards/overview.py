"""The overview dashboard (``generated/overview.json``): visits this month and their trend, by
language, audience country and content type; the top sites; sites by status; the month's events.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, dashboard, stat, table, timeseries

from dashboards.conventions import VISITS_NOTE, board, market_variable, panel, query, sel


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
