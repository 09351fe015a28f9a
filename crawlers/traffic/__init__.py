"""Traffic estimators behind one interface, and their combination into a monthly estimate."""

from crawlers.traffic.api import TrafficApiClient, TrafficApiError, TrafficApiEstimator
from crawlers.traffic.base import CounterReading, Estimator, SiteInput, SourceEstimate, combine, top_countries
from crawlers.traffic.counters import CounterEstimator, page_views_between
from crawlers.traffic.job import configured_estimators, estimate_sites, month_of, site_inputs
from crawlers.traffic.ranklist import RankListEstimator, fit, load_ranks

__all__ = [
    "CounterEstimator",
    "CounterReading",
    "Estimator",
    "RankListEstimator",
    "SiteInput",
    "SourceEstimate",
    "TrafficApiClient",
    "TrafficApiError",
    "TrafficApiEstimator",
    "combine",
    "configured_estimators",
    "estimate_sites",
    "fit",
    "load_ranks",
    "month_of",
    "page_views_between",
    "site_inputs",
    "top_countries",
]
