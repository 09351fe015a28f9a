"""What the traffic estimators ask for and add up: finished months only from the API (whose lab
stand-in refuses an unfinished month, as the real one does), a site's domains summed in the month
(a site that hops mid-month is not undercounted), and the rank list of the month asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crawlers.config import TrafficSettings
from crawlers.traffic import RankListEstimator, SiteInput, TrafficApiEstimator
from crawlers.traffic.api import finished_month
from crawlers.traffic.ranklist import distinct_domains, list_for_month
from lab.traffic_api import DomainTraffic, TrafficApiServer

MID_DECEMBER = dt.datetime(2026, 12, 14, 9, 0, tzinfo=dt.UTC)


def test_finished_month_is_the_month_itself_once_it_has_ended() -> None:
    assert finished_month("2026-10", MID_DECEMBER) == "2026-10"
    assert finished_month("2026-11", MID_DECEMBER) == "2026-11"
    assert finished_month("2026-12", MID_DECEMBER) == "2026-11"  # still running
    assert finished_month("2027-03", MID_DECEMBER) == "2026-11"
    january = dt.datetime(2027, 1, 1, 0, 0, 1, tzinfo=dt.UTC)
    assert finished_month("2027-01", january) == "2026-12"  # across the year
    assert finished_month("2026-12", dt.datetime(2027, 1, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))) == (
        "2026-11"  # 08:00 in Tokyo on 1 January is still December in UTC
    )


@pytest.fixture
def hopping_site() -> Iterator[tuple[TrafficApiServer, str]]:
    """A site that hopped from old.example to new.example in the middle of November 2026."""
    server = TrafficApiServer(
        {
            "old.example": DomainTraffic(0, 5.0, 600, {"JP": 0.9}, monthly={"2026-10": 3e6, "2026-11": 1.4e6}),
            "new.example": DomainTraffic(0, 7.0, 300, {"JP": 0.6, "US": 0.2}, monthly={"2026-11": 1.8e6}),
        },
        clock=lambda: MID_DECEMBER,
    )
    with server.serve() as http:
        yield server, http.url


async def test_the_api_is_asked_for_finished_months_and_a_hop_is_summed(
    hopping_site: tuple[TrafficApiServer, str],
) -> None:
    server, url = hopping_site
    settings = TrafficSettings(api_url=url, api_key="lab-key", api_relative_band=0.2)
    estimator = TrafficApiEstimator(settings, clock=lambda: MID_DECEMBER)
    site = SiteInput(7, ["old.example", "www.new.example", "new.example"])
    november = (await estimator.estimate([site], "2026-11"))[7]
    # both halves of the month: 1.4 M on the old domain, 1.8 M on the new one
    assert november.central == pytest.approx(3.2e6)
    assert (november.low, november.high) == pytest.approx((3.2e6 * 0.8, 3.2e6 * 1.2))
    assert november.details["domains"] == {"old.example": 1.4e6, "new.example": 1.8e6}
    assert dict(november.countries)["JP"] == pytest.approx((1.4e6 * 0.9 + 1.8e6 * 0.6) / 3.2e6)
    assert dict(november.countries)["US"] == pytest.approx(1.8e6 * 0.2 / 3.2e6)
    assert november.minutes_per_visit == pytest.approx((1.4e6 * 10 + 1.8e6 * 5) / 3.2e6)
    # December is running: the API is asked for November, and the estimate says so
    server.months_asked.clear()
    december = (await estimator.estimate([site], "2026-12"))[7]
    assert set(server.months_asked) == {"2026-11"}
    assert december.details["data_month"] == "2026-11" and december.details["month"] == "2026-12"
    assert december.central == pytest.approx(3.2e6)


async def test_the_lab_api_refuses_an_unfinished_month_as_the_real_one_does(
    hopping_site: tuple[TrafficApiServer, str],
) -> None:
    _, url = hopping_site
    base = f"{url}/v1/website/old.example/total-traffic-and-engagement/visits"
    async with httpx.AsyncClient() as client:

        async def ask(month: str, **extra: str) -> httpx.Response:
            params = {"api_key": "lab-key", "start_date": month, "end_date": month, "granularity": "monthly"}
            return await client.get(base, params={**params, **extra})

        assert (await ask("2026-11")).status_code == 200
        refused = await ask("2026-12")
        assert refused.status_code == 400 and "not available" in refused.json()["meta"]["error_message"]
        assert (await ask("2026-12", mtd="true")).status_code == 200  # month to date, asked as such
        assert (await ask("2023-10")).status_code == 400  # beyond the 37 months of history
        assert (await ask("2026-13")).status_code == 400


def test_a_sites_domains_are_counted_once() -> None:
    assert distinct_domains(["www.raw.example", "raw.example", "cdn.raw.example", "raw2.example"]) == [
        "raw.example",
        "raw2.example",
    ]


def write_tranco(path: Path, rows: dict[str, int]) -> Path:
    path.write_text("".join(f"{rank},{domain}\n" for domain, rank in sorted(rows.items(), key=lambda r: r[1])))
    return path


async def test_the_rank_list_of_the_month_asked_for(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    write_tranco(lists / "tranco-2026-09.csv", {"anchor.com": 10, "raw.example": 1000})
    write_tranco(lists / "tranco-202610.csv", {"anchor.com": 10, "raw.example": 100})
    write_tranco(lists / "tranco-2026-12.csv", {"anchor.com": 10, "raw.example": 10_000})
    (lists / "README").write_text("not a list")
    assert list_for_month(lists, "2026-10") == (lists / "tranco-202610.csv", "2026-10")
    assert list_for_month(lists, "2026-11") == (lists / "tranco-202610.csv", "2026-10")  # the newest before
    assert list_for_month(lists, "2026-08") is None  # only later lists
    single = write_tranco(tmp_path / "tranco.csv", {"anchor.com": 10})
    assert list_for_month(single, "2020-01") == (single, None)

    settings = TrafficSettings(rank_list_path=lists, anchors={"anchor.com": 1e8})
    estimator = RankListEstimator(settings)
    site = [SiteInput(1, ["raw.example"])]
    by_month = {m: (await estimator.estimate(site, m))[1] for m in ("2026-09", "2026-10", "2026-12")}
    # alpha 1, C from the anchor (rank 10, 1e8 visits): visits = 1e9 / rank, from each month's own list
    assert by_month["2026-09"].central == pytest.approx(1e6)
    assert by_month["2026-10"].central == pytest.approx(1e7)
    assert by_month["2026-12"].central == pytest.approx(1e5)
    assert by_month["2026-10"].details["list"] == "tranco-202610.csv"
    assert by_month["2026-10"].details["list_month"] == "2026-10"
    assert await estimator.estimate(site, "2026-08") == {}


async def test_a_site_on_the_rank_list_twice_counts_both_domains(tmp_path: Path) -> None:
    path = write_tranco(tmp_path / "tranco.csv", {"anchor.com": 10, "old.example": 200, "new.example": 500})
    estimator = RankListEstimator(TrafficSettings(rank_list_path=path, anchors={"anchor.com": 1e8}))
    estimate = (await estimator.estimate([SiteInput(1, ["old.example", "new.example"])], "2026-11"))[1]
    assert estimate.central == pytest.approx(1e9 / 200 + 1e9 / 500)
    assert estimate.details["domains"] == {"new.example": 500.0, "old.example": 200.0}
    assert estimate.details["domain"] == "old.example"  # the best rank
