"""The traffic API's answers are hostile input: wrong types, impossible numbers, huge or dripping
bodies, broken JSON become a recorded failure or a missing value, never an exception of another kind
or a figure nobody measured. Served by a real local server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from crawlers.config import TrafficSettings
from crawlers.errors import TrafficApiError
from crawlers.traffic.api import MAX_ANSWER_BYTES, TrafficApiClient
from lab.http_util import ThreadedServer

VISITS = "/v1/website/{domain}/total-traffic-and-engagement/visits"


def _app() -> Starlette:
    #: raw bodies, as a hostile or broken API could send them (NaN is what Python's json writes for nan)
    raw = {
        "nan.test": b'{"visits": [{"date": "2026-10-01", "visits": NaN}]}',
        "negative.test": b'{"visits": [{"date": "2026-10-01", "visits": -5}]}',
        "bool.test": b'{"visits": [{"date": "2026-10-01", "visits": true}]}',
        "string.test": b'{"visits": [{"date": "2026-10-01", "visits": "1e9"}]}',
        "rows.test": b'{"visits": {"not": "a list"}}',
        "fine.test": b'{"visits": [{"date": "2026-10-01", "visits": 1000.0}]}',
        "broken.test": b'{"visits": [',
        "deep.test": b"[" * 100_000 + b"]" * 100_000,
        "huge.test": b'{"visits": "' + b"x" * (MAX_ANSWER_BYTES + 10) + b'"}',
    }

    async def visits(request: Request) -> Response:
        domain = request.path_params["domain"]
        if domain == "drip.test":

            async def drip() -> AsyncIterator[bytes]:
                for _ in range(100):
                    yield b" "
                    await asyncio.sleep(0.2)

            return StreamingResponse(drip(), media_type="application/json")
        return Response(raw[domain], media_type="application/json")

    async def other(request: Request) -> Response:
        if request.url.path.endswith("traffic-by-country"):
            return JSONResponse(
                {
                    "records": [
                        {"country_code": "jp", "share": 0.7},
                        {"country_code": "J\u0000P", "share": 0.1},
                        {"country_code": "VN", "share": 7},
                        {"country_code": "US", "share": False},
                        "junk",
                        {"country": "DE", "share": 0.05},
                    ]
                }
            )
        return JSONResponse({})

    return Starlette(routes=[Route(VISITS, visits), Route("/{rest:path}", other)])


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    server = ThreadedServer(_app()).start()
    yield server.url
    server.stop()


async def _visits(url: str, domain: str) -> dict[str, object] | None:
    client = TrafficApiClient(TrafficSettings(api_url=url, api_key="k", api_timeout=0.5))
    async with client._client() as http:
        return await client.domain(http, domain, "2026-10")


@pytest.mark.parametrize("domain", ["nan.test", "negative.test", "bool.test", "string.test", "rows.test"])
async def test_a_number_nobody_measured_is_no_number(api: str, domain: str) -> None:
    assert await _visits(api, domain) is None  # not estimated, rather than NaN, -5 or 1 visit a month


@pytest.mark.parametrize(
    ("domain", "why"),
    [
        ("broken.test", "not JSON"),
        ("deep.test", "not JSON"),
        ("huge.test", "larger than"),
        ("drip.test", "no complete answer"),
    ],
)
async def test_a_broken_huge_or_dripping_answer_is_a_traffic_api_error(api: str, domain: str, why: str) -> None:
    with pytest.raises(TrafficApiError, match=why):
        await _visits(api, domain)


async def test_country_shares_keep_only_codes_and_shares_that_can_be(api: str) -> None:
    answer = await _visits(api, "fine.test")
    assert answer is not None and answer["visits"] == 1000.0
    assert answer["countries"] == [("JP", 0.7), ("DE", 0.05)]


async def test_one_sites_broken_answer_costs_only_that_site(api: str) -> None:
    from crawlers.traffic.api import TrafficApiEstimator
    from crawlers.traffic.base import SiteInput

    estimator = TrafficApiEstimator(TrafficSettings(api_url=api, api_key="k", api_timeout=0.5))
    got = await estimator.estimate([SiteInput(1, ["fine.test"]), SiteInput(2, ["broken.test"])], "2026-10")
    assert set(got) == {1} and got[1].central == 1000.0
    assert set(estimator.failures) == {2} and "not JSON" in estimator.failures[2]
    with pytest.raises(TrafficApiError):  # every site failed: the source is down, said as such
        await estimator.estimate([SiteInput(2, ["broken.test"])], "2026-10")
