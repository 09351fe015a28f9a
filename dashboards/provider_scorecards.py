"""The provider scorecards dashboard (``generated/provider-scorecards.json``): how the providers that
get the most notices (variable ``provider``) answer them: actioned share, median time to action, unanswered.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, dashboard, table, timeseries
from grafana_foundation_sdk.models import dashboard as model

from dashboards.conventions import DS, board, panel, query, sel


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
