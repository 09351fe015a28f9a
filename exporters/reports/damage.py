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


def _band_damage(
    visits: float, timed: float, timed_seconds: float, factor: float, minutes_per_visit: float, per_unit: float,
    price: float, displacement: float,
) -> tuple[float, float, float, float]:  # fmt: skip
    """One band of one cell: visits counted, units read, read-for-free value, lost sales (the module's formulas)."""
    untimed = max(0.0, visits - timed) * factor
    minutes = timed_seconds * factor / 60.0 + untimed * minutes_per_visit
    units = minutes / per_unit
    value = units * price
    return visits * factor, units, value, value * displacement


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
        visits[b], units[b], value[b], lost[b] = _band_damage(
            work.visits.get(b),
            work.timed.get(b),
            work.timed_seconds.get(b),
            factor,
            c.minutes_per_visit.value,
            c.minutes_per_unit.value,
            price,
            displacement.get(b),
        )
    return Damage(Band(**visits), Band(**units), Band(**value), Band(**lost))


def central_totals(coefficients: Coefficients, inputs: Mapping[Cell, WorkVisits], band: str) -> tuple[float, float]:
    """The total read-for-free value and lost sales at the central coefficients, with every cell's visits at `band`.

    What :func:`damage_tables` gives as ``total.value.central`` and ``total.lost_sales.central`` for the
    inputs pinned to `band`, computed the same way (the same formulas, the same cells in the same order)
    without the groups or the other bands: the sensitivity table needs fourteen such totals.
    """
    fallback = coefficients.content_share_fallback.central
    value = lost = 0.0
    for cell, work in sorted(inputs.items()):
        content_type, country, share, _ = cell
        c = coefficients.content_types[content_type]
        _, _, cell_value, cell_lost = _band_damage(
            work.visits.get(band),
            work.timed.get(band),
            work.timed_seconds.get(band),
            1.0 if share == SHARE_KNOWN else fallback,
            c.minutes_per_visit.value,
            c.minutes_per_unit.value,
            coefficients.price(content_type, country),
            coefficients.displacement(content_type, country).central,
        )
        value += cell_value
        lost += cell_lost
    return value, lost


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
