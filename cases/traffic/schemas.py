"""Traffic estimates as the API shows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class CountryShare(BaseModel):
    """A share of a site's visits from one country (ISO 3166-1 alpha-2, or ``other``)."""

    country: str
    share: float = Field(ge=0, le=1)


class EstimateIn(BaseModel):
    """A combined monthly estimate, as the crawlers' estimate job hands it to the store."""

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    visits_low: float = Field(ge=0)
    visits_central: float = Field(ge=0)
    visits_high: float = Field(ge=0)
    pages_per_visit: float | None = None
    minutes_per_visit: float | None = None
    countries: list[CountryShare] = Field(default_factory=list)
    sources: list[str]
    method: dict[str, Any] = Field(default_factory=dict)


class EstimatePublic(EstimateIn):
    """One stored estimate. ``unit`` is always visits (sessions), never people."""

    unit: str = "visits"
    computed_at: dt.datetime


class SiteTraffic(BaseModel):
    """A site's current estimate per month (newest month first) and, on request, every computation."""

    site_id: int
    months: list[EstimatePublic]
    history: list[EstimatePublic] = Field(default_factory=list)
