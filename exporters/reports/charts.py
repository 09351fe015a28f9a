"""The report's charts, drawn with matplotlib as SVG.

Figures are made with ``matplotlib.figure.Figure`` directly (no pyplot, so no global state: the
charts can be drawn from any thread), text is kept as text (``svg.fonttype: none``: small files,
and the browser draws Japanese or Vietnamese names with its own fonts).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

from exporters.figures.model import Band, SiteFigures
from exporters.reports.damage import DamageTables
from exporters.reports.history import TREND_MONTHS, History, market_visits
from exporters.reports.i18n import current, t
from exporters.reports.numbers import money_text, visits_text


def _fonts() -> list[str]:
    """Matplotlib's font, then a CJK one where installed: it measures Japanese labels (the SVG keeps them as
    text, which the browser draws with its own fonts) instead of warning about missing glyphs."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *(n for n in ("Noto Sans CJK JP", "Noto Sans JP") if n in names)][:2]


# Any: matplotlib types the keys as a Literal of every rc parameter name.
_STYLE: Any = {
    "font.family": _fonts(),
    "svg.fonttype": "none",
    "svg.hashsalt": "piratewatch",  # stable ids: the same data gives the same file
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
_EVENT_MARKERS = {
    "notices_actioned": ("v", "notices actioned"),
    "domains_gone": ("X", "domains gone"),
    "host_changes": ("D", "host changes"),
    "domain_hops": ("^", "domain hops"),
    "closed": ("s", "closed"),
}


@dataclass(frozen=True)
class Chart:
    """A chart of the report: written as ``charts/<slug>.svg`` and embedded in the HTML."""

    slug: str
    title: str
    caption: str
    svg: bytes


class _Compact(Formatter):
    """Axis labels in the report's units (``12 M``, ``1,200 万``, ``¥3.2 bn``) with as many significant
    figures as the ticks need to differ: a narrow range never reads "24 k, 24 k, 24 k"."""

    def __init__(self, money: str | None = None, lang: str | None = None) -> None:
        self.money = money
        self.lang = lang or current()
        self.digits = 2

    def _text(self, value: float, digits: int) -> str:
        if value == 0:
            return "0"
        if self.money:
            return money_text(value, self.money, self.lang, digits)
        return visits_text(value, self.lang, digits)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self._text(x, self.digits)

    def format_ticks(self, values: Any) -> list[str]:
        ticks = [float(v) for v in values]
        for digits in range(2, 7):
            labels = [self._text(v, digits) for v in ticks]
            if len(set(labels)) == len(labels):
                self.digits = digits
                return labels
        return [f"{v:,.0f}" for v in ticks]


def _svg(figure: Figure) -> bytes:
    out = io.BytesIO()
    with mpl.rc_context(_STYLE):
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _figure(width: float = 8.0, height: float = 4.0) -> Figure:
    with mpl.rc_context(_STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def trend_chart(history: History) -> Chart:
    """Total visits with their band over thirteen months, visits from the market, and events."""
    current = history.current
    with mpl.rc_context(_STYLE):
        figure = _figure()
        ax = figure.add_subplot()
        months = history.months(13)
        xs, low, central, high, market = [], [], [], [], []
        for i, month in enumerate(months):
            figures = history.figures.get(month.label)
            if figures is None:
                continue
            xs.append(i)
            low.append(figures.total.low)
            central.append(figures.total.central)
            high.append(figures.total.high)
            market.append(market_visits(figures).central)
        ax.fill_between(xs, low, high, alpha=0.2, label=t("all sites: band low–high"))
        ax.plot(xs, central, marker="o", label=t("all sites: central"))
        ax.plot(xs, market, marker=".", linestyle="--", label=t("from {market}: central", market=current.market))
        top = max(high, default=0.0)
        for j, event in enumerate(("notices_actioned", "domains_gone", "host_changes")):
            marker, name = _EVENT_MARKERS[event]
            points = [
                (i, f.events[event])
                for i, m in enumerate(months)
                if (f := history.figures.get(m.label)) is not None and f.events.get(event)
            ]
            if not points:
                continue
            y = top * (1.04 + 0.06 * j)
            ax.scatter([x for x, _ in points], [y] * len(points), marker=marker, s=30, label=t(name), zorder=3)
            for x, n in points:
                ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(6, -3), fontsize=7)
        ax.set_xticks(range(len(months)), [m.label for m in months], rotation=45, ha="right")
        ax.yaxis.set_major_formatter(_Compact())
        ax.set_ylabel(t("visits per month (not users)"))
        ax.set_title(
            t("Visits to the monitored sites, {first} to {last}", first=months[0].label, last=months[-1].label)
        )
        ax.legend(loc="upper left", fontsize=7, ncol=2)
    return Chart(
        "trend",
        t("Monthly visits and enforcement events"),
        t(
            "Visits (sessions, not users) from piratewatch traffic estimates, with their band; markers above: "
            "notices actioned, domains gone and host changes in the month, with their counts."
        ),
        _svg(figure),
    )


def market_chart(history: History, sites: Sequence[SiteFigures]) -> Chart:
    """The market's top sites (mainly for the market): their visits over twelve months, with each site's events."""
    current = history.current
    months = history.months(TREND_MONTHS)
    with mpl.rc_context(_STYLE):
        figure = _figure(8.0, 4.5)
        ax = figure.add_subplot()
        seen_events: set[str] = set()
        for site in sites:
            xs, ys = [], []
            for i, month in enumerate(months):
                figures = history.figures.get(month.label)
                found = next((s for s in figures.sites if s.site_id == site.site_id), None) if figures else None
                if found is None:
                    continue
                xs.append(i)
                ys.append(found.visits.central)
                for event, count in found.events.items():
                    if count and event in _EVENT_MARKERS:
                        marker, name = _EVENT_MARKERS[event]
                        ax.scatter(
                            [i],
                            [ys[-1]],
                            marker=marker,
                            s=50,
                            color="black",
                            zorder=4,
                            label=t(name) if event not in seen_events else None,
                        )
                        seen_events.add(event)
            ax.plot(xs, ys, marker=".", label=site.name)
        ax.set_xticks(range(len(months)), [m.label for m in months], rotation=45, ha="right")
        ax.yaxis.set_major_formatter(_Compact())
        ax.set_ylabel(t("visits per month (not users)"))
        ax.set_title(
            t("Top {n} sites for {market}", n=len(sites), market=current.market)
            if len(sites) != 1
            else t("Top site for {market}", market=current.market)
        )
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7)
    return Chart(
        "market_top_sites",
        t("Top sites for {market}", market=current.market),
        t(
            "Monthly visits (central estimate; visits, not users) to the largest sites whose audience is mainly "
            "{market} in {month}; black markers: events on the site that month.",
            market=current.market,
            month=current.month,
        ),
        _svg(figure),
    )


def bar_chart(
    slug: str,
    title: str,
    caption: str,
    groups: dict[str, Band],
    shown: int,
    note: dict[str, str],
    label: Callable[[str], str] = str,
) -> Chart:
    """Horizontal bars of the largest groups (central), with the band as error bars; `label` names each group."""
    names = sorted(groups, key=lambda k: (-groups[k].central, k))[:shown][::-1]
    with mpl.rc_context(_STYLE):
        figure = _figure(7.0, 0.35 * len(names) + 1.2)
        ax = figure.add_subplot()
        central = [groups[n].central for n in names]
        errors = [
            [groups[n].central - groups[n].low for n in names],
            [groups[n].high - groups[n].central for n in names],
        ]
        ax.barh(range(len(names)), central, xerr=errors, capsize=3)
        ax.set_yticks(range(len(names)), [label(n) for n in names])
        for y, name in enumerate(names):
            if name in note:
                ax.annotate(note[name], (groups[name].high, y), textcoords="offset points", xytext=(4, -3), fontsize=7)
        ax.xaxis.set_major_formatter(_Compact())
        ax.set_xlabel(t("visits this month (not users); bars: central, whiskers: low–high"))
        ax.set_title(title)
    return Chart(slug, title, caption, _svg(figure))


def damage_chart(damage: DamageTables, currency: str, month: str) -> Chart:
    """Read-for-free value and lost sales by content type (central, with the band)."""
    names = sorted(damage.by_content_type, key=lambda k: -damage.by_content_type[k].value.central)
    with mpl.rc_context(_STYLE):
        figure = _figure(7.5, 4.0)
        ax = figure.add_subplot()
        xs = range(len(names))
        for offset, field, label in ((-0.2, "value", t("read-for-free value")), (0.2, "lost_sales", t("lost sales"))):
            bands = [getattr(damage.by_content_type[n], field) for n in names]
            ax.bar(
                [x + offset for x in xs],
                [b.central for b in bands],
                width=0.4,
                yerr=[[b.central - b.low for b in bands], [b.high - b.central for b in bands]],
                capsize=3,
                label=label,
            )
        ax.set_xticks(list(xs), [t(n) for n in names])
        ax.yaxis.set_major_formatter(_Compact(money=currency))
        ax.set_ylabel(currency)
        ax.set_title(t("Damage by content type, {month}", month=month))
        ax.legend(fontsize=8)
    return Chart(
        "damage",
        t("Damage by content type"),
        t(
            "Read-for-free value and lost sales in {currency} (central, whiskers: the envelope low–high, not an "
            "interval; the simulated 90 % interval is in the damage table), from visits (not users) "
            "and the coefficients of the appendix. The two figures are different measures: never add them.",
            currency=currency,
        ),
        _svg(figure),
    )
