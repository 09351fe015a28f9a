"""The traffic sources the settings switch on, and the month labels they are asked about."""

from __future__ import annotations

import datetime as dt

from crawlers.config import TrafficSettings
from crawlers.traffic.api import TrafficApiEstimator
from crawlers.traffic.base import Estimator
from crawlers.traffic.counters import CounterEstimator
from crawlers.traffic.ranklist import RankListEstimator


def month_of(when: dt.datetime) -> str:
    """The ``YYYY-MM`` label of a time."""
    return f"{when.year:04d}-{when.month:02d}"


def configured_estimators(settings: TrafficSettings) -> list[Estimator]:
    """Every source the settings switch on: counters always, the rank list and the API when configured."""
    estimators: list[Estimator] = [CounterEstimator(settings)]
    if settings.rank_list_path is not None:
        estimators.append(RankListEstimator(settings))
    if settings.api_key.get_secret_value():
        estimators.append(TrafficApiEstimator(settings))
    return estimators
