"""What pages tell: IDs, ad tags, the work's names, mirrors (counters: test_view_counters.py)."""

from __future__ import annotations

import json

import lxml.html

from crawlers.extract import ad_networks, analytics_ids, likely_mirrors, page_names


def test_analytics_and_ad_tags() -> None:
    html = (
        "<script src='https://www.googletagmanager.com/gtag/js?id=G-ABC123XYZ'></script>"
        "<script>ga('create', 'UA-1234567-1'); gtm('GTM-K9X2AB')</script>"
        "<script src='https://c1.popads.net/pop.js'></script><script src='//a.exosrv.com/ad.js'></script>"
    )
    assert analytics_ids(html) == ["G-ABC123XYZ", "UA-1234567-1", "GTM-K9X2AB"]
    assert ad_networks(html) == ["exoclick", "popads"]
    assert analytics_ids("GOOGLE-ANALYTICS") == [] and ad_networks("<p>clean</p>") == []


def test_page_names() -> None:
    data = {
        "@graph": [
            {"@type": "WebPage", "name": "Solo Leveling - ManhwaRaw"},
            {"@type": "Book", "name": "나 혼자만 레벨업", "alternateName": ["Solo Leveling", "Only I Level Up"]},
        ]
    }
    html = (
        '<html><head><title>나 혼자만 레벨업 Raw - ManhwaRaw</title><meta property="og:title" content="Solo Leveling Raw">'
        f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
        "<body><h1>  나 혼자만   레벨업 </h1></body></html>"
    )
    assert page_names(lxml.html.fromstring(html)) == [
        "나 혼자만 레벨업",
        "Solo Leveling Raw",
        "Solo Leveling - ManhwaRaw",
        "Solo Leveling",
        "Only I Level Up",
        "나 혼자만 레벨업 Raw - ManhwaRaw",
    ]
    broken = '<html><head><script type="application/ld+json">{"name": </script></head><body></body></html>'
    assert page_names(lxml.html.fromstring(broken)) == []


def test_likely_mirrors() -> None:
    links = [
        ("https://rawkuma2.test/", "RawKuma 2"),  # our name inside theirs
        ("https://elsewhere.test/", "ミラーサイト"),  # a mirror word
        ("https://twitter.com/share", "Tweet"),  # an ordinary outbound link
        ("https://www.rawkuma.test/manga/x/", "internal"),
    ]
    assert likely_mirrors("rawkuma.test", links) == ["rawkuma2.test", "elsewhere.test"]
