"""Displacement by content type × audience country, prices by country, and the fallbacks the damage table prints.

Figures computed by hand from the shipped coefficients (docs/reports.md, "Damage").
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from exporters.errors import CoefficientError
from exporters.figures.calendar import Month, zone
from exporters.figures.model import SHARE_KNOWN, Band, MonthFigures, WorkVisits
from exporters.reports import load_coefficients
from exporters.reports.coefficients import Coefficients, default_path
from exporters.reports.damage import damage_tables
from exporters.reports.history import History
from exporters.reports.money_tables import coefficients_table, damage_table_set

MONTH = Month(2026, 3, zone("UTC"))


def _figures(audience: dict[tuple[str, str], Band]) -> MonthFigures:
    total = Band()
    for band in audience.values():
        total = total + band
    return MonthFigures(
        month=MONTH.label, timezone="UTC", market="JP", top_sites=1, top_per_group=1, max_languages=1,
        max_countries=10, sites_estimated=1, sites_by_source={}, total=total, by_language={}, by_language_home={},
        by_language_located={}, audience=audience, sites=[], events={},
        work_visits={(ct, c, SHARE_KNOWN, "aimed_abroad"): WorkVisits(band) for (ct, c), band in audience.items()},
    )  # fmt: skip


def _with(change: Any) -> Coefficients:
    data = load_coefficients().model_dump()
    change(data)
    return Coefficients.model_validate(data)


def test_film_displacement_depends_on_the_audience_country() -> None:
    visits = Band(90, 90, 90)
    d = damage_tables(load_coefficients(), _figures({("film", "DE"): visits, ("film", "JP"): visits}).work_visits, "JP")
    # 90 visits x 40 min / 120 min a film = 30 films; DE at the default price 500 yen; JP too
    value = 30 * 500
    assert d.by_audience["overseas"].value.central == pytest.approx(value)
    assert d.by_audience["overseas"].lost_sales.low == pytest.approx(value * 0.20)  # the EU study, repeat viewings
    assert d.by_audience["overseas"].lost_sales.central == pytest.approx(value * 0.40)  # recent top films
    assert d.by_audience["domestic"].lost_sales.central == pytest.approx(value * 0.29)  # CODA, all content
    assert d.by_audience["domestic"].lost_sales.high == pytest.approx(value * 0.40)


def test_rates_of_a_country_of_ones_own_move_only_that_country() -> None:
    def vn_rates(data: dict[str, Any]) -> None:
        rates = {"low": 0.1, "central": 0.2, "high": 0.3, "source": "test"}
        data["content_types"]["manga"]["displacement"]["by_country"] = {"VN": rates}

    visits = Band(100, 100, 100)
    inputs = _figures({("manga", "JP"): visits, ("manga", "VN"): visits}).work_visits
    d = damage_tables(_with(vn_rates), inputs, "JP")
    # 100 visits x 15 / 30 = 50 volumes; JP at 500 yen, VN at 25,000 dong x 0.006 = 150 yen
    assert d.total.value.central == pytest.approx(50 * 500 + 50 * 150)
    assert d.total.lost_sales.central == pytest.approx(50 * 500 * 0.29 + 50 * 150 * 0.2)
    assert d.total.lost_sales.high == pytest.approx(50 * 500 * 0.30 + 50 * 150 * 0.3)


def test_the_damage_table_names_the_audiences_at_the_fallbacks() -> None:
    audience = {("film", "DE"): Band(1, 1, 1), ("film", "JP"): Band(1, 1, 1), ("manga", "US"): Band(1, 1, 1),
                ("manga", "BR"): Band(1, 1, 1), ("film", "unknown"): Band(1, 1, 1)}  # fmt: skip
    figures = _figures(audience)
    coefficients = load_coefficients()
    tables = damage_table_set(History(MONTH, {MONTH.label: figures}), coefficients)
    notes = " ".join(tables[0].notes)
    # prices: film has a US price only, manga US and VN
    assert "Priced at the default price (the coefficients have no price of their own for them): " in notes
    assert "film: DE, JP, unknown; manga: BR." in notes
    # displacement: only film has rates by country; DE has its own
    assert "general displacement rates (no study measured these audiences apart): film: JP, unknown." in notes
    appendix = coefficients_table(coefficients)
    rows = {(r[0], r[1]): r[2] for r in appendix.rows}
    assert rows[("film", "displacement DE (central)")] == 0.40
    assert rows[("film", "displacement (central)")] == 0.29


def test_rates_by_country_are_checked() -> None:
    path = default_path()
    data = load_coefficients(path).model_dump()
    data["content_types"]["film"]["displacement"]["by_country"]["germany"] = {
        "low": 0.5, "central": 0.4, "high": 0.6, "source": "x"}  # fmt: skip
    with pytest.raises(ValueError, match="germany") as caught:
        Coefficients.model_validate(data)
    assert "low <= central <= high" in str(caught.value)


def test_a_file_with_bad_rates_is_refused_with_the_problem(tmp_path: Any) -> None:
    text = default_path().read_text("utf-8").replace("DE: {low: 0.20", "DE: {low: 0.90", 1)
    (tmp_path / "c.yaml").write_text(text, "utf-8")
    with pytest.raises(CoefficientError, match=re.escape("content_types.film.displacement.by_country.DE")):
        load_coefficients(tmp_path / "c.yaml")
