"""The takedown pipeline dashboard (``generated/takedown-pipeline.json``): notices by state and
recipient kind, sent and actioned per day, overdue, and the time from sending to action.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import common, dashboard, stat, table, timeseries
from grafana_foundation_sdk.models import common as common_model

from dashboards.conventions import board, panel, query, sel


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
