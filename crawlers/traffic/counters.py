"""On-site counters → visits: the growth of the view counters between two crawls is real page views.

Counters that went down (a reset, a deleted title) are left out; only URLs read in both crawls
count. Page views are extrapolated to a 30.44-day month and turned into visits with an assumed
pages-per-visit range (settings), which is what makes the band.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from crawlers.config import TrafficSettings
from crawlers.traffic.base import CounterReading, SiteInput, SourceEstimate

SECONDS_PER_MONTH = 30.44 * 24 * 3600


def page_views_between(before: CounterReading, after: CounterReading) -> int:
    """Views added between two readings, over the URLs read both times (decreases ignored)."""
    return sum(max(0, after.counters[url] - views) for url, views in before.counters.items() if url in after.counters)


class CounterEstimator:
    """Visits from the difference of view counters between a site's two newest crawls."""

    def __init__(self, settings: TrafficSettings) -> None:
        self._settings = settings
        self.name = "counters"

    async def estimate(self, sites: Sequence[SiteInput], month: str) -> dict[int, SourceEstimate]:
        """Estimate the sites with two readings far enough apart and a positive growth."""
        ppv_low, ppv_central, ppv_high = self._settings.counter_pages_per_visit
        out: dict[int, SourceEstimate] = {}
        for site in sites:
            if len(site.readings) < 2:
                continue
            before, after = site.readings[-2], site.readings[-1]
            if _month_label(after.at_epoch) != month:
                # counters read in another month say nothing about this one (a report's history asks
                # for months long past)
                continue
            elapsed = after.at_epoch - before.at_epoch
            if elapsed <= 0 or elapsed < self._settings.counter_min_interval_seconds:
                continue
            views = page_views_between(before, after)
            if views <= 0:
                continue
            monthly_views = views * SECONDS_PER_MONTH / elapsed
            out[site.site_id] = SourceEstimate(
                source="counters",
                # more pages per visit means fewer visits for the same page views
                low=monthly_views / ppv_high,
                central=monthly_views / ppv_central,
                high=monthly_views / ppv_low,
                pages_per_visit=None,
                details={
                    "page_views": views,
                    "interval_seconds": elapsed,
                    "monthly_page_views": monthly_views,
                    "counters_compared": sum(1 for u in before.counters if u in after.counters),
                    "pages_per_visit_assumed": [ppv_low, ppv_central, ppv_high],
                },
            )
        return out


def _month_label(epoch: float) -> str:
    """The UTC month (``YYYY-MM``) of a time stamp."""
    when = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return f"{when.year:04d}-{when.month:02d}"
