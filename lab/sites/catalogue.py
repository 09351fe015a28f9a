"""The fixture pirate sites' content: Japanese, English and Vietnamese manga sites, a hop and a mirror.

Each site has title pages with a view counter, sitemaps, analytics and ad tags and an icon. Two
sites share an analytics ID and an icon (a mirror); one old domain redirects to a new one (a hop).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Title:
    slug: str
    name: str
    chapters: int
    views: int


@dataclass
class FixtureSite:
    """One fixture site: its theme, language, tags, titles and links."""

    host: str
    language: str
    site_title: str
    theme: str  # "madara" (WordPress manga theme), "generic-en", "generic-vi"
    analytics: list[str]
    ad_tags: list[str]
    titles: list[Title]
    icon: bytes
    mirror_links: list[tuple[str, str]] = field(default_factory=list)  # (host, link text)
    title_path: str = "manga"
    chapter_word: str = "chapter"
    gzip_sitemap: bool = False


_ICON_RAW = b"\x00\x00\x01\x00rawkuma-icon"
SITES = [
    FixtureSite(
        host="rawkuma.test",
        language="ja",
        site_title="漫画RAW - 無料で漫画を読む",
        theme="madara",
        analytics=["G-RAWKUMA01", "GTM-RAWK01"],
        ad_tags=["https://pl1234.profitablegatecpm.com/ab/cd.js", "https://a.exosrv.com/ad-provider.js"],
        titles=[
            Title("one-piece", "ワンピース", 12, 15000),
            Title("shingeki-no-kyojin", "進撃の巨人", 8, 9000),
            Title("jujutsu-kaisen", "呪術廻戦", 5, 7000),
            Title("kimetsu-no-yaiba", "鬼滅の刃", 6, 8000),
        ],
        icon=_ICON_RAW,
        mirror_links=[("rawkuma-mirror.test", "ミラーサイト")],
    ),
    FixtureSite(
        host="rawkuma-mirror.test",
        language="ja",
        site_title="漫画RAW ミラー",
        theme="madara",
        analytics=["G-RAWKUMA01"],
        ad_tags=["https://pl1234.profitablegatecpm.com/ab/cd.js"],
        titles=[Title("one-piece", "ワンピース", 12, 300)],
        icon=_ICON_RAW,
    ),
    FixtureSite(
        host="mangafree.test",
        language="en",
        site_title="MangaFree - Read Manga Online Free",
        theme="generic-en",
        analytics=["UA-1234567-1"],
        ad_tags=["https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js", "https://c1.popads.net/pop.js"],
        titles=[
            Title("attack-on-titan", "Attack on Titan", 4, 2500),
            Title("one-piece", "One Piece", 6, 4100),
            Title("spy-x-family", "Spy x Family", 3, 1200),
        ],
        icon=b"\x00\x00\x01\x00mangafree",
        title_path="title",
        gzip_sitemap=True,
    ),
    FixtureSite(
        host="truyenvn.test",
        language="vi",
        site_title="TruyệnVN - Đọc truyện tranh online",
        theme="generic-vi",
        analytics=["G-TRUYENVN9"],
        ad_tags=["https://a.a-ads.com/123"],
        titles=[
            Title("tham-tu-lung-danh-conan", "Thám Tử Lừng Danh Conan", 5, 45678),
            Title("dao-hai-tac", "Đảo Hải Tặc", 7, 123456),
        ],
        icon=b"\x00\x00\x01\x00truyenvn",
        title_path="truyen-tranh",
        chapter_word="chuong",
    ),
    FixtureSite(
        host="new-manga.test",
        language="en",
        site_title="NewManga - we moved!",
        theme="generic-en",
        analytics=["G-NEWMANGA1"],
        ad_tags=[],
        titles=[Title("chainsaw-man", "Chainsaw Man", 3, 800)],
        icon=b"\x00\x00\x01\x00newmanga",
        title_path="manga",
    ),
]
#: old domains that answer 301 to a new one (a domain hop)
HOPS = {"old-manga.test": "new-manga.test"}
HOSTILE = "hostile.test"
#: a generated site of 50,000 pages (ten links a page) for the crawl benchmark
BIG = "big.test"
BIG_PAGES = 50_000
#: every host the lab serves (the crawler's host overrides point them at the lab's address)
HOSTS = [*(s.host for s in SITES), *HOPS, HOSTILE, BIG]
#: a small Tranco-format rank list, and anchor sites with known monthly visits on it
RANK_LIST = """1,google.com
50,anchor-big.test
900,rawkuma.test
1500,anchor-mid.test
4000,truyenvn.test
20000,mangafree.test
60000,anchor-small.test
"""
RANK_ANCHORS = {"anchor-big.test": 2.0e8, "anchor-mid.test": 6.5e6, "anchor-small.test": 1.7e5}
