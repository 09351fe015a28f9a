"""Rank list → visits: ``log10(visits) = log10(C) − α·log10(rank)``, C fitted on anchor sites.

Two file formats, told apart by the first line:

- Tranco: ``rank,domain`` rows, no header (``1,google.com``);
- CrUX-style bands: a header ``origin,rank``, then ``https://www.example.com,1000`` where the rank
  is the upper bound of a band (1K, 5K, 10K, 50K, …). A band's central rank is the geometric mean
  of the ranks it holds (:func:`band_centre`), and the band's width widens the estimate's low / high.

**The list of the month.** ``rank_list_path`` is one list (used for every month) or a directory of
lists whose names carry their month (``tranco-2026-10.csv``, ``crux-202610.csv``): a month is
estimated from its own list, or the newest list before it (named in the details as ``list_month``);
never from a later list, which describes a later web.

The list (a million rows) is streamed once per run and only the wanted domains (the sites' and the
anchors') are kept, so estimating ten thousand sites costs one pass over the file.
"""

from __future__ import annotations

import math
import re
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


def distinct_domains(names: Sequence[str]) -> list[str]:
    """A site's domains as list keys, each once; a host under another of them is left out, because
    lists and APIs count a domain's subdomains with it (summing both would count them twice)."""
    keys = list(dict.fromkeys(list_key(n) for n in names))
    return [k for k in keys if not any(k != o and k.endswith("." + o) for o in keys)]


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


def band_centre(lower: float, upper: float) -> float:
    """The geometric mean of the ranks a band holds, ranks spread evenly over ``[lower, upper]``.

    exp(mean of ln r) = exp((u·ln u − l·ln l) / (u − l) − 1). For a band a factor 2 wide this is 4 %
    further down than √(l·u), for a factor 5 about 23 %; for the top band (1 – 1,000) √(1·1000) = 32
    would put a site among the world's thirty largest, where the ranks the band holds average
    (geometrically) 370, about ten times further down: what a site known only to be in the top
    thousand is.
    """
    if upper <= lower:
        return upper
    return math.exp((upper * math.log(upper) - lower * math.log(lower)) / (upper - lower) - 1)


_LIST_MONTH = re.compile(r"(?<!\d)(\d{4})-?(0[1-9]|1[0-2])(?!\d)")


def list_for_month(path: Path, month: str) -> tuple[Path, str | None] | None:
    """The rank list to estimate `month` with, and the list's month (None: a single list for every month).

    In a directory: the list of `month`, else the newest before it; None when every list is later.
    """
    if not path.is_dir():
        return path, None
    by_month: dict[str, Path] = {}
    for candidate in sorted(path.iterdir()):
        found = _LIST_MONTH.search(candidate.name)
        if candidate.is_file() and found:
            by_month.setdefault(f"{found.group(1)}-{found.group(2)}", candidate)
    usable = [label for label in by_month if label <= month]
    if not usable:
        return None
    label = max(usable)
    return by_month[label], label


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
                found[key] = Rank(band_centre(lower, upper), lower, upper)
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
        """Estimate every site found on the list (by its domains, their visits summed) with the month's list."""
        chosen = list_for_month(self._path, month)
        if chosen is None:  # only lists of later months: they say nothing of this one
            return {}
        path, list_month = chosen
        anchors: Mapping[str, float] = {list_key(d): v for d, v in self._settings.anchors.items()}
        wanted = {list_key(d) for s in sites for d in s.domains} | set(anchors)
        kind, ranks = load_ranks(path, wanted)
        law = fit([(ranks[a].rank, v) for a, v in anchors.items() if a in ranks and v > 0], self._settings)
        z = self._settings.band_z
        out: dict[int, SourceEstimate] = {}
        for site in sites:
            # every domain of the site on the list counts (a site that hopped mid-month is on it twice)
            hits = [(ranks[k], k) for k in distinct_domains(site.domains) if k in ranks]
            if not hits:
                continue
            rank, key = min(hits, key=lambda h: (h[0].rank, h[1]))
            out[site.site_id] = SourceEstimate(
                source=f"rank:{kind}",
                low=sum(10 ** (law.log_visits(r.worst) - z * law.sigma) for r, _ in hits),
                central=sum(10 ** law.log_visits(r.rank) for r, _ in hits),
                high=sum(10 ** (law.log_visits(r.best) + z * law.sigma) for r, _ in hits),
                details={
                    "domain": key,
                    "rank": rank.rank,
                    "rank_bounds": [rank.best, rank.worst],
                    "domains": {k: r.rank for r, k in sorted(hits, key=lambda h: h[1])},
                    "log10_c": law.log10_c,
                    "alpha": law.alpha,
                    "log10_sigma": law.sigma,
                    "anchors_used": law.anchors_used,
                    "fitted": law.fitted,
                    "list": path.name,
                    "list_month": list_month,
                },
            )
        return out
