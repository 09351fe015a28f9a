"""A SimilarWeb-compatible traffic API client (visits, pages and minutes per visit, country shares).

It speaks the v1 "total traffic and engagement" endpoints and the geography endpoint, with the key
as the ``api_key`` query parameter::

    GET {base}/v1/website/{domain}/total-traffic-and-engagement/visits?start_date=2026-10&end_date=2026-10&granularity=monthly
        → {"visits": [{"date": "2026-10-01", "visits": 1234567.0}]}
    GET .../pages-per-visit          → {"pages_per_visit": [{"date": ..., "pages_per_visit": 5.2}]}
    GET .../average-visit-duration   → {"average_visit_duration": [{"date": ..., "average_visit_duration": 412.0}]}  (seconds)
    GET {base}/v4/website/{domain}/geo/traffic-by-country → {"records": [{"country_code": "JP", "share": 0.9}]}

A domain the API does not know (404, empty answer) is simply not estimated; other errors are
recorded on the estimate's details rather than failing the whole run.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import Sequence
from typing import Any

import httpx

from crawlers.config import TrafficSettings
from crawlers.errors import TrafficApiError
from crawlers.traffic.base import SiteInput, SourceEstimate
from crawlers.traffic.ranklist import list_key

#: the largest answer read from the API: a month of one domain is a few hundred bytes
MAX_ANSWER_BYTES = 1_000_000
_COUNTRY = re.compile(r"[A-Za-z]{2}")


async def _read_capped(response: httpx.Response, limit: int, path: str) -> bytes:
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            raise TrafficApiError(f"{path}: answer larger than {limit:,} bytes")
    return bytes(body)


def _amount(value: object) -> float | None:
    """A count or a share as the API should give it: a finite number, not negative (true is no number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _country(value: object) -> str | None:
    """An ISO 3166 alpha-2 code, upper case, or None for anything else."""
    return value.upper() if isinstance(value, str) and _COUNTRY.fullmatch(value) else None


class TrafficApiClient:
    """One API session; ``transport`` is the seam for tests that do not go over a socket."""

    def __init__(self, settings: TrafficSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        self._transport = transport

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self._settings.api_url.rstrip("/"),
            timeout=httpx.Timeout(self._settings.api_timeout),
            params={"api_key": self._settings.api_key.get_secret_value()},
            transport=self._transport,
            follow_redirects=False,
        )

    async def _get(self, client: httpx.AsyncClient, path: str, month: str) -> dict[str, Any] | None:
        params = {"start_date": month, "end_date": month, "granularity": "monthly", "main_domain_only": "false"}
        try:
            # One deadline for the whole answer (httpx's timeout is per read: a drip would never end)
            # and a cap on its size: the answer is the API's, not ours.
            async with asyncio.timeout(self._settings.api_timeout * 2):
                async with client.stream("GET", path, params=params) as response:
                    if response.status_code == 404:
                        return None
                    if response.status_code != 200:
                        raise TrafficApiError(f"{path}: HTTP {response.status_code}")
                    body = await _read_capped(response, MAX_ANSWER_BYTES, path)
        except TimeoutError as exc:
            raise TrafficApiError(f"{path}: no complete answer within {self._settings.api_timeout * 2:g} s") from exc
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise TrafficApiError(f"{path}: not JSON ({type(exc).__name__})") from exc
        if not isinstance(data, dict):
            raise TrafficApiError(f"{path}: not a JSON object")
        return data

    @staticmethod
    def _value(data: dict[str, Any] | None, key: str) -> float | None:
        rows = (data or {}).get(key) or []
        if not isinstance(rows, list):
            return None
        values = [v for r in rows if isinstance(r, dict) and (v := _amount(r.get(key))) is not None]
        return values[-1] if values else None

    async def domain(self, client: httpx.AsyncClient, domain: str, month: str) -> dict[str, Any] | None:
        """Visits, engagement and countries of one domain in one month; None when the API has no data."""
        base = f"/v1/website/{domain}/total-traffic-and-engagement"
        visits = self._value(await self._get(client, f"{base}/visits", month), "visits")
        if visits is None:
            return None
        ppv = self._value(await self._get(client, f"{base}/pages-per-visit", month), "pages_per_visit")
        seconds = self._value(
            await self._get(client, f"{base}/average-visit-duration", month), "average_visit_duration"
        )
        geo = await self._get(client, f"/v4/website/{domain}/geo/traffic-by-country", month)
        records = (geo or {}).get("records")
        countries = [
            (code, share)
            for r in (records if isinstance(records, list) else [])
            if isinstance(r, dict)
            and (code := _country(r.get("country_code") or r.get("country"))) is not None
            and (share := _amount(r.get("share"))) is not None
            and share <= 1
        ]
        return {
            "visits": visits,
            "pages_per_visit": ppv,
            "minutes_per_visit": seconds / 60 if seconds is not None else None,
            "countries": countries,
        }


class TrafficApiEstimator:
    """Visits from the traffic API: each site's domains are asked in turn; the largest answer wins."""

    def __init__(self, settings: TrafficSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not settings.api_key.get_secret_value():
            raise ValueError("no traffic API key configured (traffic.api_key)")
        self._settings = settings
        self._api = TrafficApiClient(settings, transport)
        self.name = "traffic-api"

    async def estimate(self, sites: Sequence[SiteInput], month: str) -> dict[int, SourceEstimate]:
        """Estimate the sites the API knows."""
        band = self._settings.api_relative_band
        out: dict[int, SourceEstimate] = {}
        async with self._api._client() as client:
            for site in sites:
                answers = []
                for domain in dict.fromkeys(list_key(d) for d in site.domains):
                    answer = await self._api.domain(client, domain, month)
                    if answer is not None:
                        answers.append((domain, answer))
                if not answers:
                    continue
                domain, best = max(answers, key=lambda a: float(a[1]["visits"]))
                visits = float(best["visits"])
                out[site.site_id] = SourceEstimate(
                    source="traffic-api",
                    low=visits * (1 - band),
                    central=visits,
                    high=visits * (1 + band),
                    pages_per_visit=best["pages_per_visit"],
                    minutes_per_visit=best["minutes_per_visit"],
                    countries=best["countries"],
                    details={"domain": domain, "relative_band": band, "api": self._settings.api_url},
                )
        return out
