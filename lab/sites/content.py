"""The fixture pirate sites' content: manga sites in Japanese, English, Vietnamese and Korean, an anime
streaming site, domain hops of every kind and a mirror.

Each site has title pages with a view counter, sitemaps, analytics and ad tags and an icon, in the
layout of a real pirate theme (:mod:`lab.sites.layouts`). Two sites share an analytics ID and an
icon (a mirror); old domains hop to new ones by 301, 302, meta refresh, JavaScript and "we moved"
notices.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Title:
    slug: str
    name: str
    chapters: int
    views: int
    #: the site's numeric ID of the title (layouts that put one in URLs)
    id: int = 0
    #: another name the page gives (og:title)
    alt: str | None = None


@dataclass
class FixtureSite:
    """One fixture site: its theme, language, tags, titles and links."""

    host: str
    language: str
    site_title: str
    theme: str  # a layout of lab.sites.layouts: "madara", "generic-en", "generic-vi", "flatmanga", ...
    analytics: list[str]
    ad_tags: list[str]
    titles: list[Title]
    icon: bytes
    mirror_links: list[tuple[str, str]] = field(default_factory=list)  # (host, link text)
    #: donation links in every page's footer (a PayPal button's form, a Ko-fi link), as pirate sites ask for money
    payment_links: list[str] = field(default_factory=list)
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
        payment_links=["https://www.paypal.com/donate/?hosted_button_id=MANGAFREE1", "https://ko-fi.com/mangafree"],
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
    FixtureSite(
        host="rawmangajp.test",
        language="ja",
        site_title="RawMangaJP - 漫画Raw 無料",
        theme="flatmanga",
        analytics=["G-RAWJP00001"],
        ad_tags=["https://a.exosrv.com/ad-provider.js"],
        titles=[
            Title("one-piece", "ワンピース", 6, 1_230_000),
            Title("sousou-no-frieren", "葬送のフリーレン", 4, 456_000),
            Title("chainsaw-man", "チェンソーマン", 5, 789_000),
            Title("dungeon-meshi", "ダンジョン飯", 3, 120_000),
        ],
        icon=b"\x00\x00\x01\x00rawmangajp",
    ),
    FixtureSite(
        host="truyenqqvn.test",
        language="vi",
        site_title="TruyenQQ - Truyện tranh online",
        theme="truyenqq",
        analytics=["G-TRUYENQQ1"],
        ad_tags=["https://a.a-ads.com/987"],
        titles=[
            Title("dao-hai-tac", "Đảo Hải Tặc", 7, 2_345_678, id=128),
            Title("thanh-guom-diet-quy", "Thanh Gươm Diệt Quỷ", 4, 987_654, id=2311),
            Title("toi-thang-cap-mot-minh", "Tôi Thăng Cấp Một Mình", 5, 1_500_000, id=9810),
            Title("chu-thuat-hoi-chien", "Chú Thuật Hồi Chiến", 3, 45_678, id=4421),
        ],
        icon=b"\x00\x00\x01\x00truyenqq",
    ),
    FixtureSite(
        host="animeflix.test",
        language="en",
        site_title="AnimeFlix - Watch Anime Online Free",
        theme="anime",
        analytics=["G-ANIMEFLIX1"],
        ad_tags=["https://c1.popads.net/pop.js"],
        titles=[
            Title("one-piece", "One Piece", 6, 5_400_000),
            Title("frieren-beyond-journeys-end", "Frieren: Beyond Journey's End", 4, 1_250_000),
            Title("jujutsu-kaisen", "Jujutsu Kaisen", 5, 2_100_000),
            Title("spy-x-family", "Spy x Family", 3, 870_000),
        ],
        icon=b"\x00\x00\x01\x00animeflix",
    ),
    FixtureSite(
        host="manhwaraw.test",
        language="ko",
        site_title="ManhwaRaw - 웹툰 무료",
        theme="madara-wp",
        analytics=["G-MANHWARAW1"],
        ad_tags=["https://pl1234.profitablegatecpm.com/ab/cd.js"],
        titles=[
            Title("solo-leveling", "나 혼자만 레벨업", 5, 12_300, alt="Solo Leveling"),
            Title("omniscient-readers-viewpoint", "전지적 독자 시점", 4, 45_600, alt="Omniscient Reader's Viewpoint"),
            Title("return-of-the-mount-hua-sect", "화산귀환", 3, 7_800, alt="Return of the Mount Hua Sect"),
            Title("the-remarried-empress", "재혼 황후", 0, 1_200, alt="The Remarried Empress"),  # no chapter yet
        ],
        icon=b"\x00\x00\x01\x00manhwaraw",
    ),
    FixtureSite(
        host="komikstream.test",
        language="en",
        site_title="KomikStream - Read Manga Online",
        theme="themesia",
        analytics=["G-KOMIKSTRM1"],
        ad_tags=["https://a.exosrv.com/ad-provider.js"],
        titles=[
            Title("blue-lock", "Blue Lock", 4, 33_210),
            Title("kaiju-no-8", "Kaiju No. 8", 5, 54_321),
            Title("sakamoto-days", "Sakamoto Days", 3, 12_345),
        ],
        icon=b"\x00\x00\x01\x00komikstream",
    ),
]
#: old domains that hop to a new one, and how: an HTTP status, a meta refresh, a JavaScript redirect,
#: a "we moved" notice with a link ("notice") or with the new name as text ("notice-text")
HOPS = {
    "old-manga.test": ("new-manga.test", "301"),
    "old-anime.test": ("animeflix.test", "302"),
    "meta-hop.test": ("truyenqqvn.test", "meta"),
    "js-hop.test": ("rawmangajp.test", "js"),
    "moved-notice.test": ("manhwaraw.test", "notice"),
    "moved-text.test": ("komikstream.test", "notice-text"),
}
#: home pages whose announced hop must not be followed, or not far: a JavaScript redirect into a
#: private address, a JavaScript redirect loop, "the new domain is on our Telegram"
HOSTILE_HOPS = ("js-private.test", "js-loop.test", "notice-social.test")
HOSTILE = "hostile.test"
#: a generated site of 50,000 pages (ten links a page) for the crawl benchmark
BIG = "big.test"
BIG_PAGES = 50_000
#: every host the lab serves (the crawler's host overrides point them at the lab's address)
HOSTS = [*(s.host for s in SITES), *HOPS, *HOSTILE_HOPS, HOSTILE, BIG]
#: generated small sites ``gen-<n>.test`` (Madara layout) for the 1,000-site crawl benchmark
GENERATED = "gen-{n}.test"
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
