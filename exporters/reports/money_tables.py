"""The report's tables in money: the damage (by content type, by audience, both, its sensitivity) and
the appendix of the coefficients it is computed with.

The computation is :mod:`exporters.reports.damage`; this module lays its results out as tables.
"""

from __future__ import annotations

from collections.abc import Mapping

from exporters.figures.markets import DISTRIBUTIONS
from exporters.figures.model import OTHER, UNKNOWN_COUNTRY, Band
from exporters.reports.coefficients import Coefficients
from exporters.reports.damage import Damage, DamageTables, coverage, damage_tables
from exporters.reports.history import History
from exporters.reports.i18n import current as current_language
from exporters.reports.i18n import t
from exporters.reports.numbers import visits_text
from exporters.reports.sensitivity import sensitivity
from exporters.reports.table import Column, Table
from exporters.reports.uncertainty import Interval, Simulation, simulate
from exporters.reports.visit_columns import band_cells, source_note


def damage_tables_of(history: History, coefficients: Coefficients) -> DamageTables:
    return damage_tables(coefficients, history.current.damage_inputs(), history.current.market)


def simulation_of(history: History, coefficients: Coefficients) -> Simulation:
    return simulate(coefficients, history.current.damage_inputs(), history.current.market)


def damage_table_set(
    history: History, coefficients: Coefficients, d: DamageTables | None = None, sim: Simulation | None = None
) -> list[Table]:
    """Read-for-free value and lost sales by content type, by audience, and both; and the sensitivity table.

    `d` and `sim`, when given, are the month's :func:`damage_tables_of` and :func:`simulation_of`
    (the report computes them once for the tables, the chart, the key figures and ``report.json``).
    """
    current = history.current
    d = damage_tables_of(history, coefficients) if d is None else d
    cur = coefficients.currency
    note = (
        source_note(current)
        + " "
        + t(
            "Money in {currency} at {year} prices: read-for-free value (visits × content share × minutes per visit "
            "÷ minutes per unit × unit price) and lost sales (value × displacement); the two are never added. "
            "Coefficients and their sources: appendix.",
            currency=cur,
            year=coefficients.price_year,
        )
    )

    sim = simulation_of(history, coefficients) if sim is None else sim

    def money(prefix: str, heading: str) -> list[Column]:
        # the group heading is a catalogue message: "read-for-free value ({currency})"; low and high are
        # the envelope (every range at one end), the simulated interval has columns of its own
        return [
            Column(f"{prefix}_{b}", h, "money", f"{heading} ({{currency}})", {"currency": cur})
            for b, h in (("low", "envelope low"), ("central", "central"), ("high", "envelope high"))
        ]

    def interval(prefix: str, heading: str) -> list[Column]:
        group = f"{heading}, {{level}} % interval ({{currency}})"
        args = {"currency": cur, "level": f"{sim.level * 100:g}"}
        return [Column(f"{prefix}_p05", "5th percentile", "money", group, args),
                Column(f"{prefix}_p95", "95th percentile", "money", group, args)]  # fmt: skip

    def money_cells(damage: Damage, drawn: Interval) -> list[float | None]:
        return [
            *band_cells(damage.value),
            drawn.value_low,
            drawn.value_high,
            *band_cells(damage.lost_sales),
            drawn.lost_sales_low,
            drawn.lost_sales_high,
        ]

    def money_columns() -> list[Column]:
        return [
            *money("value", "read-for-free value"),
            *interval("value", "read-for-free value"),
            *money("lost_sales", "lost sales"),
            *interval("lost_sales", "lost sales"),
        ]

    by_type = Table(
        "damage_by_content_type",
        t("Damage by content type"),
        note,
        [
            Column("content_type", "content type", "term"),
            Column("unit", "unit", "term"),
            Column("visits_central", "visits counted (central)", "visits"),
            Column("units_central", "units read (central)", "number"),
            *money_columns(),
        ],
    )
    for content_type, damage in sorted(d.by_content_type.items(), key=lambda kv: -kv[1].value.central):
        by_type.rows.append(
            [
                content_type,
                coefficients.content_types[content_type].unit,
                damage.visits.central,
                damage.units.central,
                *money_cells(damage, sim.by_content_type[content_type]),
            ]
        )
    by_type.add_total(["all", "", d.total.visits.central, None, *money_cells(d.total, sim.total)])
    by_type.notes.append(_interval_note(sim))
    by_type.notes += _coverage_notes(history, coefficients)
    fallback = _default_priced(current.audience, coefficients)
    if fallback:
        by_type.notes.append(
            t(
                "Priced at the default price (the coefficients have no price of their own for them): {which}.",
                which="; ".join(f"{t(ct)}: {_codes(countries)}" for ct, countries in fallback.items()),
            )
        )

    rates_fallback = _default_displaced(current.audience, coefficients)
    if rates_fallback:
        by_type.notes.append(
            t(
                "Lost sales at the content type's general displacement rates (no study measured these audiences "
                "apart): {which}.",
                which="; ".join(f"{t(ct)}: {_codes(countries)}" for ct, countries in rates_fallback.items()),
            )
        )

    by_audience = Table(
        "damage_by_audience",
        t("Damage by audience: domestic ({market}) and overseas", market=current.market),
        note
        + " "
        + t(
            "Domestic: visits from the market's country; overseas: every other country and `other`; unknown: no "
            "breakdown."
        ),
        [
            Column("audience", "audience", "term"),
            Column("visits_central", "visits counted (central)", "visits"),
            *money_columns(),
        ],
    )
    for where in ("domestic", "overseas", "unknown"):
        if where in d.by_audience:
            damage = d.by_audience[where]
            by_audience.rows.append([where, damage.visits.central, *money_cells(damage, sim.by_audience[where])])
    by_audience.notes.append(_interval_note(sim))

    by_distribution = Table(
        "damage_by_distribution",
        t("Damage by distribution type"),
        note
        + " "
        + t(
            "Distribution type of each site: within {market} (its audience is mainly {market}), within the "
            "destination country (mainly one other country, at least half of its visits, in that country's own "
            "language), aimed abroad (the rest: audiences outside {market} across borders); unknown: neither "
            "its audience nor its languages tell.",
            market=current.market,
        ),
        [
            Column("distribution", "distribution type", "term"),
            Column("visits_central", "visits counted (central)", "visits"),
            *money_columns(),
        ],
    )
    for kind in DISTRIBUTIONS:
        if kind in d.by_distribution:
            damage = d.by_distribution[kind]
            by_distribution.rows.append([kind, damage.visits.central, *money_cells(damage, sim.by_distribution[kind])])
    by_distribution.notes.append(_interval_note(sim))

    both = Table(
        "damage_by_content_type_audience",
        t("Damage by content type and audience"),
        note,
        [
            Column("content_type", "content type", "term"),
            Column("audience", "audience", "term"),
            *money("value", "read-for-free value"),
            *money("lost_sales", "lost sales"),
        ],
    )
    for (content_type, where), damage in sorted(d.by_content_type_audience.items()):
        both.rows.append([content_type, where, *band_cells(damage.value), *band_cells(damage.lost_sales)])

    table = Table(
        "sensitivity",
        t("Sensitivity of the damage to its coefficients"),
        t(
            "Central totals in {currency} when one group of coefficients moves and the rest stay; the first row "
            "moves the visits to the estimates' low and high bands. Central: value {value}, lost sales {lost}.",
            currency=cur,
            value=f"{d.total.value.central:,.0f}",
            lost=f"{d.total.lost_sales.central:,.0f}",
        ),
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
    for s in sensitivity(coefficients, current.damage_inputs()):
        # the words are catalogue messages (the CSV of the Japanese edition has them in Japanese, as its headers)
        low, high = t(s.low_setting), t(s.high_setting)
        table.rows.append([t(s.parameter), low, s.low_value, s.low_lost_sales, high, s.high_value, s.high_lost_sales])
    return [by_type, by_audience, by_distribution, both, table]


def coefficients_table(coefficients: Coefficients) -> Table:
    """Every coefficient with its source, the price year and the exchange rates (the appendix)."""
    table = Table(
        "coefficients",
        t("Appendix: coefficients and their sources"),
        t(
            "Prices in {currency} at {year} prices; other currencies converted at the rates below.",
            currency=coefficients.currency,
            year=coefficients.price_year,
        ),
        [
            Column("content_type", "content type", "term"),
            Column("coefficient", "coefficient"),
            Column("value", "value", "number"),
            Column("unit", "unit"),
            Column("source", "source"),
        ],
    )
    # the coefficients' names and units are catalogue messages; their sources are quoted as the file gives them
    table.rows.append(["", t("price year"), coefficients.price_year, "", ""])
    for currency, rate in sorted(coefficients.exchange_rates.items()):
        per = t("{currency} per {unit}", currency=coefficients.currency, unit=currency)
        table.rows.append(["", t("exchange rate {currency}", currency=currency), rate.rate, per, rate.source])
    for name, c in sorted(coefficients.content_types.items()):
        minutes = c.minutes_per_visit
        table.rows.append([name, t("minutes per visit"), minutes.value, t("minutes"), minutes.source])
        per_unit = c.minutes_per_unit
        unit = t("minutes per {unit}", unit=t(c.unit))
        table.rows.append([name, t("minutes per unit"), per_unit.value, unit, per_unit.source])
        for where, price in sorted(c.unit_price.items()):
            per = t("{currency} per {unit}", currency=price.currency, unit=t(c.unit))
            table.rows.append([name, t("unit price ({where})", where=t(where)), price.amount, per, price.source])
        for band in ("low", "central", "high"):
            coefficient = t("displacement ({band})", band=t(band))
            table.rows.append([name, coefficient, c.displacement.get(band), "", c.displacement.source])
        for country, rates in sorted(c.displacement.by_country.items()):
            for band in ("low", "central", "high"):
                coefficient = t("displacement {country} ({band})", country=country, band=t(band))
                table.rows.append([name, coefficient, rates.get(band), "", rates.source])
    return table


def _codes(countries: list[str]) -> str:
    """Country codes for a note, ``other`` and ``unknown`` in the report's language."""
    return ", ".join(t(c) if c in (OTHER, UNKNOWN_COUNTRY) else c for c in countries)


def _default_priced(audience: Mapping[tuple[str, str], Band], coefficients: Coefficients) -> dict[str, list[str]]:
    """Per content type, the audience countries with visits this month that the default price values."""
    out: dict[str, list[str]] = {}
    for (content_type, country), band in sorted(audience.items()):
        if band.central <= 0 or content_type not in coefficients.content_types:
            continue
        if country not in coefficients.content_types[content_type].unit_price:
            out.setdefault(content_type, []).append(country)
    return out


def _coverage_notes(history: History, coefficients: Coefficients) -> list[str]:
    """What the damage counts at a fallback: visits of sites with no content share, visits with no duration."""
    current = history.current
    inputs = current.damage_inputs()
    cover = coverage(coefficients, inputs)
    lang = current_language()
    fallback = coefficients.content_share_fallback
    total = current.total.central
    notes = [
        t(
            "Visits counted: those that concern the associations' works, each site's visits times its content "
            "share (distinct works found on it ÷ the titles its sitemaps list)."
        )
    ]
    if cover.share_unknown.central > 0:
        notes.append(
            t(
                "Content share unknown (no catalogue count) for sites with {unknown} of the month's {total} visits: "
                "counted at the fallback share {central} (low {low}, high {high}; {source}).",
                unknown=visits_text(cover.share_unknown.central, lang),
                total=visits_text(total, lang),
                central=f"{fallback.central:g}",
                low=f"{fallback.low:g}",
                high=f"{fallback.high:g}",
                source=fallback.source,
            )
        )
    notes.append(
        t(
            "Visit duration measured by the traffic source for {timed} of the {counted} visits counted; "
            "the others at their content type's minutes per visit (appendix).",
            timed=visits_text(cover.timed, lang),
            counted=visits_text(cover.counted, lang),
        )
    )
    return notes


def _default_displaced(audience: Mapping[tuple[str, str], Band], coefficients: Coefficients) -> dict[str, list[str]]:
    """Per content type with rates by country, the audience countries with visits that its general rates value."""
    out: dict[str, list[str]] = {}
    for (content_type, country), band in sorted(audience.items()):
        content = coefficients.content_types.get(content_type)
        if band.central <= 0 or content is None or not content.displacement.by_country:
            continue
        if country not in content.displacement.by_country:
            out.setdefault(content_type, []).append(country)
    return out


def _interval_note(sim: Simulation) -> str:
    return t(
        "Envelope low and high: every ranged value at its low end together, and at its high end (not an "
        "interval). {level} % interval: the 5th to the 95th percentile of {draws} draws (seed {seed}) from "
        "triangular distributions over the ranges of the visits (one draw for all sites), the content-share "
        "fallback and each content type's displacement; minutes, prices and exchange rates have no range "
        "(the sensitivity table moves them).",
        level=f"{sim.level * 100:g}",
        draws=f"{sim.draws:,}",
        seed=sim.seed,
    )


def damage_summary(
    history: History, coefficients: Coefficients, d: DamageTables | None = None, sim: Simulation | None = None
) -> dict[str, object]:
    """The damage's totals for ``report.json``: the envelope, the central value and the simulated interval."""
    d = damage_tables_of(history, coefficients) if d is None else d
    sim = simulation_of(history, coefficients) if sim is None else sim

    def figures(damage: Damage, drawn: Interval) -> dict[str, object]:
        return {
            "read_for_free_value": {
                "central": damage.value.central,
                "envelope": [damage.value.low, damage.value.high],
                "interval": [drawn.value_low, drawn.value_high],
            },
            "lost_sales": {
                "central": damage.lost_sales.central,
                "envelope": [damage.lost_sales.low, damage.lost_sales.high],
                "interval": [drawn.lost_sales_low, drawn.lost_sales_high],
            },
        }

    return {
        "currency": coefficients.currency,
        "price_year": coefficients.price_year,
        "envelope": "every ranged value at its low end together, and at its high end (not an interval)",
        "interval": {
            "level": sim.level,
            "percentiles": [5, 95],
            "draws": sim.draws,
            "seed": sim.seed,
            "method": "simulation: triangular draws over the ranges of the visits (one draw for all sites), "
            "the content-share fallback and each content type's displacement",
        },
        "total": figures(d.total, sim.total),
        "by_content_type": {k: figures(v, sim.by_content_type[k]) for k, v in sorted(d.by_content_type.items())},
        "by_audience": {k: figures(v, sim.by_audience[k]) for k, v in sorted(d.by_audience.items())},
        "by_distribution": {k: figures(v, sim.by_distribution[k]) for k, v in sorted(d.by_distribution.items())},
    }
