"""View counters as real pirate templates print them: numbers of every locale, units, markup, JSON-LD."""

from __future__ import annotations

import json
import time

import pytest

from crawlers.view_counters import counter_in_text, parse_count, view_counter_in_html


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("1,234,567", 1_234_567),
        ("1.234.567", 1_234_567),  # Vietnamese, German, Indonesian
        ("1 234 567", 1_234_567),  # French
        ("1\u202f234\u202f567", 1_234_567),  # narrow no-break spaces
        ("1'234'567", 1_234_567),  # Swiss
        ("12,34,567", 1_234_567),  # Indian lakh grouping
        ("45.678", 45_678),
        ("12,345", 12_345),
        ("１２，３４５", 12_345),  # full-width
        ("12.3K", 12_300),
        ("1,2K", 1_200),  # a decimal comma in an abbreviation
        ("2.5M", 2_500_000),
        ("1.5B", 1_500_000_000),
        ("3M+", 3_000_000),
        ("1,2 triệu", 1_200_000),
        ("1.2万", 12_000),
        ("12万3456", 123_456),
        ("1億2000万", 120_000_000),
        ("3.4억", 340_000_000),
        ("5만", 50_000),
        ("1,234.5", 1234),
        ("K", None),
        ("views", None),
        ("", None),
    ],
)
def test_parse_count(text: str, count: int | None) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("html", "views", "source"),
    [
        # WordPress Madara: the rank sentence, full numbers and K abbreviations
        ('<div class="summary-content"> 3rd, it has 15,000 monthly views </div>', 15_000, "madara"),
        ('<div class="summary-content"> N/A, it has 12.3K views </div>', 12_300, "madara"),
        # NetTruyen / TruyenQQ: an eye icon, the label, the number in the next element
        (
            '<li class="row"><p class="name col-xs-4"><i class="fa fa-eye"></i> Lượt xem</p>'
            '<p class="col-xs-8">1.234.567</p></li>',
            1_234_567,
            "label",
        ),
        ('<span><i class="fa fa-eye"></i> 98,765</span>', 98_765, "label"),  # an eye icon and a number only
        ('<span class="view-count">4.5K</span>', 4_500, "label"),  # a "views" class holding a number
        ("<dl><dt>閲覧数</dt><dd>12.3万</dd></dl>", 123_000, "label"),
        ("<p>閲覧数：1,234回</p>", 1_234, "text"),
        ("<p>조회수 1,234</p>", 1_234, "label"),
        ("<p>Views: 3,210</p><p>Chapters: 12</p>", 3_210, "label"),
        ("<p>12 345 vues</p>", 12_345, "label"),
        ("<p>2.5M lượt đọc</p>", 2_500_000, "label"),
        # the WordPress "Post Views Counter" plugin, after a bookmark count that is not views
        (
            '<div class="bmc">Followed by 4,321 people</div><div class="post-views"><span class="post-views-label">'
            'Post Views: </span><span class="post-views-count">1,234</span></div>',
            1_234,
            "label",
        ),
        ('<div data-views="4321" class="manga">x</div>', 4_321, "attribute"),
        ('<meta itemprop="interactionCount" content="UserPageVisits:7654">', 7_654, "attribute"),
        # "800 views" then a chapter list "1 2": not 2,800
        ("<h1>Chainsaw Man</h1><p>800 views</p><a>1</a> <a>2</a>", 800, "label"),
        ("<a>1</a> <a>2</a> <span>800 views</span>", 800, "label"),
        ("<p>Rank 5 · Chainsaw Man 800 views 1 2 3</p>", 800, "text"),
    ],
)
def test_counters_in_markup(html: str, views: int, source: str) -> None:
    counter = view_counter_in_html(f"<html><body>{html}</body></html>")
    assert counter is not None and (counter.views, counter.source) == (views, source)


def test_json_ld_watch_counter_not_likes() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "name": "One Piece"},
            {
                "@type": "TVSeries",
                "name": "One Piece",
                "interactionStatistic": [
                    {
                        "@type": "InteractionCounter",
                        "interactionType": "https://schema.org/LikeAction",
                        "userInteractionCount": 9,
                    },
                    {
                        "@type": "InteractionCounter",
                        "interactionType": {"@type": "WatchAction"},
                        "userInteractionCount": "5,400,000",
                    },
                ],
            },
        ],
    }
    html = (
        f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head><body>1 views</body></html>'
    )
    counter = view_counter_in_html(html)
    assert counter is not None and (counter.views, counter.source) == (5_400_000, "json-ld")


@pytest.mark.parametrize(
    "html",
    [
        "<p>Followed by 1,234 people</p>",
        "<p>Chapter 12 - 3 days ago</p>",
        "<p>Rating 4.5 / 1,234 votes</p>",
        "<p>1,234 lượt thích</p>",  # likes
        '<script type="application/ld+json">{"interactionStatistic": {"@type": "InteractionCounter",'
        ' "interactionType": "CommentAction", "userInteractionCount": 77}}</script>',
        '<script type="application/ld+json">{"broken": </script>',
        "<p>views: none yet</p>",
    ],
)
def test_no_counter(html: str) -> None:
    assert view_counter_in_html(f"<html><body>{html}</body></html>") is None


def test_running_text() -> None:
    assert counter_in_text("Rank 3rd\n1.2K views\nChapter 1") == 1_200
    assert counter_in_text("Lượt xem\n45.678") == 45_678
    assert counter_in_text("views 1 2 3") is None  # an English label needs a colon in running text


@pytest.mark.parametrize("unit", ["1", "1,", "1 ", "12 345 ", "1万", "111 ", "1.234 ", "views: ", '{"a":'], ids=repr)
def test_hostile_text_costs_linear_time(unit: str) -> None:
    # 2 MB of digits and separators: every pattern is bounded, so this takes well under a second a
    # megabyte; an unbounded "\d[\d.,]*" pattern took minutes here
    html = "<html><body><p>" + unit * (2 * 1024 * 1024 // len(unit)) + " views</p></body></html>"
    started = time.process_time()
    view_counter_in_html(html)
    assert time.process_time() - started < 5
