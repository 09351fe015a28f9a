"""Rank list → visits: ``log10(visits) = log10(C) − α·log10(rank)``, C fitted on anchor sites.

Two file formats, told apart by the first line:

- Tranco: ``rank,domain`` rows, no header (``1,google.com``);
- CrUX-style bands: a header ``origin,rank``, then ``https://www.example.com,1000`` where the rank
  is the upper bound of a band (1K, 5K, 10K, 50K, …). A band's rank is the geometric mean of its
  bounds, and the band's width widens the estimate's low / high.

The list (a million rows) is streamed once per run and only the wanted domains (the sites' and the
anchors') are kept, so estimating ten thousand sites costs one pass over the file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crawlers.config import TrafficSettings
from crawlers.traffic.base import SiteInput, SourceEstimate

#: CrUX publishes ranks rounded up to these band bounds.
CRUX_BANDS = (1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000, 10_000_000, 50_000_000)


def list_key(name: str) -> str:
    """How a domain is looked up on a list: lower case, no scheme, path, port or ``www.``."""
    host = name.strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].split(":", 1)[0].rstrip(".")
    return host.removeprefix("www.")


@dataclass(frozen=True)
class Rank:
    """A position on the list: the rank used, and the bounds it stands for (equal for Tranco)."""

    rank: float
    best: float
    worst: float


def _band_bounds(upper: int) -> tuple[float, float]:
    lower = 1.0
    for bound in CRUX_BANDS:
        if bound >= upper:
            break
        lower = float(bound)
    return lower, float(upper)


def load_ranks(path: Path, wanted: Iterable[str]) -> tuple[str, dict[str, Rank]]:
    """Stream the list at `path`, keeping the ranks of `wanted` keys; returns (format, ranks)."""
    keys = {list_key(w) for w in wanted}
    found: dict[str, Rank] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
        if not first.lower().startswith("origin,"):
            # Tranco has no header: the first line is already a row.
            _take_tranco(first, keys, found)
            for line in fh:
                _take_tranco(line, keys, found)
            return "tranco", found
        for line in fh:
            origin, _, rank_text = line.rstrip("\n").rpartition(",")
            key = list_key(origin)
            if key in keys and key not in found and rank_text.strip().isdigit():
                lower, upper = _band_bounds(int(rank_text))
                found[key] = Rank(math.sqrt(lower * upper), lower, upper)
    return "crux", found


def _take_tranco(line: str, keys: set[str], found: dict[str, Rank]) -> None:
    rank_text, _, domain = line.rstrip("\n").partition(",")
    if domain in keys or (domain.startswith("www.") and domain[4:] in keys):
        key = list_key(domain)
        if key not in found and rank_text.isdigit():
            r = float(rank_text)
            found[key] = Rank(r, r, r)


@dataclass(frozen=True)
class PowerLaw:
    """The fitted law and its error: log10(visits) = log10_c − alpha·log10(rank) ± sigma."""

    log10_c: float
    alpha: float
    sigma: float
    anchors_used: int
    fitted: bool

    def log_visits(self, rank: float) -> float:
        return self.log10_c - self.alpha * math.log10(rank)


def fit(points: Sequence[tuple[float, float]], settings: TrafficSettings) -> PowerLaw:
    """Fit C (and α when asked and possible) on (rank, monthly visits) anchor points."""
    if not points:
        return PowerLaw(settings.default_log10_c, settings.alpha, settings.unfitted_log_sigma, 0, False)
    x = np.log10([r for r, _ in points])
    y = np.log10([v for _, v in points])
    if settings.fit_alpha and len(points) >= 3:
        slope, intercept = np.polyfit(x, y, 1)
        alpha, log_c, params = float(-slope), float(intercept), 2
    else:
        alpha, params = settings.alpha, 1
        log_c = float(np.mean(y + alpha * x))
    residuals = y - (log_c - alpha * x)
    dof = len(points) - params
    # With as many anchors as parameters the residuals say nothing: keep the unfitted band.
    sigma = float(np.sqrt(np.sum(residuals**2) / dof)) if dof > 0 else settings.unfitted_log_sigma
    return PowerLaw(log_c, alpha, max(sigma, 0.05), len(points), True)


class RankListEstimator:
    """Visits from a local rank list and anchor sites (no network)."""

    def __init__(self, settings: TrafficSettings) -> None:
        if settings.rank_list_path is None:
            raise ValueError("no rank list configured (traffic.rank_list_path)")
        self._settings = settings
        self._path = settings.rank_list_path
        self.name = "rank"

    async def estimate(self, sites: Sequence[SiteInput], month: str) -> dict[int, SourceEstimate]:
        """Estimate every site found on the list (by any of its domains; the best rank wins)."""
        anchors: Mapping[str, float] = {list_key(d): v for d, v in self._settings.anchors.items()}
        wanted = {list_key(d) for s in sites for d in s.domains} | set(anchors)
        kind, ranks = load_ranks(self._path, wanted)
        law = fit([(ranks[a].rank, v) for a, v in anchors.items() if a in ranks and v > 0], self._settings)
        z = self._settings.band_z
        out: dict[int, SourceEstimate] = {}
        for site in sites:
            hits = [(ranks[k], k) for k in {list_key(d) for d in site.domains} if k in ranks]
            if not hits:
                continue
            rank, key = min(hits, key=lambda h: h[0].rank)
            central = law.log_visits(rank.rank)
            out[site.site_id] = SourceEstimate(
                source=f"rank:{kind}",
                low=10 ** (law.log_visits(rank.worst) - z * law.sigma),
                central=10**central,
                high=10 ** (law.log_visits(rank.best) + z * law.sigma),
                details={
                    "domain": key,
                    "rank": rank.rank,
                    "rank_bounds": [rank.best, rank.worst],
                    "log10_c": law.log10_c,
                    "alpha": law.alpha,
                    "log10_sigma": law.sigma,
                    "anchors_used": law.anchors_used,
                    "fitted": law.fitted,
                    "list": self._path.name,
                },
            )
        return out
