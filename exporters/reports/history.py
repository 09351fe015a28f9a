"""The figures a report reads: the report month and the twelve before it, and the measures taken of them.

Every table and chart starts from a :class:`History`; the two measures here (visits from the market,
the top three's share) are shared by the tables, the charts and the report's key figures, which is
why they live with the history rather than with any one table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exporters.figures.calendar import Month
from exporters.figures.model import Band, MonthFigures, SiteFigures

HISTORY_MONTHS = 13  # the month and the twelve before it (year on year)
TREND_MONTHS = 12
#: the multi-year comparison also reads the same month this many years back
YEARS_BACK = 3


def report_months(month: Month) -> list[Month]:
    """The months a report reads, oldest first: the same month 3 and 2 years back, then the thirteen to `month`."""
    return [month.shift(-12 * k) for k in range(YEARS_BACK, 1, -1)] + month.span(HISTORY_MONTHS)


@dataclass(frozen=True)
class History:
    """The figures of the report month and the months before it (None: the source had none)."""

    month: Month
    figures: dict[str, MonthFigures | None]

    def get(self, months_back: int = 0) -> MonthFigures | None:
        return self.figures.get(self.month.shift(-months_back).label)

    @property
    def current(self) -> MonthFigures:
        figures = self.get(0)
        assert figures is not None  # the report refuses a month without figures
        return figures

    def months(self, count: int) -> list[Month]:
        return self.month.span(count)


def market_visits(figures: MonthFigures) -> Band:
    """Visits from the market's own country, over all content types."""
    out = Band()
    for (_, country), band in sorted(figures.audience.items()):
        if country == figures.market:
            out = out + band
    return out


def top3_share(sites: Sequence[SiteFigures], total: float, weight: dict[int, float] | None = None) -> float | None:
    """Share of `total` taken by the three largest of `sites` (each counted with its weight)."""
    if total <= 0:
        return None
    largest = sorted(sites, key=lambda s: (-s.visits.central, s.site_id))[:3]
    return sum(s.visits.central * (weight or {}).get(s.site_id, 1.0) for s in largest) / total
