"""What a page tells about its site: analytics IDs, ad networks, view counters, catalogue URLs, mirrors.

Plain functions over text and URLs (no Scrapy), so the spider stays thin and each rule is tested
on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from resolver import registrable_domain
from resolver.errors import InvalidDomainError

_ANALYTICS = re.compile(r"\b(UA-\d{4,10}-\d{1,4}|G-[A-Z0-9]{6,12}|GTM-[A-Z0-9]{4,9}|AW-\d{6,12})\b")
#: ad networks common on pirate sites, by a host or marker their tags carry
AD_NETWORKS = {
    "googlesyndication.com": "google-adsense",
    "doubleclick.net": "google-doubleclick",
    "popads.net": "popads",
    "propellerads": "propellerads",
    "propu.sh": "propellerads",
    "adsterra": "adsterra",
    "highperformanceformat.com": "adsterra",
    "profitablegatecpm.com": "adsterra",
    "exoclick": "exoclick",
    "exosrv.com": "exoclick",
    "juicyads.com": "juicyads",
    "a-ads.com": "a-ads",
    "hilltopads": "hilltopads",
    "monetag": "monetag",
    "clickadu": "clickadu",
    "admaven": "ad-maven",
    "i-mobile.co.jp": "i-mobile",
    "nend.net": "nend",
    "adcash": "adcash",
    "mgid.com": "mgid",
    "yllix": "yllix",
    "bidvertiser": "bidvertiser",
}
_NUMBER = r"(\d[\d.,]*\s*[KkMm]?)"
#: the WordPress "Madara" manga theme prints "Rank: 12th, it has 1.2K monthly views"
_MADARA = re.compile(r"it has\s+" + _NUMBER + r"\s+(?:monthly\s+)?views", re.IGNORECASE)
_COUNTER_PATTERNS = [
    # "12,345 views" before "Views: 12,345": a bare "views" followed by a number is often a chapter list
    re.compile(_NUMBER + r"\s*(?:views?|lượt xem|lượt đọc|回閲覧|閲覧|回再生|ビュー|조회)", re.IGNORECASE),
    re.compile(
        r"(?:views?|lượt xem|lượt đọc|閲覧数|閲覧回数|再生回数|ビュー数|조회수?)\s*[:：]\s*" + _NUMBER, re.IGNORECASE
    ),
]
_CHAPTER = re.compile(
    r"(?:chapter|chap|chuong|chuong-|ch|episode|ep|第)[-_/.]?\d|/\d+(?:[-_.]\d+)?/?$|話", re.IGNORECASE
)
_TITLE = re.compile(
    r"/(?:manga|manhwa|manhua|comic|comics|title|titles|series|truyen|truyen-tranh|anime|novel|webtoon|book|works?|read|story)/[^/]+/?$",
    re.IGNORECASE,
)
_MIRROR_WORDS = re.compile(
    r"mirror|new domain|backup|official domain|tên miền|ミラー|新ドメイン|新しいURL|移転|dự phòng", re.IGNORECASE
)


def analytics_ids(text: str) -> list[str]:
    """Google Analytics, GA4, Google Ads and Tag Manager IDs in `text`, in order of appearance."""
    return list(dict.fromkeys(_ANALYTICS.findall(text)))


def ad_networks(text: str) -> list[str]:
    """The ad networks whose tags appear in `text`."""
    lowered = text.lower()
    return sorted({name for marker, name in AD_NETWORKS.items() if marker in lowered})


def parse_count(text: str) -> int | None:
    """``"12,345"`` → 12345, ``"1.2K"`` → 1200, ``"3M"`` → 3000000; None when not a number."""
    value = text.strip().replace(" ", "")
    scale = 1
    if value[-1:] in "kK":
        scale, value = 1000, value[:-1]
    elif value[-1:] in "mM":
        scale, value = 1_000_000, value[:-1]
    # "12,345" and "12.345" are thousands; in "1,2K" the comma is a decimal point
    value = value.replace(",", "").replace(".", "") if scale == 1 else value.replace(",", ".")
    try:
        return int(float(value) * scale)
    except ValueError:
        return None


def view_counter(text: str) -> int | None:
    """The page's view counter: the Madara theme's first, then generic "views: N" / "N lượt xem" forms."""
    for pattern in (_MADARA, *_COUNTER_PATTERNS):
        match = pattern.search(text)
        if match:
            count = parse_count(match.group(1))
            if count is not None:
                return count
    return None


def classify_catalogue_url(url: str) -> str | None:
    """``"chapter"``, ``"title"`` or None for a sitemap URL (chapters are checked first)."""
    path = urlsplit(url).path
    if _TITLE.search(path):
        return "title"
    if path.count("/") >= 2 and _CHAPTER.search(path):
        return "chapter"
    return None


def site_of(host: str) -> str | None:
    """The registrable domain of `host`, or None for an IP address or a name without one."""
    try:
        return registrable_domain(host)
    except InvalidDomainError:
        return None


def likely_mirrors(own_host: str, links: Iterable[tuple[str, str]]) -> list[str]:
    """Hosts of outbound links that look like mirrors: a mirror word in the link, or our name in theirs.

    `links` are (absolute URL, link text) pairs.
    """
    own = site_of(own_host) or own_host
    own_label = own.split(".", 1)[0]
    found: dict[str, None] = {}
    for url, text in links:
        host = (urlsplit(url).hostname or "").lower()
        theirs = site_of(host) if host else None
        if not theirs or theirs == own:
            continue
        their_label = theirs.split(".", 1)[0]
        shares_name = len(own_label) >= 4 and (own_label in their_label or their_label in own_label)
        if shares_name or _MIRROR_WORDS.search(text) or _MIRROR_WORDS.search(url):
            found[host.removeprefix("www.")] = None
    return list(found)
