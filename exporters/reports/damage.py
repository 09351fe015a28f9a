"""Damage: read-for-free value and lost sales, from the visits that concern the associations' works.

    visits  = site visits × content share (works found ÷ catalogue titles; the fallback when unknown)
    minutes = measured visit-minutes + unmeasured visits × minutes_per_visit[content type]
    units   = minutes / minutes_per_unit
    value   = units × unit_price[content type, country]          (read for free: no substitution)
    lost    = value × displacement[content type, country]        (lost sales)

Each band goes with its own: low visits with the low fallback share and the low displacement,
central with central, high with high. The two money figures are never added to each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from exporters.figures.model import BANDS, SHARE_KNOWN, UNKNOWN_COUNTRY, Band, WorkVisits
from exporters.reports.coefficients import Coefficients

DOMESTIC, OVERSEAS, UNKNOWN = "domestic", "overseas", "unknown"
#: a cell of the damage model's inputs: (content type, audience country, content share known?, distribution type)
Cell = tuple[str, str, str, str]


@dataclass(frozen=True)
class Damage:
    """Visits counted, units read, value read for free and lost sales of one group, each with its band."""

    visits: Band
    units: Band
    value: Band
    lost_sales: Band

    def __add__(self, other: Damage) -> Damage:
        return Damage(
            self.visits + other.visits,
            self.units + other.units,
            self.value + other.value,
            self.lost_sales + other.lost_sales,
        )


ZERO = Damage(Band(), Band(), Band(), Band())


def audience_of(country: str, market: str) -> str:
    """Domestic (the market's own country), overseas, or unknown (no country breakdown)."""
    if country == UNKNOWN_COUNTRY:
        return UNKNOWN
    return DOMESTIC if country == market else OVERSEAS


def cell_damage(coefficients: Coefficients, cell: Cell, work: WorkVisits) -> Damage:
    """The damage of one cell's visits (see the module's formulas)."""
    content_type, country, share, _ = cell
    c = coefficients.content_types[content_type]
    fallback = coefficients.content_share_fallback
    price = coefficients.price(content_type, country)
    displacement = coefficients.displacement(content_type, country)
    visits, units, value, lost = {}, {}, {}, {}
    for b in BANDS:
        factor = 1.0 if share == SHARE_KNOWN else fallback.get(b)
        visits[b] = work.visits.get(b) * factor
        untimed = max(0.0, work.visits.get(b) - work.timed.get(b)) * factor
        minutes = work.timed_seconds.get(b) * factor / 60.0 + untimed * c.minutes_per_visit.value
        units[b] = minutes / c.minutes_per_unit.value
        value[b] = units[b] * price
        lost[b] = value[b] * displacement.get(b)
    return Damage(Band(**visits), Band(**units), Band(**value), Band(**lost))


@dataclass(frozen=True)
class DamageTables:
    """The damage of a month, grouped three ways."""

    by_content_type: dict[str, Damage]
    by_audience: dict[str, Damage]
    by_content_type_audience: dict[tuple[str, str], Damage]
    total: Damage
    #: by the sites' distribution type (exporters.figures.markets.DISTRIBUTIONS)
    by_distribution: dict[str, Damage]


def damage_tables(coefficients: Coefficients, inputs: Mapping[Cell, WorkVisits], market: str) -> DamageTables:
    """Damage by content type, by domestic / overseas / unknown audience, and both."""
    by_type: dict[str, Damage] = {}
    by_audience: dict[str, Damage] = {}
    both: dict[tuple[str, str], Damage] = {}
    by_distribution: dict[str, Damage] = {}
    total = ZERO
    for cell, work in sorted(inputs.items()):
        damage = cell_damage(coefficients, cell, work)
        content_type, country, _, distribution = cell
        where = audience_of(country, market)
        by_distribution[distribution] = by_distribution.get(distribution, ZERO) + damage
        by_type[content_type] = by_type.get(content_type, ZERO) + damage
        by_audience[where] = by_audience.get(where, ZERO) + damage
        both[(content_type, where)] = both.get((content_type, where), ZERO) + damage
        total = total + damage
    return DamageTables(by_type, by_audience, both, total, by_distribution)


@dataclass(frozen=True)
class Coverage:
    """How much of the month's visits the measured inputs cover (printed under the damage table)."""

    #: visits of sites whose content share is unknown (counted at the fallback share)
    share_unknown: Band
    #: visits counted (central, at the central fallback share), and those whose duration the source measured
    counted: float
    timed: float


def coverage(coefficients: Coefficients, inputs: Mapping[Cell, WorkVisits]) -> Coverage:
    unknown, counted, timed = Band(), 0.0, 0.0
    fallback = coefficients.content_share_fallback.central
    for (_, _, share, _), work in sorted(inputs.items()):
        known = share == SHARE_KNOWN
        if not known:
            unknown = unknown + work.visits
        factor = 1.0 if known else fallback
        counted += work.visits.central * factor
        timed += work.timed.central * factor
    return Coverage(unknown, counted, timed)
