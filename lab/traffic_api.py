"""A local server speaking the SimilarWeb-compatible traffic API's JSON (for the demo and the tests).

It knows the domains it is given (monthly visits, pages per visit, seconds per visit, country
shares), answers 404 for the others and 403 without the right key, as the real API does. Like the
real one (developers.similarweb.com/reference/visits: monthly data up to the last complete month,
the current month only with ``mtd=true``), it refuses with 400 a month that has not ended yet or is
more than 37 months back, and it keeps every month it was asked for in ``months_asked``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lab.http_util import ThreadedServer


@dataclass
class DomainTraffic:
    """What the lab API says about one domain in every month."""

    visits: float
    pages_per_visit: float
    seconds_per_visit: float
    countries: dict[str, float] = field(default_factory=dict)
    #: visits month by month (``YYYY-MM``); when given, a month missing here has no data (an empty series)
    monthly: dict[str, float] = field(default_factory=dict)

    def visits_in(self, month: str) -> float | None:
        return self.monthly.get(month) if self.monthly else self.visits


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
HISTORY_MONTHS = 37


def _index(label: str) -> int:
    return int(label[:4]) * 12 + int(label[5:7]) - 1


class TrafficApiServer:
    """The lab traffic API; ``requests`` counts the calls made to it, ``months_asked`` the months."""

    def __init__(
        self,
        domains: dict[str, DomainTraffic],
        api_key: str = "lab-key",
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.domains = domains
        self.api_key = api_key
        self.requests = 0
        self.months_asked: list[str] = []
        self._clock = clock

    def _month_error(self, request: Request) -> JSONResponse | None:
        """400 for a malformed, unfinished or too old month, as the real API answers."""
        start, end = request.query_params.get("start_date", ""), request.query_params.get("end_date", "")
        if not (_MONTH.match(start) and _MONTH.match(end)) or start > end:
            return JSONResponse({"meta": {"status": "Error", "error_message": "Invalid date format"}}, 400)
        now = self._clock().astimezone(dt.UTC)
        last_complete = now.year * 12 + now.month - 2
        self.months_asked.append(end)
        if _index(end) > last_complete and request.query_params.get("mtd") != "true":
            return JSONResponse({"meta": {"status": "Error", "error_message": "Data not available yet"}}, 400)
        if _index(start) <= last_complete - HISTORY_MONTHS:
            return JSONResponse({"meta": {"status": "Error", "error_message": "Date out of range"}}, 400)
        return None

    def _domain(self, request: Request) -> tuple[DomainTraffic | None, JSONResponse | None]:
        self.requests += 1
        if request.query_params.get("api_key") != self.api_key:
            return None, JSONResponse({"meta": {"status": "Error", "error_message": "invalid api key"}}, 403)
        refused = self._month_error(request)
        if refused is not None:
            return None, refused
        data = self.domains.get(request.path_params["domain"])
        if data is None:
            return None, JSONResponse({"meta": {"status": "Error", "error_message": "Data not found"}}, 404)
        return data, None

    def _series(self, request: Request, key: str, value: float | None) -> JSONResponse:
        month = request.query_params.get("start_date", "2026-01")
        rows = [] if value is None else [{"date": f"{month}-01", key: value}]
        return JSONResponse({"meta": {"status": "Success"}, key: rows})

    async def _metric(self, request: Request) -> JSONResponse:
        data, error = self._domain(request)
        if data is None:
            assert error is not None
            return error
        metric = request.path_params["metric"]
        values: dict[str, float | None] = {
            "visits": data.visits_in(request.query_params["start_date"]),
            "pages-per-visit": data.pages_per_visit,
            "average-visit-duration": data.seconds_per_visit,
        }
        if metric not in values:
            return JSONResponse({"meta": {"status": "Error"}}, 404)
        return self._series(request, metric.replace("-", "_"), values[metric])

    async def _geo(self, request: Request) -> JSONResponse:
        data, error = self._domain(request)
        if data is None:
            assert error is not None
            return error
        records = [{"country_code": c, "share": s} for c, s in data.countries.items()]
        return JSONResponse({"meta": {"status": "Success"}, "records": records})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/website/{domain}/total-traffic-and-engagement/{metric}", self._metric),
                Route("/v4/website/{domain}/geo/traffic-by-country", self._geo),
            ]
        )

    def serve(self, host: str = "127.0.0.1") -> ThreadedServer:
        """A server on a free loopback port (use as a context manager)."""
        return ThreadedServer(self.app(), host=host)
