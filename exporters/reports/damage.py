"""Damage: read-for-free value and lost sales, from visits by content type and audience country.

    units  = visits × minutes_per_visit / minutes_per_unit
    value  = units × unit_price[content type, country]          (read for free: no substitution)
    lost   = value × displacement[content type]                 (lost sales)

Each band goes with its own: low visits with the low displacement, central with central, high
with high. The two money figures are never added to each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from exporters.figures.model import BANDS, UNKNOWN_COUNTRY, Band
from exporters.reports.coefficients import Coefficients

DOMESTIC, OVERSEAS, UNKNOWN = "domestic", "overseas", "unknown"


@dataclass(frozen=True)
class Damage:
    """Visits, units read, value read for free and lost sales of one group, each with its band."""

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


def cell_damage(coefficients: Coefficients, content_type: str, country: str, visits: Band) -> Damage:
    """The damage of `visits` to `content_type` sites from `country`."""
    c = coefficients.content_types[content_type]
    per_visit = c.minutes_per_visit.value / c.minutes_per_unit.value
    price = coefficients.price(content_type, country)
    units = {b: visits.get(b) * per_visit for b in BANDS}
    value = {b: units[b] * price for b in BANDS}
    lost = {b: value[b] * c.displacement.get(b) for b in BANDS}
    return Damage(visits, Band(**units), Band(**value), Band(**lost))


@dataclass(frozen=True)
class DamageTables:
    """The damage of a month, grouped three ways."""

    by_content_type: dict[str, Damage]
    by_audience: dict[str, Damage]
    by_content_type_audience: dict[tuple[str, str], Damage]
    total: Damage


def damage_tables(coefficients: Coefficients, audience: Mapping[tuple[str, str], Band], market: str) -> DamageTables:
    """Damage by content type, by domestic / overseas / unknown audience, and both."""
    by_type: dict[str, Damage] = {}
    by_audience: dict[str, Damage] = {}
    both: dict[tuple[str, str], Damage] = {}
    total = ZERO
    for (content_type, country), visits in sorted(audience.items()):
        cell = cell_damage(coefficients, content_type, country, visits)
        where = audience_of(country, market)
        by_type[content_type] = by_type.get(content_type, ZERO) + cell
        by_audience[where] = by_audience.get(where, ZERO) + cell
        both[(content_type, where)] = both.get((content_type, where), ZERO) + cell
        total = total + cell
    return DamageTables(by_type, by_audience, both, total)


@dataclass(frozen=True)
class Sensitivity:
    """Totals (central) when one group of coefficients is moved, the others kept."""

    parameter: str
    low_setting: str
    low_value: float
    low_lost_sales: float
    high_setting: str
    high_value: float
    high_lost_sales: float


def _scaled(coefficients: Coefficients, change: Callable[[dict[str, object]], None]) -> Coefficients:
    data = coefficients.model_dump()
    change(data)
    return Coefficients.model_validate(data)


def _scale_field(field: str, factor: float) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        for content in data["content_types"].values():  # type: ignore[attr-defined]
            content[field]["value"] *= factor

    return change


def _scale_prices(factor: float) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        for content in data["content_types"].values():  # type: ignore[attr-defined]
            for price in content["unit_price"].values():
                price["amount"] *= factor

    return change


def _scale_rates(factor: float) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        for currency, rate in data["exchange_rates"].items():  # type: ignore[attr-defined]
            if currency != data["currency"]:
                rate["rate"] *= factor

    return change


def _displacement_band(band: str) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        for content in data["content_types"].values():  # type: ignore[attr-defined]
            d = content["displacement"]
            d["low"] = d["central"] = d["high"] = d[band]

    return change


def sensitivity(coefficients: Coefficients, audience: Mapping[tuple[str, str], Band], market: str) -> list[Sensitivity]:
    """How the central value and lost sales move with each group of coefficients."""

    def totals(c: Coefficients, visits_band: str = "central") -> tuple[float, float]:
        moved = {k: Band(v.get(visits_band), v.get(visits_band), v.get(visits_band)) for k, v in audience.items()}
        t = damage_tables(c, moved, market).total
        return t.value.central, t.lost_sales.central

    rows = []
    low_v, low_l = totals(coefficients, "low")
    high_v, high_l = totals(coefficients, "high")
    rows.append(Sensitivity("visits (estimate band)", "low band", low_v, low_l, "high band", high_v, high_l))
    for name, field in (("minutes per visit", "minutes_per_visit"), ("minutes per unit", "minutes_per_unit")):
        a = totals(_scaled(coefficients, _scale_field(field, 0.5)))
        b = totals(_scaled(coefficients, _scale_field(field, 1.5)))
        rows.append(Sensitivity(name, "x 0.5", *a, "x 1.5", *b))
    a = totals(_scaled(coefficients, _scale_prices(0.8)))
    b = totals(_scaled(coefficients, _scale_prices(1.2)))
    rows.append(Sensitivity("unit prices", "x 0.8", *a, "x 1.2", *b))
    a = totals(_scaled(coefficients, _scale_rates(0.9)))
    b = totals(_scaled(coefficients, _scale_rates(1.1)))
    rows.append(Sensitivity("exchange rates", "x 0.9", *a, "x 1.1", *b))
    a = totals(_scaled(coefficients, _displacement_band("low")))
    b = totals(_scaled(coefficients, _displacement_band("high")))
    rows.append(Sensitivity("displacement rates", "low rates", *a, "high rates", *b))
    return rows
