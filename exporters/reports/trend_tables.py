"""The report's month-by-month tables: the trend of visits and events, the market's top sites, their events.

Each reads several months of the history (thirteen for the trend, twelve for the others), where the
other tables read the report month alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from exporters.figures.model import MONTH_EVENTS, SiteFigures
from exporters.reports.history import HISTORY_MONTHS, TREND_MONTHS, History, market_visits, top3_share
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
        *band_columns("market_visits", "visits from the market"),
        Column("top3_share", "top-3 share", "share"),
        *[Column(e, e.replace("_", " "), "int") for e in MONTH_EVENTS],
    ]
    table = Table(
        "trend",
        "Monthly visits and events",
        f"{source_note(history.current)} Events are counted in each calendar month ({history.current.timezone}).",
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


def market_top_sites(history: History, count: int) -> list[SiteFigures]:
    """The `count` sites with the most visits from the market in the report month."""
    current = history.current
    ranked = [s for s in current.sites if s.visits_from(current.market) > 0]
    ranked.sort(key=lambda s: (-s.visits_from(current.market), s.site_id))
    return ranked[:count]


def market_table(history: History, count: int) -> Table:
    """The market's top sites: visits from the market over twelve months, and the month's band."""
    current = history.current
    months = history.months(TREND_MONTHS)
    columns = [
        Column("rank", "rank", "int"),
        Column("site", "site"),
        Column("languages", "languages"),
        Column("content_types", "content types"),
        Column("sources", "sources"),
        Column("market_share", f"share from {current.market}", "share"),
        *band_columns("market_visits", f"visits from {current.market}, {current.month}"),
        *[Column(f"market_visits_{m.label}", m.label, "visits") for m in months],
    ]
    top = market_top_sites(history, count)
    table = Table(
        "market_top_sites",
        f"Top {len(top)} sites for {current.market}: monthly visits from {current.market}",
        f"{source_note(current)} Sites ranked by visits from {current.market} in {current.month}; a month "
        f"shows – when the site was not among the exported top sites then.",
        columns,
    )
    for rank, site in enumerate(top, start=1):
        share = site.countries.get(current.market, 0.0)
        series: list[float | None] = []
        for month in months:
            figures = history.figures.get(month.label)
            found = next((s for s in figures.sites if s.site_id == site.site_id), None) if figures else None
            series.append(found.visits_from(current.market) if found else None)
        table.rows.append(
            [
                rank,
                site.name,
                " ".join(site.languages),
                " ".join(site.content_types),
                " ".join(site.sources),
                share,
                *band_cells(site.visits.scaled(share)),
                *series,
            ]
        )
    return table


def events_table(history: History, sites: Sequence[SiteFigures]) -> Table:
    """Enforcement and infrastructure events of the listed sites, month by month."""
    columns = [
        Column("month", "month"),
        Column("site", "site"),
        Column("event", "event"),
        Column("count", "count", "int"),
    ]
    table = Table(
        "site_events",
        "Events on the listed sites",
        "Hops, host changes, domains gone, notices sent and actioned, closures, counted in each calendar month.",
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
