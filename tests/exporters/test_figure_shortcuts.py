"""The report's shortcuts give the very figures of the computations they stand for.

The report reads 15 months of 10,000 sites and prints fourteen sensitivity totals, so some figures
are computed by a shorter path: the market rules read once per distinct audience
(:func:`exporters.figures.markets.classify`), the sensitivity's central totals without the groups
and the other bands (:func:`exporters.reports.damage.central_totals`). Each is checked here against
the long path, to the last bit, over varied inputs.
"""

from __future__ import annotations

import math
import random

import pytest

from exporters.figures.estimates import ParseCache
from exporters.figures.languages import home_country
from exporters.figures.markets import (
    AIMED_ABROAD,
    LOCAL_SHARE,
    UNKNOWN_DISTRIBUTION,
    WITHIN_DESTINATION,
    WITHIN_MARKET,
    classify,
    distribution_type,
    main_country,
    market_basis,
    read_audience,
)
from exporters.figures.model import BANDS, OTHER, SHARE_KNOWN, SHARE_UNKNOWN, UNKNOWN_COUNTRY, Band, WorkVisits
from exporters.reports import load_coefficients
from exporters.reports.damage import Cell, central_totals, damage_tables


@pytest.mark.parametrize(
    ("countries", "expected"),
    [
        ({"JP": 0.5, "US": 0.3, "other": 0.2}, "JP"),
        ({"other": 0.9, "US": 0.1}, "US"),  # `other` is no country
        ({"unknown": 1.0}, None),
        ({}, None),
        ({"US": 0.4, "JP": 0.4, "other": 0.2}, "JP"),  # a tie: the first code
        ({"VN": 0.0, "other": 1.0}, None),  # no visits from it: not its main country
        ({"VN": math.nan, "KR": 0.1, "other": 0.9}, "KR"),  # NaN is no share
    ],
)
def test_main_country(countries: dict[str, float], expected: str | None) -> None:
    assert main_country(countries) == expected


def _rules_by_hand(countries: dict[str, float], languages: tuple[str, ...], market: str) -> tuple[str | None, str]:
    """The rules of docs/reports.md, written out directly (the long path)."""
    named = [(s, c) for c, s in countries.items() if c not in (OTHER, UNKNOWN_COUNTRY) and s > 0]
    main = min(named, key=lambda sc: (-sc[0], sc[1]))[1] if named else None
    known = bool(countries) and UNKNOWN_COUNTRY not in countries
    homes = {home_country(lang) for lang in languages}
    by_audience = "audience" if main == market else None
    basis = by_audience if known else ("language" if homes == {market} else None)
    if basis is not None:
        return basis, WITHIN_MARKET
    if known:
        if main is not None and countries.get(main, 0.0) >= LOCAL_SHARE and main in homes:
            return None, WITHIN_DESTINATION
        return None, AIMED_ABROAD
    if len(homes) == 1 and None not in homes:
        return None, WITHIN_DESTINATION
    return None, UNKNOWN_DISTRIBUTION


def test_the_market_rules_read_once_per_audience_match_the_rules_by_hand() -> None:
    rng = random.Random(19)
    codes = ["JP", "VN", "KR", "US", "BR", OTHER]
    language_sets = [("ja",), ("vi",), ("en",), ("ko",), ("ja", "vi"), ("und",), ("pt-br",), ("vi", "vi")]
    seen: set[str] = set()
    for _ in range(3000):
        if rng.random() < 0.1:
            countries = {UNKNOWN_COUNTRY: 1.0}
        else:
            picked = rng.sample(codes, rng.randint(1, 4))
            # shares from a coarse grid, so that ties and exact halves occur
            countries = {c: rng.choice([0.0, 0.1, 0.25, 0.5, 0.6, 0.9]) for c in picked}
        languages = rng.choice(language_sets)
        for market in ("JP", "VN"):
            expected = _rules_by_hand(countries, languages, market)
            assert classify(read_audience(countries), languages, market) == expected
            assert market_basis(countries, languages, market) == expected[0]
            assert distribution_type(countries, languages, market) == expected[1]
            seen.add(expected[1])
    assert seen == {WITHIN_MARKET, WITHIN_DESTINATION, AIMED_ABROAD, UNKNOWN_DISTRIBUTION}


def test_the_parse_cache_reads_each_audience_once_and_as_the_rules_do() -> None:
    cache = ParseCache()
    text = '[{"country": "vn", "share": 0.7}, {"country": "US", "share": 0.2}]'
    shares, reading = cache.audience_of(text)
    assert shares == {"VN": 0.7, "US": 0.2, OTHER: pytest.approx(0.1)}
    assert reading == read_audience(shares) == (True, "VN", True)
    assert cache.audience_of(text)[0] is shares  # the same text is not parsed again
    assert cache.audience_of("not json") == ({UNKNOWN_COUNTRY: 1.0}, (False, None, False))


def _inputs(seed: int) -> dict[Cell, WorkVisits]:
    rng = random.Random(seed)
    coefficients = load_coefficients()
    types = sorted(coefficients.content_types)
    out: dict[Cell, WorkVisits] = {}
    for _ in range(400):
        cell = (
            rng.choice(types),
            rng.choice(["JP", "VN", "US", "DE", "GB", OTHER, UNKNOWN_COUNTRY]),
            rng.choice([SHARE_KNOWN, SHARE_UNKNOWN]),
            rng.choice([WITHIN_MARKET, AIMED_ABROAD, WITHIN_DESTINATION, UNKNOWN_DISTRIBUTION]),
        )
        central = 10 ** rng.uniform(0, 8)
        visits = Band(central * rng.uniform(0.3, 1), central, central * rng.uniform(1, 3))
        timed = visits.scaled(rng.choice([0.0, rng.random(), 1.0]))
        out[cell] = WorkVisits(visits, timed, timed.scaled(rng.uniform(30, 900)))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("band", BANDS)
def test_sensitivity_totals_are_the_damage_tables_totals(seed: int, band: str) -> None:
    """The sensitivity's totals: the damage tables of the visits pinned to one band, exactly."""
    coefficients = load_coefficients()
    inputs = _inputs(seed)

    def pinned(b: Band) -> Band:
        return Band(b.get(band), b.get(band), b.get(band))

    moved = {k: WorkVisits(pinned(v.visits), pinned(v.timed), pinned(v.timed_seconds)) for k, v in inputs.items()}
    total = damage_tables(coefficients, moved, "JP").total
    assert central_totals(coefficients, inputs, band) == (total.value.central, total.lost_sales.central)
