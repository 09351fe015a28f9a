"""Hops a home page announces without an HTTP redirect: JavaScript redirects and "we moved" notices."""

from __future__ import annotations

import time

import lxml.html
import pytest

from crawlers.extract import site_of
from crawlers.hops import js_redirect, moved_notice, soft_hop

HOME = "https://old.test/"


def root(body: str, head: str = "") -> object:
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


@pytest.mark.parametrize(
    "script",
    [
        'window.location.replace("https://new.test/");',
        "location.href = 'https://new.test/';",
        'window.location = "https://new.test/";',
        "document.location.href='https://new.test/'",
        'setTimeout(function () { top.location.assign("https://new.test/"); }, 3000);',
    ],
)
def test_javascript_redirects(script: str) -> None:
    assert js_redirect(root("<p>Loading</p>", f"<script>{script}</script>"), HOME) == "https://new.test/"


def test_javascript_redirect_on_a_content_page_is_not_a_hop() -> None:
    links = "".join(f'<a href="/manga/{n}/">{n}</a>' for n in range(40))
    page = root(links, "<script>if (location.host != 'old.test') location.href = 'https://old.test/';</script>")
    assert js_redirect(page, "https://mirror.test/") is None
    assert js_redirect(root("<p>x</p>", "<script src='https://ads.test/pop.js'></script>"), HOME) is None


@pytest.mark.parametrize(
    ("body", "destination"),
    [
        ('<p>We have moved! Our new domain is <a href="https://new.test/">new.test</a></p>', "https://new.test/"),
        (
            '<div>사이트 주소가 변경되었습니다. 새 주소: <a href="https://new.test/">바로가기</a></div>',
            "https://new.test/",
        ),
        ('<p>Chúng tôi đã chuyển sang tên miền mới: <a href="https://new.test/">new.test</a></p>', "https://new.test/"),
        ('<p>新ドメインに移転しました → <a href="https://new.test/">こちら</a></p>', "https://new.test/"),
        ("<p>We have moved to new.test. Please update your bookmarks.</p>", "https://new.test/"),
        # the destination is only on social networks: no hop
        ('<p>New domain soon, follow our <a href="https://t.me/site">Telegram</a></p>', None),
        # a link to another site without moved words is a mirror link, not a hop
        ('<p>Partner: <a href="https://other.test/">other.test</a></p>', None),
        # our own domain named as "official": no hop
        ('<p>Official domain: <a href="https://www.old.test/">old.test</a></p>', None),
    ],
)
def test_moved_notices(body: str, destination: str | None) -> None:
    assert moved_notice(root(body), HOME, site_of) == destination


def test_soft_hop_prefers_javascript() -> None:
    page = root(
        '<p>We moved to <a href="https://notice.test/">notice.test</a></p>',
        '<script>location.href="https://js.test/"</script>',
    )
    hop = soft_hop(page, HOME, site_of)
    assert hop is not None and (hop.url, hop.via) == ("https://js.test/", "js")
    assert soft_hop(root("<p>hello</p>"), HOME, site_of) is None


def test_a_link_far_from_the_moved_words_is_not_the_destination() -> None:
    filler = "<p>" + "latest chapters of the week " * 40 + "</p>"
    page = root(f"<p>New domain coming soon!</p>{filler}<a href='https://ads.test/'>Play now</a>")
    assert moved_notice(page, HOME, site_of) is None


def test_a_hostile_notice_page_costs_linear_time() -> None:
    # thousands of moved words and of links that are no destination (messengers), in one block: each
    # link and each phrase is looked at once, not once per other
    links = "".join(f"new domain <a href='https://t.me/site{n}'>site {n}</a> " for n in range(8000))
    page = root(f"<div>{links}<p>We moved to <a href='https://new.test/'>new.test</a></p></div>")
    started = time.process_time()
    assert moved_notice(page, HOME, site_of) == "https://new.test/"
    assert time.process_time() - started < 10
