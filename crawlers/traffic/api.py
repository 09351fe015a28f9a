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

Two rules about what is asked and added up:

- **Finished months only.** The API has monthly data up to the last complete month (the current one
  only as "month to date", developers.similarweb.com/reference/visits). Asked for a month that has
  not ended (in UTC), the estimator asks for the newest finished month instead and says so in the
  estimate's details (``data_month``), rather than getting a refusal or a month-to-date count
  presented as a month.
- **A site's domains are summed.** A site is a family of domains: when it hops mid-month, the old
  domain has the first half of the month's visits and the new one the second. The site's visits are
  the sum over its domains (each domain once, a host under another of its domains left out since
  the API counts subdomains with their domain); country shares, pages and minutes per visit are
  weighted by each domain's visits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from crawlers.config import TrafficSettings
from crawlers.errors import TrafficApiError
from crawlers.traffic.base import SiteInput, SourceEstimate
from crawlers.traffic.ranklist import distinct_domains

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


def finished_month(month: str, now: dt.datetime) -> str:
    """`month` (``YYYY-MM``) if it has ended at `now` (UTC), else the last month that has."""
    now = now.astimezone(dt.UTC)
    last = now.year * 12 + now.month - 2  # the month before now's, as a month index
    asked = int(month[:4]) * 12 + int(month[5:7]) - 1
    index = min(asked, last)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _weighted(answers: Sequence[tuple[str, dict[str, Any]]], key: str) -> float | None:
    """The visit-weighted mean of `key` over the domains that report it."""
    known = [(float(a["visits"]), float(a[key])) for _, a in answers if a.get(key) is not None]
    base = sum(v for v, _ in known)
    return sum(v * x for v, x in known) / base if base else None


def _countries(answers: Sequence[tuple[str, dict[str, Any]]]) -> list[tuple[str, float]]:
    """Country shares of the site: each domain's shares weighted by its visits, over the domains that have some."""
    acc: dict[str, float] = {}
    base = 0.0
    for _, answer in answers:
        if not answer["countries"]:
            continue  # a domain with no breakdown says nothing about the others' audience
        visits = float(answer["visits"])
        base += visits
        for code, share in answer["countries"]:
            acc[code] = acc.get(code, 0.0) + share * visits
    return [(code, value / base) for code, value in acc.items()] if base else []


class TrafficApiEstimator:
    """Visits from the traffic API: every domain of a site asked for the month, their visits summed."""

    def __init__(
        self,
        settings: TrafficSettings,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        if not settings.api_key.get_secret_value():
            raise ValueError("no traffic API key configured (traffic.api_key)")
        self._settings = settings
        self._api = TrafficApiClient(settings, transport)
        #: site id → why its answer could not be read, for the last :meth:`estimate` (the others were estimated)
        self.failures: dict[int, str] = {}
        self._clock = clock
        self.name = "traffic-api"

    async def estimate(self, sites: Sequence[SiteInput], month: str) -> dict[int, SourceEstimate]:
        """Estimate the sites the API knows."""
        band = self._settings.api_relative_band
        data_month = finished_month(month, self._clock())
        out: dict[int, SourceEstimate] = {}
        self.failures = {}
        last: Exception | None = None
        async with self._api._client() as client:
            for site in sites:
                answers = []
                try:
                    for domain in distinct_domains(site.domains):
                        answer = await self._api.domain(client, domain, data_month)
                        if answer is not None:
                            answers.append((domain, answer))
                except (TrafficApiError, httpx.HTTPError) as exc:
                    # This site's answer was broken: it alone goes without (a sum missing a domain would
                    # undercount it), and the others are still asked.
                    self.failures[site.site_id] = f"{type(exc).__name__}: {exc}"[:500]
                    last = exc
                    continue
                if not answers:
                    continue
                visits = sum(float(a["visits"]) for _, a in answers)
                out[site.site_id] = SourceEstimate(
                    source="traffic-api",
                    low=visits * (1 - band),
                    central=visits,
                    high=visits * (1 + band),
                    pages_per_visit=_weighted(answers, "pages_per_visit"),
                    minutes_per_visit=_weighted(answers, "minutes_per_visit"),
                    countries=_countries(answers),
                    details={
                        "domains": {d: float(a["visits"]) for d, a in answers},
                        "month": month,
                        "data_month": data_month,
                        "relative_band": band,
                        "api": self._settings.api_url,
                    },
                )
        if last is not None and not out and len(self.failures) == len(sites):
            raise last  # every site failed: the source is down, and the job records it as such
        return out
