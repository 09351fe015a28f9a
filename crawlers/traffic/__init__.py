"""Traffic estimators behind one interface, and their combination into a monthly estimate."""

from crawlers.errors import TrafficApiError
from crawlers.traffic.api import TrafficApiClient, TrafficApiEstimator
from crawlers.traffic.base import CounterReading, Estimator, SiteInput, SourceEstimate, combine, top_countries
from crawlers.traffic.configured import configured_estimators, month_of
from crawlers.traffic.counters import CounterEstimator, page_views_between
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
    "fit",
    "load_ranks",
    "month_of",
    "page_views_between",
    "top_countries",
]
