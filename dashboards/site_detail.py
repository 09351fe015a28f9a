"""The site detail dashboard (``generated/site-detail.json``): one exported top site (variable
``site``): its visits with their band, audience, events, languages, content types and sources.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, dashboard, table, timeseries
from grafana_foundation_sdk.models import dashboard as model

from dashboards.conventions import DS, VISITS_NOTE, board, panel, query, sel


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
