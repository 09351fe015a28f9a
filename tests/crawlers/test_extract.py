"""What pages tell: counters in several languages and themes, IDs, ad tags, catalogue URLs, mirrors."""

from __future__ import annotations

import pytest

from crawlers.extract import (
    ad_networks,
    analytics_ids,
    classify_catalogue_url,
    likely_mirrors,
    parse_count,
    view_counter,
)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Rank 3rd, it has 1.2K monthly views", 1200),  # Madara
        ("Rank N/A, it has 15,000 views", 15000),
        ("Chainsaw Man 800 views 1 2 3", 800),  # not the "views 1" of a chapter list after it
        ("Lượt xem: 45.678", 45678),  # Vietnamese thousands separator
        ("閲覧数：12,345", 12345),
        ("2.5M lượt đọc", 2_500_000),
        ("Views: 3,210 Chapters: 12", 3210),
        ("no counter here, chapter 12", None),
    ],
)
def test_view_counters(text: str, count: int | None) -> None:
    assert view_counter(text) == count


def test_parse_count() -> None:
    assert parse_count("12,345") == 12345
    assert parse_count("1,2K") == 1200
    assert parse_count("3M") == 3_000_000
    assert parse_count("K") is None


def test_analytics_and_ad_tags() -> None:
    html = (
        "<script src='https://www.googletagmanager.com/gtag/js?id=G-ABC123XYZ'></script>"
        "<script>ga('create', 'UA-1234567-1'); gtm('GTM-K9X2AB')</script>"
        "<script src='https://c1.popads.net/pop.js'></script><script src='//a.exosrv.com/ad.js'></script>"
    )
    assert analytics_ids(html) == ["G-ABC123XYZ", "UA-1234567-1", "GTM-K9X2AB"]
    assert ad_networks(html) == ["exoclick", "popads"]
    assert analytics_ids("GOOGLE-ANALYTICS") == [] and ad_networks("<p>clean</p>") == []


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://raw.test/manga/one-piece/", "title"),
        ("https://raw.test/manga/one-piece/chapter-1100/", "chapter"),
        ("https://vn.test/truyen-tranh/dao-hai-tac/chuong-3/", "chapter"),
        ("https://vn.test/truyen-tranh/dao-hai-tac", "title"),
        ("https://raw.test/series/spy-family/ep-12", "chapter"),
        ("https://raw.test/about-us/", None),
        ("https://raw.test/", None),
    ],
)
def test_catalogue_urls(url: str, kind: str | None) -> None:
    assert classify_catalogue_url(url) == kind


def test_likely_mirrors() -> None:
    links = [
        ("https://rawkuma2.test/", "RawKuma 2"),  # our name inside theirs
        ("https://elsewhere.test/", "ミラーサイト"),  # a mirror word
        ("https://twitter.com/share", "Tweet"),  # an ordinary outbound link
        ("https://www.rawkuma.test/manga/x/", "internal"),
    ]
    assert likely_mirrors("rawkuma.test", links) == ["rawkuma2.test", "elsewhere.test"]
