"""The damage's simulated interval: inside the envelope, reproducible, and moving with the coefficients' ranges."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from exporters.figures.markets import AIMED_ABROAD, WITHIN_DESTINATION, WITHIN_MARKET
from exporters.figures.model import SHARE_KNOWN, SHARE_UNKNOWN, Band, WorkVisits
from exporters.reports import load_coefficients
from exporters.reports.coefficients import Coefficients
from exporters.reports.damage import damage_tables
from exporters.reports.uncertainty import simulate, triangular

INPUTS = {
    ("manga", "JP", SHARE_KNOWN, WITHIN_MARKET): WorkVisits(
        Band(600, 1000, 1500), Band(300, 500, 750), Band(3.6e5, 6e5, 9e5)
    ),
    ("manga", "US", SHARE_UNKNOWN, AIMED_ABROAD): WorkVisits(Band(60, 100, 150)),
    ("film", "DE", SHARE_UNKNOWN, WITHIN_DESTINATION): WorkVisits(Band(120, 200, 300)),
    ("anime", "unknown", SHARE_KNOWN, WITHIN_MARKET): WorkVisits(Band(300, 500, 750)),
}


def _with(change: Any) -> Coefficients:
    data = load_coefficients().model_dump()
    change(data)
    return Coefficients.model_validate(data)


def _inside(envelope: Band, low: float, high: float) -> bool:
    return envelope.low <= low <= high <= envelope.high


def test_the_interval_lies_inside_the_envelope_and_is_narrower() -> None:
    coefficients = load_coefficients()
    d = damage_tables(coefficients, INPUTS, "JP")
    sim = simulate(coefficients, INPUTS, "JP")
    assert sim.draws == 10_000 and sim.level == 0.9
    for damage, drawn in [
        (d.total, sim.total),
        *((d.by_content_type[k], v) for k, v in sim.by_content_type.items()),
        *((d.by_audience[k], v) for k, v in sim.by_audience.items()),
        *((d.by_distribution[k], v) for k, v in sim.by_distribution.items()),
    ]:
        assert _inside(damage.value, drawn.value_low, drawn.value_high)
        assert _inside(damage.lost_sales, drawn.lost_sales_low, drawn.lost_sales_high)
    # every range at one end at once is far in the tails: the interval is strictly narrower
    assert d.total.lost_sales.low < sim.total.lost_sales_low < d.total.lost_sales.central < sim.total.lost_sales_high
    assert sim.total.lost_sales_high < d.total.lost_sales.high


def test_the_interval_is_reproducible_and_its_seed_matters() -> None:
    coefficients = load_coefficients()
    assert simulate(coefficients, INPUTS, "JP") == simulate(coefficients, INPUTS, "JP")
    assert simulate(coefficients, INPUTS, "JP", seed=1).total != simulate(coefficients, INPUTS, "JP").total


def test_the_interval_moves_with_the_ranges() -> None:
    base = simulate(load_coefficients(), INPUTS, "JP").by_content_type["manga"]

    def wide_manga(data: dict[str, Any]) -> None:
        data["content_types"]["manga"]["displacement"].update(low=0.05, central=0.29, high=0.6)

    wide = simulate(_with(wide_manga), INPUTS, "JP").by_content_type["manga"]
    assert wide.lost_sales_high - wide.lost_sales_low > 2 * (base.lost_sales_high - base.lost_sales_low)
    assert (wide.value_low, wide.value_high) == (base.value_low, base.value_high)  # the value has no displacement

    def low_fallback(data: dict[str, Any]) -> None:
        data["content_share_fallback"].update(low=0.1, central=0.2, high=0.3)

    lowered = simulate(_with(low_fallback), INPUTS, "JP").by_content_type["film"]  # film's visits: share unknown
    film = simulate(load_coefficients(), INPUTS, "JP").by_content_type["film"]
    assert lowered.value_high < film.value_low


def test_no_range_leaves_only_the_central_figure() -> None:
    def pinned(data: dict[str, Any]) -> None:
        for content in data["content_types"].values():
            d = content["displacement"]
            d["low"] = d["high"] = d["central"]
            for rates in d["by_country"].values():
                rates["low"] = rates["high"] = rates["central"]
        data["content_share_fallback"].update(low=1.0, central=1.0, high=1.0)

    coefficients = _with(pinned)
    flat = {k: WorkVisits(Band(v.visits.central, v.visits.central, v.visits.central)) for k, v in INPUTS.items()}
    sim = simulate(coefficients, flat, "JP")
    central = damage_tables(coefficients, flat, "JP").total
    assert sim.total.value_low == pytest.approx(central.value.central)
    assert sim.total.value_high == pytest.approx(central.value.central)
    assert sim.total.lost_sales_low == pytest.approx(central.lost_sales.central)


def test_triangular_quantiles() -> None:
    u = np.array([0.0, 0.5, 1.0])
    assert list(triangular(u, 0.0, 1.0, 2.0)) == pytest.approx([0.0, 1.0, 2.0])  # symmetric: the median is the mode
    assert list(triangular(u, 3.0, 3.0, 3.0)) == [3.0, 3.0, 3.0]
    # skewed (0, 0, 1): F(x) = 1 - (1 - x)^2, so the median is 1 - sqrt(0.5)
    assert triangular(np.array([0.5]), 0.0, 0.0, 1.0)[0] == pytest.approx(1 - 0.5**0.5)
