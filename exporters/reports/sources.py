"""Where the report reads a month's figures: the store, or Prometheus.

Both give :class:`MonthFigures`. The store source computes them (``exporters.figures.store``); the
Prometheus source finds the last time the month's figures were scraped (or backfilled) and reads
every family at that instant, which is exactly what the exporter computed from the store then.

Reading Prometheus, in two steps per month (instant queries over the HTTP API, with httpx):

1. ``max_over_time(timestamp(piratewatch_month_info{month="2026-10", timezone="Asia/Tokyo"})[34d:1m])``
   evaluated a day after the month's end: the time of the month's last sample. The subquery keeps
   working when the exporter was down at the month's end (a gauge is stale five minutes after its
   last scrape: asking at the month's end would find nothing), and it needs one point per minute at
   most, far below Prometheus's 11,000 points per series.
2. Every figure family at that instant. A plain ``last_over_time`` over the month would also revive
   series that left the top sites during the month; at the last scrape only the month's final
   series are there (Prometheus marks vanished series stale).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any, Protocol

import httpx
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from exporters.errors import MissingMonthError, SourceError
from exporters.figures.calendar import Month
from exporters.figures.estimates import ParseCache
from exporters.figures.model import MonthFigures
from exporters.figures.series import FAMILIES, MONTH_INFO, Sample, figures_from_samples
from exporters.figures.site_facts import SiteFacts, load_site_facts
from exporters.figures.store import FigureRules, month_figures


class FigureSource(Protocol):
    """Gives the figures of a month."""

    name: str

    def figures(self, month: Month) -> MonthFigures:
        """The figures of `month`; :class:`MissingMonthError` when the source has none."""
        ...


class StoreSource:
    """Figures computed from the store, as the exporter computes them."""

    name = "store"

    def __init__(self, factory: sessionmaker[Session], rules: FigureRules) -> None:
        self.factory = factory
        self.rules = rules
        self._site_facts: SiteFacts | None = None
        self._parsed = ParseCache()

    def figures(self, month: Month) -> MonthFigures:
        with self.factory() as session:
            if self._site_facts is None:
                self._site_facts = load_site_facts(session)
            return month_figures(session, month, self.rules, self._site_facts, self._parsed)


_SETTINGS = ("timezone", "market", "top_sites", "top_per_group", "max_languages", "max_countries")


def _duration(seconds: float) -> str:
    """A PromQL duration in whole milliseconds."""
    return f"{round(seconds * 1000)}ms"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class PrometheusSource:
    """Figures read back from Prometheus over its HTTP API."""

    name = "prometheus"

    def __init__(
        self,
        url: str,
        rules: FigureRules,
        *,
        selector: str = "",
        timeout: float = 30.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.rules = rules
        self.selector = selector.strip().strip("{}").strip()
        self._client = client or httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def _matchers(self, *extra: str) -> str:
        parts = [p for p in (*extra, self.selector) if p]
        return "{" + ", ".join(parts) + "}" if parts else ""

    def query(self, expr: str, at: float) -> list[dict[str, Any]]:
        """An instant query at `at` (Unix seconds): the result vector."""
        try:
            response = self._client.get(f"{self.url}/api/v1/query", params={"query": expr, "time": f"{at:.3f}"})
        except httpx.HTTPError as exc:
            raise SourceError(f"Prometheus at {self.url} cannot be reached: {exc}") from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise SourceError(f"Prometheus at {self.url} answered {response.status_code} without JSON") from exc
        if response.status_code != 200 or body.get("status") != "success":
            raise SourceError(f"Prometheus refused {expr!r}: {body.get('error') or response.status_code}")
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def last_stamp(self, month: Month) -> float:
        """When the month's figures were last scraped (or backfilled), in Unix seconds."""
        day = dt.timedelta(days=1)
        window_start = month.start - day
        at = (month.end + day).timestamp()
        window = at - window_start.timestamp()
        month_matcher = 'month="' + _escape(month.label) + '"'
        info = MONTH_INFO.name + self._matchers(month_matcher)
        expr = f"max by ({', '.join(_SETTINGS)}) (max_over_time(timestamp({info})[{_duration(window)}:1m]))"
        found = self.query(expr, at)
        wanted = self._wanted(month)
        matching = [r for r in found if all(r["metric"].get(k) == v for k, v in wanted.items())]
        if not matching:
            if found:
                seen = "; ".join(", ".join(f"{k}={r['metric'].get(k)}" for k in wanted) for r in found)
                raise SourceError(
                    f"Prometheus holds {month.label} counted with other settings ({seen}); the report asks for "
                    + ", ".join(f"{k}={v}" for k, v in wanted.items())
                    + ": run it with the exporter's time zone and market (PIRATEWATCH_METRICS__*)"
                )
            raise MissingMonthError(
                f"Prometheus at {self.url} holds no figures for {month.label}: the exporter was not scraped then "
                "(write the history with `piratewatch metrics backfill` and load it with promtool)"
            )
        stamp = max(float(r["value"][1]) for r in matching)
        if not math.isfinite(stamp):
            raise MissingMonthError(f"Prometheus holds no usable figures for {month.label}")
        return stamp

    def _wanted(self, month: Month) -> dict[str, str]:
        """The month info labels the exporter must have used for its figures to be this report's."""
        return {
            "timezone": str(month.tz.key),
            "market": self.rules.market,
            "top_sites": str(self.rules.top_sites),
            "top_per_group": str(self.rules.top_per_group),
            "max_languages": str(self.rules.max_languages),
            "max_countries": str(self.rules.max_countries),
        }

    def figures(self, month: Month) -> MonthFigures:
        stamp = self.last_stamp(month)
        wanted = {"month": month.label, **self._wanted(month)}
        names = "|".join(f.name for f in FAMILIES)
        labels = {f.name: f.labels for f in FAMILIES}
        samples: list[Sample] = []
        # One query for every family at that instant (the month's figures are one scrape).
        for row in self.query("{" + ", ".join(p for p in (f'__name__=~"{names}"', self.selector) if p) + "}", stamp):
            name = row["metric"].get("__name__", "")
            if name == MONTH_INFO.name and any(row["metric"].get(k) != v for k, v in wanted.items()):
                continue  # another month's or another exporter's info series, still within the lookback
            kept = {k: v for k, v in row["metric"].items() if k in labels.get(name, ())}
            samples.append(Sample(name, kept, float(row["value"][1])))
        return figures_from_samples(_unique(samples))


def _unique(samples: Sequence[Sample]) -> list[Sample]:
    """One sample per series: the same figures scraped from two targets (or backfilled and scraped) count once."""
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], Sample] = {}
    for sample in sorted(samples, key=lambda s: (s.name, sorted(s.labels.items()))):
        seen.setdefault((sample.name, tuple(sorted(sample.labels.items()))), sample)
    return list(seen.values())
