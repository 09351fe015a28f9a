"""The profile spider against the fixture sites, hostile ones included (each crawl is a real child process)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from crawlers.crawl import crawl_site


def test_madara_site_profile(sites_lab: Any) -> None:
    outcome = crawl_site(sites_lab.url("rawkuma.test"), sites_lab.config(), sites_lab.config().host_overrides)
    p = outcome.profile
    assert outcome.error is None and p["ok"] is True
    assert p["title"] == "漫画RAW - 無料で漫画を読む" and p["language"] == "ja"
    # sitemap index from robots.txt → per-type sitemaps: 4 titles, 12 + 8 + 5 + 6 chapters
    assert (p["catalogue_titles"], p["catalogue_chapters"]) == (4, 31)
    counters = {url.rsplit("/manga/", 1)[1].strip("/"): n for url, n in p["view_counters"].items()}
    # "it has 15,000 monthly views" on each title page; other tests make the lab's counters grow
    slugs = ["one-piece", "shingeki-no-kyojin", "jujutsu-kaisen", "kimetsu-no-yaiba"]
    assert counters == {slug: sites_lab.sites.views[f"rawkuma.test/{slug}"] for slug in slugs}
    assert min(counters.values()) >= 7000
    assert p["analytics_ids"] == ["G-RAWKUMA01", "GTM-RAWK01"]
    assert p["ad_networks"] == ["adsterra", "exoclick"]
    assert p["mirror_links"] == ["rawkuma-mirror.test"]
    assert len(p["favicon_sha256"]) == 64
    assert {t["text"] for t in p["titles_found"]} >= {"ワンピース", "進撃の巨人", "呪術廻戦", "鬼滅の刃"}
    assert p["problems"] == []


def test_vietnamese_site_without_robots_uses_the_usual_sitemap(sites_lab: Any) -> None:
    p = crawl_site(sites_lab.url("truyenvn.test"), sites_lab.config(), sites_lab.config().host_overrides).profile
    assert p["language"] == "vi" and p["title"] == "TruyệnVN - Đọc truyện tranh online"
    assert (p["catalogue_titles"], p["catalogue_chapters"]) == (2, 12)
    assert sorted(p["view_counters"].values()) == [45678, 123456]  # "Lượt xem: 45.678"


def test_english_site_with_a_gzipped_sitemap(sites_lab: Any) -> None:
    p = crawl_site(sites_lab.url("mangafree.test"), sites_lab.config(), sites_lab.config().host_overrides).profile
    assert p["language"] == "en" and p["analytics_ids"] == ["UA-1234567-1"]
    assert p["ad_networks"] == ["google-adsense", "popads"]
    assert (p["catalogue_titles"], p["catalogue_chapters"]) == (3, 13)  # from /sitemap.xml.gz
    views = sites_lab.sites.views
    assert sorted(p["view_counters"].values()) == sorted(
        views[f"mangafree.test/{slug}"] for slug in ("attack-on-titan", "one-piece", "spy-x-family")
    )


def test_hop_is_followed_and_recorded(sites_lab: Any) -> None:
    p = crawl_site(sites_lab.url("old-manga.test"), sites_lab.config(), sites_lab.config().host_overrides).profile
    assert p["final_url"] == sites_lab.url("new-manga.test")
    assert p["redirects"][0] == sites_lab.url("old-manga.test")
    assert p["title"] == "NewManga - we moved!" and list(p["view_counters"].values()) == [800]


def test_hostile_pages_are_each_stopped_at_their_limit(sites_lab: Any) -> None:
    config = sites_lab.config(max_bytes=128 * 1024)
    started = time.monotonic()
    outcome = crawl_site(sites_lab.url("hostile.test"), config, config.host_overrides)
    elapsed = time.monotonic() - started
    p = outcome.profile
    assert outcome.error is None and p["ok"] is True
    kinds = {urlsplit(problem["url"]).path.lstrip("/"): problem["kind"] for problem in p["problems"]}
    assert kinds["gzip-bomb"] == "too-large"  # 20 MB of zeros behind 20 kB of gzip
    assert kinds["huge"] == "too-large"  # an endless "1 GB" body
    assert kinds["slow"] == "timeout"  # one byte a second
    assert kinds["latest/meta-data/"] == "blocked-address"  # a redirect to 169.254.169.254
    assert any(k.startswith("redirect-loop/") and v == "redirect-limit" for k, v in kinds.items())
    assert p["bytes_read"] < 1024 * 1024
    assert p["pages"] == 2  # the home page and the malformed page, parsed anyway
    assert elapsed < 20


def test_the_guard_refuses_loopback_without_the_allow_list(sites_lab: Any) -> None:
    config = sites_lab.config(allow_networks=[])
    outcome = crawl_site(sites_lab.url("rawkuma.test"), config, config.host_overrides)
    p = outcome.profile
    assert p["ok"] is False and p["pages"] == 0
    assert [problem["kind"] for problem in p["problems"]] == ["blocked-address"]
