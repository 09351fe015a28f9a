"""Traffic estimators: the rank-list power law, on-site counters, the traffic API, and the combination."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawlers.config import TrafficSettings
from crawlers.traffic import (
    CounterEstimator,
    CounterReading,
    RankListEstimator,
    SiteInput,
    SourceEstimate,
    TrafficApiError,
    TrafficApiEstimator,
    combine,
    load_ranks,
    page_views_between,
    top_countries,
)
from lab.traffic_api import DomainTraffic, TrafficApiServer


def write_tranco(path: Path, rows: dict[str, int]) -> Path:
    path.write_text("".join(f"{rank},{domain}\n" for domain, rank in sorted(rows.items(), key=lambda r: r[1])))
    return path


async def test_power_law_fitted_on_anchors_recovers_the_constant(tmp_path: Path) -> None:
    # Anchors that follow visits = 1e9 / rank exactly: C = 1e9, no residual.
    ranks = {"anchor-a.com": 10, "anchor-b.com": 1000, "pirate.example": 200, "filler.com": 5}
    settings = TrafficSettings(
        rank_list_path=write_tranco(tmp_path / "tranco.csv", ranks),
        anchors={"anchor-a.com": 1e8, "anchor-b.com": 1e6},
    )
    site = SiteInput(site_id=7, domains=["www.pirate.example", "pirate.example"])
    result = await RankListEstimator(settings).estimate([site, SiteInput(8, ["absent.com"])], "2026-10")
    assert set(result) == {7}  # a site not on the list is not estimated
    estimate = result[7]
    assert estimate.source == "rank:tranco"
    assert estimate.central == pytest.approx(1e9 / 200, rel=1e-9)
    assert estimate.details["log10_c"] == pytest.approx(9.0)
    assert estimate.details["fitted"] is True and estimate.details["anchors_used"] == 2
    # Residuals are zero, so the band is the floor of the fit's error (σ = 0.05 decades).
    assert estimate.low < estimate.central < estimate.high
    assert math.log10(estimate.high / estimate.central) == pytest.approx(0.05)


async def test_error_band_comes_from_the_residuals_and_alpha_can_be_fitted(tmp_path: Path) -> None:
    ranks = {"a.com": 10, "b.com": 100, "c.com": 1000, "d.com": 10000, "site.com": 300}
    # visits = 1e10 / rank^1.2, with ±0.1 decade noise on two anchors
    anchors = {d: 1e10 / ranks[d] ** 1.2 for d in ["a.com", "b.com", "c.com", "d.com"]}
    anchors["b.com"] *= 10**0.1
    anchors["c.com"] /= 10**0.1
    path = write_tranco(tmp_path / "tranco.csv", ranks)
    fixed = (
        await RankListEstimator(TrafficSettings(rank_list_path=path, anchors=anchors)).estimate(
            [SiteInput(1, ["site.com"])], "2026-10"
        )
    )[1]
    fitted = (
        await RankListEstimator(TrafficSettings(rank_list_path=path, anchors=anchors, fit_alpha=True)).estimate(
            [SiteInput(1, ["site.com"])], "2026-10"
        )
    )[1]
    assert fitted.details["alpha"] == pytest.approx(1.2, abs=0.1)
    assert fixed.details["alpha"] == 1.0
    # α fixed at 1 fits these anchors worse: a wider band than the fitted α's.
    assert fixed.details["log10_sigma"] > fitted.details["log10_sigma"] > 0.05
    assert fitted.central == pytest.approx(1e10 / 300**1.2, rel=0.3)


async def test_unfitted_without_anchors_says_so(tmp_path: Path) -> None:
    path = write_tranco(tmp_path / "tranco.csv", {"site.com": 1000})
    estimate = (
        await RankListEstimator(TrafficSettings(rank_list_path=path)).estimate([SiteInput(1, ["site.com"])], "2026-10")
    )[1]
    assert estimate.details["fitted"] is False
    assert estimate.central == pytest.approx(10**10.5 / 1000)
    assert math.log10(estimate.high / estimate.central) == pytest.approx(0.6)


def log_mean_rank(lower: float, upper: float) -> float:
    """exp(mean of ln r) over ranks 1 apart from lower to upper, by brute force (the band's geometric mean)."""
    ranks = range(int(lower), int(upper) + 1)
    return math.exp(sum(math.log(r) for r in ranks) / len(ranks))


async def test_crux_rank_band_uses_the_geometric_mean_of_its_ranks(tmp_path: Path) -> None:
    path = tmp_path / "crux.csv"
    path.write_text(
        "origin,rank\nhttps://www.anchor.com,1000\nhttps://manga.example,10000\nhttp://other.example,50000\n"
    )
    kind, ranks = load_ranks(path, ["manga.example", "anchor.com"])
    assert kind == "crux" and set(ranks) == {"manga.example", "anchor.com"}
    assert ranks["manga.example"].rank == pytest.approx(log_mean_rank(5000, 10000), rel=1e-3)
    # close to the bounds' geometric mean for a band not at the top ...
    assert ranks["manga.example"].rank == pytest.approx(math.sqrt(5000 * 10000), rel=0.05)
    # ... but the top band (1 - 1,000) holds ranks whose geometric mean is ~370, not sqrt(1 x 1000) = 32
    assert ranks["anchor.com"].rank == pytest.approx(log_mean_rank(1, 1000), rel=1e-2)
    assert 360 < ranks["anchor.com"].rank < 380
    anchor_rank = ranks["anchor.com"].rank
    settings = TrafficSettings(rank_list_path=path, anchors={"anchor.com": 1e9 / anchor_rank})
    estimate = (await RankListEstimator(settings).estimate([SiteInput(3, ["manga.example"])], "2026-10"))[3]
    assert estimate.source == "rank:crux"
    assert estimate.central == pytest.approx(1e9 / ranks["manga.example"].rank)
    # the band covers the whole rank band: rank 5,000 at best, 10,000 at worst
    assert estimate.high >= 1e9 / 5000 and estimate.low <= 1e9 / 10000


def test_counter_growth_is_page_views() -> None:
    before = CounterReading(0, {"/t/1": 100, "/t/2": 50, "/t/gone": 7})
    after = CounterReading(3600, {"/t/1": 160, "/t/2": 40, "/t/new": 999})
    # /t/2 went down (reset): ignored; /t/new and /t/gone are not in both readings
    assert page_views_between(before, after) == 60


async def test_counter_estimator_extrapolates_to_a_month() -> None:
    settings = TrafficSettings(counter_min_interval_seconds=60)
    day = 24 * 3600.0
    start = dt.datetime(2026, 10, 10, tzinfo=dt.UTC).timestamp()
    readings = [CounterReading(start, {"/a": 1000}), CounterReading(start + day, {"/a": 5000})]
    sites = [SiteInput(1, ["x.com"], readings), SiteInput(2, ["y.com"], readings[:1])]
    result = await CounterEstimator(settings).estimate(sites, "2026-10")
    assert set(result) == {1}  # one reading only: nothing to compare
    monthly_views = 4000 * 30.44
    assert result[1].central == pytest.approx(monthly_views / 4)
    assert (result[1].low, result[1].high) == pytest.approx((monthly_views / 8, monthly_views / 2))
    # counters read in October say nothing about another month
    assert await CounterEstimator(settings).estimate(sites, "2026-09") == {}
    too_soon = TrafficSettings(counter_min_interval_seconds=2 * day)
    assert await CounterEstimator(too_soon).estimate(sites, "2026-10") == {}


@pytest.fixture
def traffic_api() -> Iterator[tuple[TrafficApiServer, str]]:
    server = TrafficApiServer(
        {
            "rawkuma.example": DomainTraffic(
                2_000_000, 6.5, 540, {"JP": 0.6, "US": 0.1, "VN": 0.08, "KR": 0.05, "TW": 0.04, "BR": 0.03}
            ),
            "mirror.example": DomainTraffic(500_000, 4.0, 300, {"JP": 1.0}),
        }
    )
    with server.serve() as http:
        yield server, http.url


async def test_traffic_api_client_against_a_local_server(traffic_api: tuple[TrafficApiServer, str]) -> None:
    server, url = traffic_api
    settings = TrafficSettings(api_url=url, api_key="lab-key")
    sites = [SiteInput(1, ["rawkuma.example", "mirror.example"]), SiteInput(2, ["unknown.example"])]
    result = await TrafficApiEstimator(settings).estimate(sites, "2026-10")
    assert set(result) == {1}
    estimate = result[1]
    assert estimate.source == "traffic-api"
    # the site's two domains summed, their engagement and audience weighted by their visits
    assert estimate.central == 2_500_000
    assert estimate.details["domains"] == {"rawkuma.example": 2_000_000, "mirror.example": 500_000}
    assert (estimate.low, estimate.high) == (1_875_000, 3_125_000)
    assert estimate.pages_per_visit == pytest.approx((2e6 * 6.5 + 5e5 * 4.0) / 2.5e6)
    assert estimate.minutes_per_visit == pytest.approx((2e6 * 9.0 + 5e5 * 5.0) / 2.5e6)
    assert dict(estimate.countries)["JP"] == pytest.approx((2e6 * 0.6 + 5e5 * 1.0) / 2.5e6)
    assert server.requests > 0

    wrong_key = TrafficSettings(api_url=url, api_key="wrong")
    with pytest.raises(TrafficApiError, match="403"):
        await TrafficApiEstimator(wrong_key).estimate(sites, "2026-10")
    with pytest.raises(ValueError, match="key"):
        TrafficApiEstimator(TrafficSettings(api_url=url))


def test_top_five_countries_plus_other() -> None:
    shares = [("jp", 0.6), ("us", 0.1), ("vn", 0.08), ("kr", 0.05), ("tw", 0.04), ("br", 0.03)]
    top = top_countries(shares)
    assert [c for c, _ in top] == ["JP", "US", "VN", "KR", "TW", "other"]
    assert dict(top)["other"] == pytest.approx(0.13)


def test_combination_weights_by_precision_and_widens_on_disagreement() -> None:
    api = SourceEstimate("traffic-api", 750_000, 1_000_000, 1_250_000, 5.0, 8.0, [("JP", 0.9), ("US", 0.1)])
    rank = SourceEstimate("rank:tranco", 100_000, 1_000_000, 10_000_000)
    agreed = combine([rank, api])
    assert agreed.sources == ["traffic-api", "rank:tranco"]  # most trusted first
    assert agreed.central == pytest.approx(1_000_000)
    assert agreed.pages_per_visit == 5.0 and agreed.minutes_per_visit == 8.0
    assert [c for c, _ in agreed.countries] == ["JP", "US", "other"]
    # the precise API dominates: the band is no wider than the API's own
    assert math.log10(agreed.high / agreed.low) <= math.log10(1_250_000 / 750_000) + 1e-9

    far = SourceEstimate("counters", 9e6, 1e7, 1.1e7)
    disagreeing = combine([api, far])
    assert 1e6 < disagreeing.central < 1e7
    # two precise sources a decade apart: the band spans the disagreement instead of shrinking
    assert math.log10(disagreeing.high / disagreeing.low) > 0.5  # each source alone: < 0.23
    with pytest.raises(ValueError, match="nothing"):
        combine([])
