"""The demo world's traffic over 37 months: what its traffic panel and its monthly rank lists say.

Plausible, not real: each demo site has a size in the newest finished month, a yearly growth
(Japanese raw sites grew fast after the large closures, the Vietnamese ones steadily, the English
aggregator shrank), a mild seasonality (more reading in January, August and December) and an
audience mix. The Vietnamese site hopped to a new domain five months ago, in the middle of the
month: that month each domain has half. ``old-manga.test`` is known to the rank lists only, so its
audience is unknown (a Japanese site, counted for Japan by its language and said so).

:func:`panel` gives the lab traffic API's per-month answers; :func:`write_rank_lists` one
Tranco-format list per month (``tranco-YYYY-MM.csv``), with the anchors at fixed ranks and every
site at the rank the lists' power law (visits = 10¹⁰ / rank, the anchors' C) gives its visits.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from lab.traffic_api import DomainTraffic

MONTHS = 37
_C = 1e10  # the anchors' law: anchor-big.test at rank 50 has 2e8 visits
ANCHOR_RANKS = {"google.com": 1, "anchor-big.test": 50, "anchor-mid.test": 1500, "anchor-small.test": 60000}
_SEASON = {1: 1.08, 2: 0.97, 3: 1.0, 4: 0.96, 5: 0.98, 6: 0.97, 7: 1.02, 8: 1.08, 9: 0.98, 10: 0.98, 11: 0.99, 12: 1.05}


@dataclass(frozen=True)
class DemoTraffic:
    """One demo site's traffic: visits in the newest finished month, yearly growth, audience (empty: unknown)."""

    domain: str
    visits: float
    yearly_growth: float
    countries: dict[str, float] = field(default_factory=dict)
    pages_per_visit: float = 6.0
    seconds_per_visit: float = 480.0
    #: on the traffic panel (else on the rank lists only)
    panel: bool = True
    #: (month index, new domain): it moves in the middle of that month
    hop: tuple[int, str] | None = None


SITES = [
    DemoTraffic("manga-raw.test", 11.0e6, 2.1, {"JP": 0.91, "US": 0.03, "TW": 0.02, "KR": 0.01}, 7.5, 600),
    DemoTraffic("rawkuma.test", 24.0e6, 1.6, {"JP": 0.86, "US": 0.05, "BR": 0.02, "TW": 0.02}, 6.5, 540),
    DemoTraffic("mangafree.test", 38.0e6, 0.85, {"US": 0.34, "PH": 0.12, "GB": 0.07, "IN": 0.06, "JP": 0.04}),
    DemoTraffic("anime-stream.test", 16.0e6, 1.2, {"US": 0.28, "JP": 0.31, "BR": 0.09, "MX": 0.06}, 3.2, 1500),
    DemoTraffic(
        "truyen-tranh.test", 0.0, 1.25, {"VN": 0.97, "US": 0.01}, 8.0, 720, hop=(MONTHS - 6, "truyentranh-moi.test")
    ),
    DemoTraffic("truyenvn.test", 21.0e6, 1.15, {"VN": 0.93, "US": 0.03, "JP": 0.01}, 6.5, 540),
    DemoTraffic("old-manga.test", 3.0e6, 0.7, panel=False),
]
#: the hopping Vietnamese site's visits in the newest finished month (on its new domain)
_HOPPED_VISITS = 30.0e6


def months_back(newest: str, count: int = MONTHS) -> list[str]:
    """`count` month labels ending with `newest`, oldest first."""
    index = int(newest[:4]) * 12 + int(newest[5:7]) - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def last_finished(now: dt.datetime) -> str:
    """The newest month that has ended (UTC)."""
    return months_back(f"{now.year:04d}-{now.month:02d}", 2)[0]


def _size(site: DemoTraffic, k: int, label: str) -> float:
    """Visits in month number `k` (0 oldest, MONTHS - 1 the newest finished month)."""
    base = _HOPPED_VISITS if site.hop else site.visits
    years_back = (MONTHS - 1 - k) / 12
    wobble = 1 + 0.03 * math.sin(k * 1.7 + len(site.domain))  # a little month-to-month noise, reproducible
    return float(round(base / site.yearly_growth**years_back * _SEASON[int(label[5:7])] * wobble, -3))


def by_domain(newest: str) -> dict[str, dict[str, float]]:
    """Every domain's visits per month (a hop splits its month in two halves)."""
    out: dict[str, dict[str, float]] = {}
    for site in SITES:
        for k, label in enumerate(months_back(newest)):
            visits = _size(site, k, label)
            if site.hop is None:
                out.setdefault(site.domain, {})[label] = visits
                continue
            at, new = site.hop
            if k <= at:
                out.setdefault(site.domain, {})[label] = visits / 2 if k == at else visits
            if k >= at:
                out.setdefault(new, {})[label] = visits / 2 if k == at else visits
    return out


def panel(newest: str) -> dict[str, DomainTraffic]:
    """What the lab traffic API knows: the panel's sites, month by month."""
    series = by_domain(newest)
    out = {}
    for site in SITES:
        if not site.panel:
            continue
        domains = [site.domain] + ([site.hop[1]] if site.hop else [])
        for domain in domains:
            out[domain] = DomainTraffic(
                0.0, site.pages_per_visit, site.seconds_per_visit, dict(site.countries), monthly=series[domain]
            )
    return out


def write_rank_lists(directory: Path, newest: str) -> Path:
    """One Tranco-format list per month up to the month after `newest` (the running one); returns `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    series = by_domain(newest)
    labels = [*months_back(newest), _next(newest)]
    for label in labels:
        source = label if label <= newest else newest  # the running month's list: last month's popularity
        ranks = dict(ANCHOR_RANKS)
        for domain, months in series.items():
            if source in months and months[source] > 0:
                ranks[domain] = max(2, round(_C / months[source]))
        rows = sorted(ranks.items(), key=lambda kv: (kv[1], kv[0]))
        (directory / f"tranco-{label}.csv").write_text("".join(f"{r},{d}\n" for d, r in rows), "utf-8")
    return directory


def _next(label: str) -> str:
    index = int(label[:4]) * 12 + int(label[5:7])
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
