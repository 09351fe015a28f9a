"""The report's month-by-month tables: the trend of visits and events, and the events of the listed sites.

Each reads several months of the history (thirteen for the trend, twelve for the others), where the
other tables read the report month alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from exporters.figures.model import MONTH_EVENTS, SiteFigures
from exporters.reports.history import HISTORY_MONTHS, TREND_MONTHS, History, market_visits, top3_share
from exporters.reports.i18n import t
from exporters.reports.table import Column, Table, change
from exporters.reports.visit_columns import band_cells, band_columns, source_note


def trend_table(history: History) -> Table:
    """Total visits, visits from the market, MoM change and the month's events, for thirteen months."""
    columns = [
        Column("month", "month"),
        Column("sites_estimated", "sites estimated", "int"),
        *band_columns("visits", "visits"),
        Column("mom_change", "change on previous month", "change"),
        Column("yoy_change", "change on a year before", "change"),
        *band_columns("market_visits", "visits from {market}", market=history.current.market),
        Column("top3_share", "top-3 share", "share"),
        *[Column(e, e.replace("_", " "), "int") for e in MONTH_EVENTS],
    ]
    table = Table(
        "trend",
        t("Monthly visits and events"),
        source_note(history.current)
        + " "
        + t("Events are counted in each calendar month ({timezone}).", timezone=history.current.timezone),
        columns,
    )
    for month in history.months(HISTORY_MONTHS):
        figures = history.figures.get(month.label)
        if figures is None:
            table.rows.append([month.label, *[None] * (len(columns) - 1)])
            continue
        previous = history.figures.get(month.shift(-1).label)
        year_ago = history.figures.get(month.shift(-12).label)
        table.rows.append(
            [
                month.label,
                figures.sites_estimated,
                *band_cells(figures.total),
                change(figures.total.central, previous.total.central if previous else None),
                change(figures.total.central, year_ago.total.central if year_ago else None),
                *band_cells(market_visits(figures)),
                top3_share(figures.sites, figures.total.central),
                *[figures.events.get(e, 0) for e in MONTH_EVENTS],
            ]
        )
    return table


def events_table(history: History, sites: Sequence[SiteFigures]) -> Table:
    """Enforcement and infrastructure events of the listed sites, month by month."""
    columns = [
        Column("month", "month"),
        Column("site", "site"),
        Column("event", "event", "term"),
        Column("count", "count", "int"),
    ]
    table = Table(
        "site_events",
        t("Events on the listed sites"),
        t("Hops, host changes, domains gone, notices sent and actioned, closures, counted in each calendar month."),
        columns,
    )
    wanted = {s.site_id for s in sites}
    for month in history.months(TREND_MONTHS):
        figures = history.figures.get(month.label)
        for site in figures.sites if figures else []:
            if site.site_id in wanted:
                for event, count in sorted(site.events.items()):
                    table.rows.append([month.label, site.name, event, count])
    return table
