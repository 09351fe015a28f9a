"""The estimator interface, and how the sources' estimates combine into one.

Combination rule (documented in ``docs/crawlers.md``): every source gives low / central / high
monthly visits. In log10 space each source is a value μᵢ = log10(central) with a spread
σᵢ = (log10(high) − log10(low)) / 2. The combined central value is the inverse-variance weighted
mean of the μᵢ (a weighted geometric mean of the centrals); the combined spread is the larger of
the weighted mean's own error, 1/√Σwᵢ, and the weighted spread of the μᵢ around it, so sources that
disagree widen the band instead of being averaged into false precision. Pages and minutes per visit
and country shares come from the first source, in DOMAIN.md's order of trust, that knows them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# DOMAIN.md's order, best first: a traffic API, the site's own counters, a public rank.
SOURCE_ORDER = ("traffic-api", "counters", "rank")
# No source is trusted to better than ±12 % (a tenth of a decade is already optimistic for panels).
_MIN_SIGMA = 0.05


@dataclass(frozen=True)
class CounterReading:
    """The view counters of one crawl (URL → views) and when they were read."""

    at_epoch: float
    counters: Mapping[str, int]


@dataclass(frozen=True)
class SiteInput:
    """What the estimators know about one site."""

    site_id: int
    #: host names and registrable domains of the site (the rank list is looked up by both)
    domains: Sequence[str]
    #: the two newest crawls' counters, oldest first (empty when there are fewer than two)
    readings: Sequence[CounterReading] = ()


@dataclass(frozen=True)
class SourceEstimate:
    """One source's monthly visits for one site."""

    source: str
    low: float
    central: float
    high: float
    pages_per_visit: float | None = None
    minutes_per_visit: float | None = None
    countries: Sequence[tuple[str, float]] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The source's kind (``rank:tranco`` is a ``rank``)."""
        return self.source.split(":", 1)[0]


class Estimator(Protocol):
    """A traffic source: estimates many sites at once (one pass over a rank list, one API session)."""

    name: str

    async def estimate(self, sites: Sequence[SiteInput], month: str) -> dict[int, SourceEstimate]:
        """Monthly visits of the sites this source knows, by site id (unknown sites are left out)."""
        ...


@dataclass(frozen=True)
class Combined:
    """The combination of a site's source estimates."""

    low: float
    central: float
    high: float
    pages_per_visit: float | None
    minutes_per_visit: float | None
    countries: list[tuple[str, float]]
    sources: list[str]
    details: dict[str, Any]


def top_countries(shares: Sequence[tuple[str, float]], keep: int = 5) -> list[tuple[str, float]]:
    """The `keep` largest shares plus ``other`` (the rest, including what the source left unassigned)."""
    ranked = sorted(((c.upper(), s) for c, s in shares if s > 0), key=lambda cs: -cs[1])
    top = ranked[:keep]
    other = max(0.0, 1.0 - sum(s for _, s in top))
    return [*top, ("other", round(other, 6))] if top else []


def _rank(estimate: SourceEstimate) -> int:
    kind = estimate.kind
    return SOURCE_ORDER.index(kind) if kind in SOURCE_ORDER else len(SOURCE_ORDER)


def combine(estimates: Sequence[SourceEstimate]) -> Combined:
    """Combine one site's source estimates (see the module docstring for the rule)."""
    if not estimates:
        raise ValueError("nothing to combine")
    ordered = sorted(estimates, key=_rank)
    mus, weights = [], []
    for e in ordered:
        mu = math.log10(max(e.central, 1.0))
        sigma = max((math.log10(max(e.high, 1.0)) - math.log10(max(e.low, 1.0))) / 2, _MIN_SIGMA)
        mus.append(mu)
        weights.append(1 / sigma**2)
    total = sum(weights)
    mu = sum(w * m for w, m in zip(weights, mus, strict=True)) / total
    spread = math.sqrt(sum(w * (m - mu) ** 2 for w, m in zip(weights, mus, strict=True)) / total)
    sigma = max(math.sqrt(1 / total), spread)
    return Combined(
        low=10 ** (mu - sigma),
        central=10**mu,
        high=10 ** (mu + sigma),
        pages_per_visit=next((e.pages_per_visit for e in ordered if e.pages_per_visit is not None), None),
        minutes_per_visit=next((e.minutes_per_visit for e in ordered if e.minutes_per_visit is not None), None),
        countries=top_countries(next((e.countries for e in ordered if e.countries), ())),
        sources=[e.source for e in ordered],
        details={
            "rule": "inverse-variance weighted mean in log10; sigma = max(1/sqrt(sum w), spread of sources)",
            "log10_sigma": sigma,
            "by_source": {
                e.source: {"low": e.low, "central": e.central, "high": e.high, **dict(e.details)} for e in ordered
            },
        },
    )
