"""The sensitivity table: the damage's central totals when one group of coefficients moves, the rest kept."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from exporters.figures.model import WorkVisits
from exporters.reports.coefficients import Coefficients
from exporters.reports.damage import Cell, central_totals


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


Change = Callable[[dict[str, object]], None]


def _scaled(coefficients: Coefficients, change: Change) -> Coefficients:
    data = coefficients.model_dump()
    change(data)
    return Coefficients.model_validate(data)


def _scale_field(field: str, factor: float) -> Change:
    def change(data: dict[str, object]) -> None:
        for content in data["content_types"].values():  # type: ignore[attr-defined]
            content[field]["value"] *= factor

    return change


def _scale_prices(factor: float) -> Change:
    def change(data: dict[str, object]) -> None:
        for content in data["content_types"].values():  # type: ignore[attr-defined]
            for price in content["unit_price"].values():
                price["amount"] *= factor

    return change


def _scale_rates(factor: float) -> Change:
    def change(data: dict[str, object]) -> None:
        for currency, rate in data["exchange_rates"].items():  # type: ignore[attr-defined]
            if currency != data["currency"]:
                rate["rate"] *= factor

    return change


def _pinned(ranged: dict[str, object], band: str) -> None:
    ranged["low"] = ranged["central"] = ranged["high"] = ranged[band]


def _displacement_band(band: str) -> Change:
    def change(data: dict[str, object]) -> None:
        for content in data["content_types"].values():  # type: ignore[attr-defined]
            d = content["displacement"]
            _pinned(d, band)
            for by_country in d.get("by_country", {}).values():
                _pinned(by_country, band)

    return change


def _fallback_band(band: str) -> Change:
    def change(data: dict[str, object]) -> None:
        _pinned(data["content_share_fallback"], band)  # type: ignore[arg-type]

    return change


def sensitivity(coefficients: Coefficients, inputs: Mapping[Cell, WorkVisits]) -> list[Sensitivity]:
    """How the central value and lost sales move with each group of coefficients."""

    def totals(c: Coefficients, visits_band: str = "central") -> tuple[float, float]:
        # the central coefficients go with the visits' `visits_band` (central unless the visits move)
        return central_totals(c, inputs, visits_band)

    def pair(low: Change, high: Change) -> tuple[float, float, float, float]:
        return (*totals(_scaled(coefficients, low)), *totals(_scaled(coefficients, high)))

    rows = []
    low_v, low_l = totals(coefficients, "low")
    high_v, high_l = totals(coefficients, "high")
    rows.append(Sensitivity("visits (estimate band)", "low band", low_v, low_l, "high band", high_v, high_l))
    for name, field in (("minutes per visit", "minutes_per_visit"), ("minutes per unit", "minutes_per_unit")):
        a, b, c, d = pair(_scale_field(field, 0.5), _scale_field(field, 1.5))
        rows.append(Sensitivity(name, "x 0.5", a, b, "x 1.5", c, d))
    a, b, c, d = pair(_scale_prices(0.8), _scale_prices(1.2))
    rows.append(Sensitivity("unit prices", "x 0.8", a, b, "x 1.2", c, d))
    a, b, c, d = pair(_scale_rates(0.9), _scale_rates(1.1))
    rows.append(Sensitivity("exchange rates", "x 0.9", a, b, "x 1.1", c, d))
    a, b, c, d = pair(_displacement_band("low"), _displacement_band("high"))
    rows.append(Sensitivity("displacement rates", "low rates", a, b, "high rates", c, d))
    a, b, c, d = pair(_fallback_band("low"), _fallback_band("high"))
    rows.append(Sensitivity("content share where unknown", "low fallback", a, b, "high fallback", c, d))
    return rows
