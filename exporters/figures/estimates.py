"""Each site's newest traffic estimate of a month, with its audience shares and source kinds cleaned.

The estimators store countries and sources as JSON written by several sources over time; this
module is where that JSON is read, checked and normalised, once per distinct text, so the figures
themselves (:mod:`exporters.figures.store`) only add up clean numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.sites.models import Site, SiteStatus
from cases.traffic.models import TrafficEstimate
from exporters.figures.markets import AudienceReading, read_audience
from exporters.figures.model import OTHER, UNKNOWN_COUNTRY, Band

SOURCE_KINDS = frozenset({"traffic-api", "counters", "rank"})
# Shares that add up to 1 within this are taken as complete (the estimators round them).
_SHARE_SLACK = 1e-9
# A visit duration beyond a day is no visit duration: the source's answer is dropped, not believed.
_MAX_MINUTES_PER_VISIT = 24 * 60.0


def audience_shares(raw: Iterable[Mapping[str, Any]] | None) -> dict[str, float]:
    """An estimate's country shares, cleaned: codes upper-cased, the remainder as ``other``."""
    shares: dict[str, float] = {}
    for entry in raw or ():
        try:
            share = float(entry.get("share") or 0.0)
        except (TypeError, ValueError, AttributeError):
            continue
        if not share > 0 or share == math.inf:  # also drops NaN
            continue
        code = entry.get("country")
        key = code.upper() if isinstance(code, str) and len(code) == 2 and code.isalpha() else OTHER
        shares[key] = shares.get(key, 0.0) + share
    if not shares:
        return {UNKNOWN_COUNTRY: 1.0}
    total = sum(shares.values())
    if total > 1 + _SHARE_SLACK:
        shares = {k: v / total for k, v in shares.items()}
    elif total < 1 - _SHARE_SLACK:
        shares[OTHER] = shares.get(OTHER, 0.0) + (1.0 - total)
    return dict(sorted(shares.items()))  # in country order: sums over countries always run the same way


@dataclass(frozen=True)
class Estimate:
    """One site's estimate of the month as the figures use it."""

    visits: Band
    countries: dict[str, float]
    sources: tuple[str, ...]
    #: the visit duration the traffic source measured (None: not measured, or not believable)
    minutes_per_visit: float | None = None
    #: `countries` as the market rules read it (exporters.figures.markets), read once per distinct audience
    audience: AudienceReading | None = None

    def reading(self) -> AudienceReading:
        return self.audience if self.audience is not None else read_audience(self.countries)


def measured_minutes(value: Any) -> float | None:
    """A stored minutes-per-visit as a number of minutes, or None when it is missing or not believable."""
    if value is None or isinstance(value, bool):
        return None
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        return None
    return minutes if 0 < minutes <= _MAX_MINUTES_PER_VISIT else None  # also drops NaN


def _source_kind(source: str) -> str:
    kind = str(source).split(":", 1)[0]
    return kind if kind in SOURCE_KINDS else OTHER


class ParseCache:
    """Estimates' JSON as text, parsed once per distinct text (a report reads thirteen months of them).

    Source lists repeat across nearly every site, and a site's audience often repeats from one
    month to the next: reading the columns as text and keeping what each text parsed to avoids
    most of the JSON decoding and share cleaning.
    """

    def __init__(self) -> None:
        self.audiences: dict[str, tuple[dict[str, float], AudienceReading]] = {}
        self.kinds: dict[str, tuple[str, ...]] = {}

    def audience_of(self, text: str | None) -> tuple[dict[str, float], AudienceReading]:
        """The cleaned shares of an audience's JSON, and how the market rules read them."""
        key = text or ""
        found = self.audiences.get(key)
        if found is None:
            shares = audience_shares(_json_list(text))
            found = self.audiences[key] = (shares, read_audience(shares))
        return found

    def shares_of(self, text: str | None) -> dict[str, float]:
        return self.audience_of(text)[0]

    def kinds_of(self, text: str | None) -> tuple[str, ...]:
        key = text or ""
        found = self.kinds.get(key)
        if found is None:
            found = self.kinds[key] = tuple(sorted({_source_kind(s) for s in _json_list(text)}))
        return found


def _json_list(text: str | None) -> list[Any]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def current_estimates(session: Session, month: str, cache: ParseCache | None = None) -> dict[int, Estimate]:
    """Each site's newest estimate of `month` (merged sites left out)."""
    cache = cache or ParseCache()
    ranked = (
        sa.select(
            col(TrafficEstimate.site_id),
            col(TrafficEstimate.visits_low),
            col(TrafficEstimate.visits_central),
            col(TrafficEstimate.visits_high),
            col(TrafficEstimate.minutes_per_visit),
            # as text on both stores (JSONB arrives parsed otherwise): parsed once per distinct text
            sa.cast(col(TrafficEstimate.countries), sa.Text).label("countries"),
            sa.cast(col(TrafficEstimate.sources), sa.Text).label("sources"),
            sa.func.row_number()
            .over(
                partition_by=col(TrafficEstimate.site_id),
                order_by=[col(TrafficEstimate.computed_at).desc(), col(TrafficEstimate.id).desc()],
            )
            .label("n"),
        )
        .where(col(TrafficEstimate.month) == month)
        .subquery()
    )
    rows = session.connection().execute(
        sa.select(
            ranked.c.site_id,
            ranked.c.visits_low,
            ranked.c.visits_central,
            ranked.c.visits_high,
            ranked.c.minutes_per_visit,
            ranked.c.countries,
            ranked.c.sources,
        )
        .join(Site, col(Site.id) == ranked.c.site_id)
        .where(ranked.c.n == 1, col(Site.status) != SiteStatus.MERGED.value)
    )
    out: dict[int, Estimate] = {}
    audience_of, kinds_of = cache.audience_of, cache.kinds_of
    for site_id, low, central, high, minutes, countries, sources in rows.all():  # one fetch, not one per row
        shares, reading = audience_of(countries)
        out[site_id] = Estimate(
            Band(float(low), float(central), float(high)),
            shares,
            kinds_of(sources),
            None if minutes is None else measured_minutes(minutes),
            reading,
        )
    return out
