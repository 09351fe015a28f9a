"""The report's tables, computed from thirteen months of figures (the month, and twelve before it).

Every number is *visits* (sessions, not users) or money derived from visits, with its band. Shares
and changes are fractions in the CSV files and percentages in the HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from exporters.figures.calendar import Month
from exporters.figures.languages import home_country
from exporters.figures.model import MONTH_EVENTS, OTHER, Band, MonthFigures, SiteFigures
from exporters.reports.coefficients import Coefficients
from exporters.reports.damage import DamageTables, damage_tables, sensitivity
from exporters.reports.table import Column, Table, change

HISTORY_MONTHS = 13  # the month and the twelve before it (year on year)
TREND_MONTHS = 12


@dataclass(frozen=True)
class History:
    """The figures of the report month and the months before it (None: the source had none)."""

    month: Month
    figures: dict[str, MonthFigures | None]

    def get(self, months_back: int = 0) -> MonthFigures | None:
        return self.figures.get(self.month.shift(-months_back).label)

    @property
    def current(self) -> MonthFigures:
        figures = self.get(0)
        assert figures is not None  # the report refuses a month without figures
        return figures

    def months(self, count: int) -> list[Month]:
        return self.month.span(count)


def _bands(prefix: str, heading: str) -> list[Column]:
    return [
        Column(f"{prefix}_low", f"{heading} (low)", "visits"),
        Column(f"{prefix}_central", f"{heading} (central)", "visits"),
        Column(f"{prefix}_high", f"{heading} (high)", "visits"),
    ]


def _band_cells(band: Band | None) -> list[float | None]:
    return [band.low, band.central, band.high] if band is not None else [None, None, None]


def market_visits(figures: MonthFigures) -> Band:
    """Visits from the market's own country, over all content types."""
    out = Band()
    for (_, country), band in sorted(figures.audience.items()):
        if country == figures.market:
            out = out + band
    return out


def top3_share(sites: Sequence[SiteFigures], total: float, weight: dict[int, float] | None = None) -> float | None:
    """Share of `total` taken by the three largest of `sites` (each counted with its weight)."""
    if total <= 0:
        return None
    largest = sorted(sites, key=lambda s: (-s.visits.central, s.site_id))[:3]
    return sum(s.visits.central * (weight or {}).get(s.site_id, 1.0) for s in largest) / total


def source_note(figures: MonthFigures) -> str:
    """Which sources the month's estimates come from, for every caption."""
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(figures.sites_by_source.items())) or "none"
    return (
        f"Visits (sessions), not users. Source: piratewatch traffic estimates for {figures.month} "
        f"({figures.sites_estimated} sites; by source: {kinds}); band low–high from the estimates."
    )


def trend_table(history: History) -> Table:
    """Total visits, visits from the market, MoM change and the month's events, for thirteen months."""
    columns = [
        Column("month", "month"),
        Column("sites_estimated", "sites estimated", "int"),
        *_bands("visits", "visits"),
        Column("mom_change", "change on previous month", "change"),
        Column("yoy_change", "change on a year before", "change"),
        *_bands("market_visits", "visits from the market"),
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
                *_band_cells(figures.total),
                change(figures.total.central, previous.total.central if previous else None),
                change(figures.total.central, year_ago.total.central if year_ago else None),
                *_band_cells(market_visits(figures)),
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
        *_bands("market_visits", f"visits from {current.market}, {current.month}"),
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
                *_band_cells(site.visits.scaled(share)),
                *series,
            ]
        )
    return table


def _ordered(groups: dict[str, Band]) -> list[str]:
    return sorted(groups, key=lambda k: (k == OTHER, -groups[k].central, k))


def _group_table(
    history: History,
    slug: str,
    title: str,
    key: str,
    groups_of: Callable[[MonthFigures], dict[str, Band]],
    extra: Sequence[Column] = (),
) -> Table:
    current = history.current
    columns = [
        Column(key, key.replace("_", " ")),
        *extra,
        *_bands("visits", "visits"),
        Column("share", "share of all visits", "share"),
        Column("mom_change", "change on previous month", "change"),
        Column("yoy_change", "change on a year before", "change"),
    ]
    table = Table(slug, title, source_note(current), columns)

    def groups(figures: MonthFigures | None) -> dict[str, Band]:
        return groups_of(figures) if figures is not None else {}

    now, before, year_ago = groups(current), groups(history.get(1)), groups(history.get(12))
    total = current.total.central
    for name in _ordered(now):
        band = now[name]
        table.rows.append(
            [
                name,
                *[None] * len(extra),
                *_band_cells(band),
                band.central / total if total else None,
                change(band.central, before[name].central if name in before else None),
                change(band.central, year_ago[name].central if name in year_ago else None),
            ]
        )
    return table


def language_table(history: History) -> Table:
    """Visits by site language, with each language's home-country (domestic) share and top-3 concentration."""
    current = history.current
    table = _group_table(
        history,
        "by_language",
        "Visits by site language",
        "language",
        lambda f: f.by_language,
        [
            Column("home_country", "home country"),
            Column("home_share", "share from the home country", "share"),
            Column("top3_share", "top-3 share", "share"),
        ],
    )
    table.caption += " A site in n languages counts 1/n of its visits in each."
    for row in table.rows:
        language = str(row[0])
        band = current.by_language.get(language, Band())
        home = current.by_language_home.get(language)
        located = current.by_language_located.get(language, Band())
        members = [s for s in current.sites if language in s.languages]
        weight = {s.site_id: 1.0 / len(s.languages) for s in members}
        row[1] = home_country(language) or ""
        row[2] = home.central / located.central if home is not None and located.central else None
        row[3] = top3_share(members, band.central, weight) if language != OTHER else None
    return table


def language_sites_table(history: History, languages: int, per_language: int) -> Table:
    """The largest sites of the largest languages, with their home-country share."""
    current = history.current
    columns = [
        Column("language", "language"),
        Column("rank", "rank", "int"),
        Column("site", "site"),
        *_bands("visits", "visits"),
        Column("home_share", "share from the home country", "share"),
        Column("market_share", f"share from {current.market}", "share"),
    ]
    table = Table(
        "language_top_sites",
        f"The largest sites of the largest languages (up to {per_language} each)",
        f"{source_note(current)} Whole sites: a site in several languages is listed under each.",
        columns,
    )
    shown = [lang for lang in _ordered(current.by_language) if lang != OTHER][:languages]
    for language in shown:
        members = sorted(
            (s for s in current.sites if language in s.languages), key=lambda s: (-s.visits.central, s.site_id)
        )
        home = home_country(language)
        for rank, site in enumerate(members[:per_language], start=1):
            table.rows.append(
                [
                    language,
                    rank,
                    site.name,
                    *_band_cells(site.visits),
                    site.countries.get(home, 0.0) if home else None,
                    site.countries.get(current.market, 0.0),
                ]
            )
    return table


def country_table(history: History) -> Table:
    """Visits by audience country."""
    table = _group_table(history, "by_country", "Visits by audience country", "country", MonthFigures.by_country)
    table.caption += (
        " Countries are each site's top five; `other` is the rest of a site's audience and countries beyond the"
        " exported ones; `unknown` is sites with no country breakdown."
    )
    return table


def content_type_table(history: History) -> Table:
    """Visits by content type."""
    table = _group_table(
        history, "by_content_type", "Visits by content type", "content_type", MonthFigures.by_content_type
    )
    table.caption += " A site of n content types counts 1/n of its visits in each."
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


def damage_tables_of(history: History, coefficients: Coefficients) -> DamageTables:
    return damage_tables(coefficients, history.current.audience, history.current.market)


def damage_table_set(history: History, coefficients: Coefficients) -> list[Table]:
    """Read-for-free value and lost sales by content type, by audience, and both; and the sensitivity table."""
    current = history.current
    d = damage_tables_of(history, coefficients)
    cur = coefficients.currency
    note = (
        f"{source_note(current)} Money in {cur} at {coefficients.price_year} prices: read-for-free value "
        f"(visits × minutes per visit ÷ minutes per unit × unit price) and lost sales (value × displacement); "
        "the two are never added. Coefficients and their sources: appendix."
    )

    def money(prefix: str, heading: str) -> list[Column]:
        return [Column(f"{prefix}_{b}", f"{heading} ({b})", "money") for b in ("low", "central", "high")]

    by_type = Table(
        "damage_by_content_type",
        "Damage by content type",
        note,
        [
            Column("content_type", "content type"),
            Column("unit", "unit"),
            Column("visits_central", "visits (central)", "visits"),
            Column("units_central", "units read (central)", "number"),
            *money("value", "read-for-free value"),
            *money("lost_sales", "lost sales"),
        ],
    )
    for content_type, damage in sorted(d.by_content_type.items(), key=lambda kv: -kv[1].value.central):
        by_type.rows.append(
            [
                content_type,
                coefficients.content_types[content_type].unit,
                damage.visits.central,
                damage.units.central,
                *_band_cells(damage.value),
                *_band_cells(damage.lost_sales),
            ]
        )
    by_type.rows.append(
        ["all", "", d.total.visits.central, None, *_band_cells(d.total.value), *_band_cells(d.total.lost_sales)]
    )

    by_audience = Table(
        "damage_by_audience",
        f"Damage by audience: domestic ({current.market}) and overseas",
        note
        + " Domestic: visits from the market's country; overseas: every other country and `other`; unknown: no breakdown.",
        [
            Column("audience", "audience"),
            Column("visits_central", "visits (central)", "visits"),
            *money("value", "read-for-free value"),
            *money("lost_sales", "lost sales"),
        ],
    )
    for where in ("domestic", "overseas", "unknown"):
        if where in d.by_audience:
            damage = d.by_audience[where]
            by_audience.rows.append(
                [where, damage.visits.central, *_band_cells(damage.value), *_band_cells(damage.lost_sales)]
            )

    both = Table(
        "damage_by_content_type_audience",
        "Damage by content type and audience",
        note,
        [
            Column("content_type", "content type"),
            Column("audience", "audience"),
            *money("value", "read-for-free value"),
            *money("lost_sales", "lost sales"),
        ],
    )
    for (content_type, where), damage in sorted(d.by_content_type_audience.items()):
        both.rows.append([content_type, where, *_band_cells(damage.value), *_band_cells(damage.lost_sales)])

    table = Table(
        "sensitivity",
        "Sensitivity of the damage to its coefficients",
        f"Central totals in {cur} when one group of coefficients moves and the rest stay; the first row moves "
        f"the visits to the estimates' low and high bands. Central: value {d.total.value.central:,.0f}, "
        f"lost sales {d.total.lost_sales.central:,.0f}.",
        [
            Column("parameter", "coefficients"),
            Column("low_setting", "low setting"),
            Column("low_value", "value", "money"),
            Column("low_lost_sales", "lost sales", "money"),
            Column("high_setting", "high setting"),
            Column("high_value", "value", "money"),
            Column("high_lost_sales", "lost sales", "money"),
        ],
    )
    for s in sensitivity(coefficients, current.audience, current.market):
        table.rows.append(
            [s.parameter, s.low_setting, s.low_value, s.low_lost_sales, s.high_setting, s.high_value, s.high_lost_sales]
        )
    return [by_type, by_audience, both, table]


def coefficients_table(coefficients: Coefficients) -> Table:
    """Every coefficient with its source, the price year and the exchange rates (the appendix)."""
    table = Table(
        "coefficients",
        "Appendix: coefficients and their sources",
        f"Prices in {coefficients.currency} at {coefficients.price_year} prices; other currencies converted at "
        "the rates below.",
        [
            Column("content_type", "content type"),
            Column("coefficient", "coefficient"),
            Column("value", "value", "number"),
            Column("unit", "unit"),
            Column("source", "source"),
        ],
    )
    table.rows.append(["", "price year", coefficients.price_year, "", ""])
    for currency, rate in sorted(coefficients.exchange_rates.items()):
        table.rows.append(
            ["", f"exchange rate {currency}", rate.rate, f"{coefficients.currency} per {currency}", rate.source]
        )
    for name, c in sorted(coefficients.content_types.items()):
        table.rows.append([name, "minutes per visit", c.minutes_per_visit.value, "minutes", c.minutes_per_visit.source])
        table.rows.append(
            [name, "minutes per unit", c.minutes_per_unit.value, f"minutes per {c.unit}", c.minutes_per_unit.source]
        )
        for where, price in sorted(c.unit_price.items()):
            table.rows.append(
                [name, f"unit price ({where})", price.amount, f"{price.currency} per {c.unit}", price.source]
            )
        for band in ("low", "central", "high"):
            table.rows.append([name, f"displacement ({band})", c.displacement.get(band), "", c.displacement.source])
    return table
