"""Damage by distribution type: within the market, aimed abroad, within the destination country."""

from __future__ import annotations

import pytest

from exporters.figures.markets import (
    AIMED_ABROAD,
    UNKNOWN_DISTRIBUTION,
    WITHIN_DESTINATION,
    WITHIN_MARKET,
    distribution_type,
)
from exporters.figures.model import SHARE_KNOWN, Band, WorkVisits
from exporters.reports import load_coefficients
from exporters.reports.damage import damage_tables
from exporters.reports.uncertainty import simulate


@pytest.mark.parametrize(
    ("countries", "languages", "expected"),
    [
        ({"JP": 0.85, "US": 0.05, "other": 0.10}, ("ja",), WITHIN_MARKET),  # a Japanese raw site
        ({"unknown": 1.0}, ("ja",), WITHIN_MARKET),  # by its language
        ({"VN": 0.97, "other": 0.03}, ("vi",), WITHIN_DESTINATION),  # a Vietnamese site read in Viet Nam
        ({"unknown": 1.0}, ("vi",), WITHIN_DESTINATION),
        ({"VN": 0.40, "US": 0.30, "other": 0.30}, ("vi",), AIMED_ABROAD),  # under half from its main country
        ({"US": 0.3, "GB": 0.1, "PH": 0.1, "other": 0.5}, ("en",), AIMED_ABROAD),  # English: no home country
        ({"BR": 0.9, "other": 0.1}, ("en",), AIMED_ABROAD),  # read in one country, not in its language
        ({"unknown": 1.0}, ("en",), UNKNOWN_DISTRIBUTION),
        ({"unknown": 1.0}, ("ja", "vi"), UNKNOWN_DISTRIBUTION),
    ],
)
def test_distribution_types(countries: dict[str, float], languages: tuple[str, ...], expected: str) -> None:
    assert distribution_type(countries, languages, "JP") == expected


def test_damage_by_distribution_adds_up_and_follows_the_formulas() -> None:
    inputs = {
        ("manga", "JP", SHARE_KNOWN, WITHIN_MARKET): WorkVisits(Band(100, 100, 100)),
        ("manga", "VN", SHARE_KNOWN, WITHIN_DESTINATION): WorkVisits(Band(200, 200, 200)),
        ("manga", "US", SHARE_KNOWN, AIMED_ABROAD): WorkVisits(Band(40, 40, 40)),
        ("manga", "JP", SHARE_KNOWN, AIMED_ABROAD): WorkVisits(Band(20, 20, 20)),
    }
    coefficients = load_coefficients()
    d = damage_tables(coefficients, inputs, "JP")
    # manga: 15 / 30 volumes a visit; JP 500 yen, VN 25,000 x 0.006 = 150 yen, US 11.99 x 151.4 yen
    assert d.by_distribution[WITHIN_MARKET].value.central == pytest.approx(100 * 0.5 * 500)
    assert d.by_distribution[WITHIN_DESTINATION].value.central == pytest.approx(200 * 0.5 * 150)
    abroad = 40 * 0.5 * 11.99 * 151.4 + 20 * 0.5 * 500
    assert d.by_distribution[AIMED_ABROAD].value.central == pytest.approx(abroad)
    assert sum(x.value.central for x in d.by_distribution.values()) == pytest.approx(d.total.value.central)
    assert sum(x.lost_sales.low for x in d.by_distribution.values()) == pytest.approx(d.total.lost_sales.low)
    sim = simulate(coefficients, inputs, "JP")
    assert set(sim.by_distribution) == {WITHIN_MARKET, WITHIN_DESTINATION, AIMED_ABROAD}
    for kind, drawn in sim.by_distribution.items():
        envelope = d.by_distribution[kind].lost_sales
        assert envelope.low <= drawn.lost_sales_low <= drawn.lost_sales_high <= envelope.high
