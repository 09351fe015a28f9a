"""An uncertainty interval of the damage, by simulation over the coefficients' ranges.

The damage table's low and high are an *envelope*: every range at its low end together (low
visits, low fallback share, low displacement), and every one at its high end. No reader should take
that for an interval: all ranges at one end at once is the least likely outcome of all. This module
draws the ranged values many times (numpy, a fixed seed, so a report is reproducible) and gives the
5th and 95th percentiles of the value and the lost sales: a 90 % interval, always inside the
envelope (each draw is, since every figure grows with every ranged value).

What is drawn, each from a triangular distribution over (low, central, high):

- the visits of the month: one draw for all cells (the estimates share their methods and anchor
  sites, so their errors are not independent; one draw for all is the cautious choice);
- the content-share fallback: one draw;
- displacement: one draw per content type and set of rates (a country's own rates apart).

Minutes, prices and exchange rates have no range in the coefficients: the sensitivity table moves them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from exporters.figures.model import BANDS, SHARE_KNOWN, WorkVisits
from exporters.reports.coefficients import Coefficients
from exporters.reports.damage import Cell, audience_of

DRAWS = 10_000
SEED = 20_240_601
LEVEL = 0.90

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    """The simulated interval of one group's read-for-free value and lost sales."""

    value_low: float
    value_high: float
    lost_sales_low: float
    lost_sales_high: float


@dataclass(frozen=True)
class Simulation:
    """Intervals by content type, by audience and over all, with how they were drawn."""

    by_content_type: dict[str, Interval]
    by_audience: dict[str, Interval]
    total: Interval
    by_distribution: dict[str, Interval]
    draws: int
    seed: int
    level: float


def triangular(u: Floats, low: float, mode: float, high: float) -> Floats:
    """The triangular distribution's quantiles at `u` (numpy's own sampler cannot share one `u` across cells)."""
    if high <= low:
        return np.full_like(u, low)
    split = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
    out: Floats = np.where(u < split, left, right)
    return out


def _cell_values(coefficients: Coefficients, cell: Cell, work: WorkVisits) -> list[float]:
    """The cell's read-for-free value at each band of its visits, before any content share factor."""
    content_type, country, _, _ = cell
    c = coefficients.content_types[content_type]
    price = coefficients.price(content_type, country)
    out = []
    for b in BANDS:
        untimed = max(0.0, work.visits.get(b) - work.timed.get(b))
        minutes = work.timed_seconds.get(b) / 60.0 + untimed * c.minutes_per_visit.value
        out.append(minutes / c.minutes_per_unit.value * price)
    return sorted(out)  # ordered for the triangular draw (they are, unless a band was stored out of order)


def simulate(
    coefficients: Coefficients,
    inputs: Mapping[Cell, WorkVisits],
    market: str,
    draws: int = DRAWS,
    seed: int = SEED,
    level: float = LEVEL,
) -> Simulation:
    """The `level` interval of the damage over `draws` draws of the ranged coefficients."""
    rng = np.random.default_rng(seed)
    u_visits = rng.random(draws)
    fallback = coefficients.content_share_fallback
    share = triangular(rng.random(draws), fallback.low, fallback.central, fallback.high)
    displacement: dict[tuple[str, str], Floats] = {}
    sums: dict[tuple[str, str], tuple[Floats, Floats]] = {}

    def add(key: tuple[str, str], value: Floats, lost: Floats) -> None:
        found = sums.get(key)
        sums[key] = (value, lost) if found is None else (found[0] + value, found[1] + lost)

    for cell, work in sorted(inputs.items()):
        content_type, country, known, distribution = cell
        rates_key = country if country in coefficients.content_types[content_type].displacement.by_country else ""
        rates = coefficients.displacement(content_type, country)
        key = (content_type, rates_key)
        if key not in displacement:  # drawn in the cells' sorted order: the same inputs give the same draws
            displacement[key] = triangular(rng.random(draws), rates.low, rates.central, rates.high)
        value = triangular(u_visits, *_cell_values(coefficients, cell, work))
        if known != SHARE_KNOWN:
            value = value * share
        lost = value * displacement[key]
        add(("type", content_type), value, lost)
        add(("audience", audience_of(country, market)), value, lost)
        add(("distribution", distribution), value, lost)
        add(("total", ""), value, lost)

    tail = (1.0 - level) / 2 * 100

    def interval(key: tuple[str, str]) -> Interval:
        if key not in sums:
            return Interval(0.0, 0.0, 0.0, 0.0)
        value, lost = sums[key]
        v = np.percentile(value, [tail, 100 - tail])
        lo = np.percentile(lost, [tail, 100 - tail])
        return Interval(float(v[0]), float(v[1]), float(lo[0]), float(lo[1]))

    return Simulation(
        by_content_type={k[1]: interval(k) for k in sorted(sums) if k[0] == "type"},
        by_audience={k[1]: interval(k) for k in sorted(sums) if k[0] == "audience"},
        total=interval(("total", "")),
        by_distribution={k[1]: interval(k) for k in sorted(sums) if k[0] == "distribution"},
        draws=draws,
        seed=seed,
        level=level,
    )
