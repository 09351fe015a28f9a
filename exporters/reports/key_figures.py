"""The report's key figures: the few numbers a reader quotes, each with its band and unit.

Rounded to two significant figures ("530 M", "¥150 bn"); the exact values are in the CSV files.
"""

from __future__ import annotations

from collections.abc import Sequence

from exporters.figures.model import Band, SiteFigures
from exporters.reports.damage import DamageTables
from exporters.reports.history import History, market_visits, top3_share
from exporters.reports.i18n import t
from exporters.reports.table import Kind, change, html_cell


def key_figures(
    history: History, damage: DamageTables, currency: str, top: Sequence[SiteFigures], lang: str = "en"
) -> list[dict[str, str]]:
    """The key figures, to two significant figures (the exact values are in the CSV files)."""
    current = history.current
    previous, year_ago = history.get(1), history.get(12)
    market = market_visits(current)
    mom = change(current.total.central, previous.total.central if previous else None)
    yoy = change(current.total.central, year_ago.total.central if year_ago else None)
    top3 = top3_share(current.sites, current.total.central)
    top_total = Band()
    for site in top:
        top_total = top_total + site.visits

    def show(value: float | int | None, kind: Kind) -> str:
        return html_cell(value, kind, currency, lang, digits=2)

    def band(b: Band, kind: Kind = "visits") -> str:
        return f"{show(b.low, kind)} – {show(b.high, kind)}"

    return [
        {
            "label": t("visits, all sites (central)"),
            "value": show(current.total.central, "visits"),
            "note": band(current.total),
        },
        {
            "label": t("visits, top {n} sites for {market}", n=len(top), market=current.market),
            "value": show(top_total.central, "visits"),
            "note": band(top_total),
        },
        {
            "label": t("visits from {market}", market=current.market),
            "value": show(market.central, "visits"),
            "note": band(market),
        },
        {"label": t("change on previous month"), "value": show(mom, "change"), "note": t("central")},
        {"label": t("change on a year before"), "value": show(yoy, "change"), "note": t("central")},
        {"label": t("top-3 share"), "value": show(top3, "share"), "note": t("of all visits")},
        {"label": t("sites estimated"), "value": show(current.sites_estimated, "int"), "note": current.month},
        {
            "label": t("read-for-free value (central)"),
            "value": show(damage.total.value.central, "money"),
            "note": band(damage.total.value, "money"),
        },
        {
            "label": t("lost sales (central)"),
            "value": show(damage.total.lost_sales.central, "money"),
            "note": band(damage.total.lost_sales, "money"),
        },
    ]
