"""The profile spider against the fixture sites, hostile ones included (each crawl is a real child process)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawlers.crawl import crawl_site
from lab.sites import HOPS, SITES

_SITE = {s.host: s for s in SITES}


def crawl(sites_lab: Any, host: str, **overrides: Any) -> dict[str, Any]:
    config = sites_lab.config(**overrides)
    outcome = crawl_site(sites_lab.url(host), config, config.host_overrides)
    assert outcome.error is None, outcome.error
    return outcome.profile


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
    # the home page, the malformed page (parsed anyway), a page of digits and absurdly nested JSON-LD
    assert p["pages"] == 4
    assert list(p["view_counters"]) == [sites_lab.url("hostile.test", "/digits")]  # "12 views" after the digits
    # every page stopped at its own limit: the crawl ended by itself, not at its deadline
    assert "closespider_timeout" not in kinds.values() and elapsed < config.crawl_deadline_seconds


def test_the_guard_refuses_loopback_without_the_allow_list(sites_lab: Any) -> None:
    config = sites_lab.config(allow_networks=[])
    outcome = crawl_site(sites_lab.url("rawkuma.test"), config, config.host_overrides)
    p = outcome.profile
    assert p["ok"] is False and p["pages"] == 0
    assert [problem["kind"] for problem in p["problems"]] == ["blocked-address"]


@pytest.mark.parametrize(
    ("host", "counter_source"),
    [
        ("rawmangajp.test", "label"),  # FlatManga raws: /manga-x-raw.html, /read-x-raw-chapter-3.html; 閲覧数 12.3万
        ("truyenqqvn.test", "label"),  # TruyenQQ: /truyen-tranh/x-128, …-128-chap-3.html; eye icon, Lượt xem
        ("animeflix.test", "json-ld"),  # streaming: /category/x, /x-episode-3; JSON-LD WatchAction
        ("manhwaraw.test", "madara"),  # Madara, custom base, WordPress core sitemaps; "12.3K monthly views"
        ("komikstream.test", "label"),  # MangaReader: /manga/x/, /x-chapter-3/; Post Views Counter
    ],
)
def test_layouts_of_real_themes(sites_lab: Any, host: str, counter_source: str) -> None:
    """SiteCatalogue size, counters and titles come out right on URL shapes no path pattern of ours names."""
    site = _SITE[host]
    p = crawl(sites_lab, host)
    assert p["ok"] is True and p["language"] == site.language and p["problems"] == []
    assert (p["catalogue_titles"], p["catalogue_chapters"]) == (len(site.titles), sum(t.chapters for t in site.titles))
    # one counter per title page; episode pages' own counters and list pages do not count twice
    assert sorted(p["view_counters"].values()) == sorted(sites_lab.sites.views[f"{host}/{t.slug}"] for t in site.titles)
    assert counter_source in p["view_counter_sources"]
    assert {t.name for t in site.titles} <= {found["text"].split(" (")[0] for found in p["titles_found"]}


@pytest.mark.parametrize("old", sorted(HOPS))
def test_every_kind_of_hop_is_followed(sites_lab: Any, old: str) -> None:
    new, kind = HOPS[old]
    p = crawl(sites_lab, old)
    assert p["ok"] is True and p["final_url"] == sites_lab.url(new)
    expected = {"301": "http-301", "302": "http-302", "meta": "meta-refresh", "js": "js"}.get(kind, "notice")
    assert p["hops"] == [{"from": sites_lab.url(old), "to": sites_lab.url(new), "via": expected}]
    assert p["redirects"] == [sites_lab.url(old), sites_lab.url(new)]
    site = _SITE[new]
    assert p["title"] == site.site_title and p["catalogue_titles"] == len(site.titles)


def test_announced_hops_are_guarded_and_bounded(sites_lab: Any) -> None:
    private = crawl(sites_lab, "js-private.test")  # a JavaScript redirect to 169.254.169.254
    assert private["ok"] is True and private["final_url"] == sites_lab.url("js-private.test")
    assert [problem["kind"] for problem in private["problems"]] == ["blocked-address"] and private["hops"] == []
    loop = crawl(sites_lab, "js-loop.test")  # a JavaScript redirect to itself, forever
    assert loop["ok"] is True and len(loop["hops"]) == 4 and loop["final_url"] == sites_lab.url("js-loop.test", "/?n=4")
    social = crawl(sites_lab, "notice-social.test")  # "the new domain is on our Telegram"
    assert social["hops"] == [] and social["final_url"] == sites_lab.url("notice-social.test")
