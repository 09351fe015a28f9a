"""What a page tells about its site: analytics IDs, ad networks, the work's names, mirrors.

Plain functions over text, URLs and lxml trees (no Scrapy), so the spider stays thin and each rule
is tested on its own. View counters are read by :mod:`crawlers.view_counters`, catalogue URLs
classified by :mod:`crawlers.catalogue`, soft hops found by :mod:`crawlers.hops`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
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
#: payment and donation services, by the host of a link or form that pays them (a suffix of the host)
PAYMENT_SERVICES = {
    "paypal.com": "paypal",
    "paypal.me": "paypal",
    "ko-fi.com": "ko-fi",
    "patreon.com": "patreon",
    "buymeacoffee.com": "buy-me-a-coffee",
    "buy.stripe.com": "stripe",
    "checkout.stripe.com": "stripe",
    "donate.stripe.com": "stripe",
    "boosty.to": "boosty",
    "liberapay.com": "liberapay",
    "opencollective.com": "open-collective",
    "fanbox.cc": "pixiv-fanbox",
    "ci-en.net": "ci-en",
}
#: how many payment links one page yields (a hostile page may have thousands)
_MAX_PAYMENT_LINKS = 20
_MAX_NAMES = 6
_MAX_NAME_CHARS = 300
_MAX_JSON_CHARS = 512 * 1024
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


def payment_links(urls: Iterable[str]) -> list[dict[str, str]]:
    """The links (and form actions) of a page that pay a payment or donation service: ``{"provider", "url"}``,
    the service by the link's host (:data:`PAYMENT_SERVICES`), each URL once, at most 20."""
    found: dict[str, str] = {}
    for url in urls:
        if len(found) >= _MAX_PAYMENT_LINKS:
            break
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower().rstrip(".")
        except ValueError:
            continue
        if parts.scheme not in {"http", "https"} or len(url) > 2000:
            continue
        for suffix, name in PAYMENT_SERVICES.items():
            if host == suffix or host.endswith("." + suffix):
                found.setdefault(url, name)
                break
    return [{"provider": name, "url": url} for url, name in found.items()]


def page_names(root: Any) -> list[str]:
    """The names a page gives its work, best first: headings, og:title, JSON-LD names, the title.

    Pirate templates put the work's name in different places (a theme's ``<h1>`` may be the site's
    logo), so the works matcher compares each.
    """
    names: dict[str, None] = {}

    def add(value: object) -> None:
        if isinstance(value, str):
            text = " ".join(value.split())[:_MAX_NAME_CHARS]
            if text:
                names[text] = None

    for heading in root.xpath("//h1")[:2]:
        add(heading.text_content())
    for value in root.xpath("//meta[@property='og:title' or @name='twitter:title']/@content")[:2]:
        add(value)
    for script in root.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]")[:5]:
        text = (script.text or "").strip()
        if not text or len(text) > _MAX_JSON_CHARS:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        nodes = data.get("@graph", [data]) if isinstance(data, dict) else data
        for node in nodes[:20] if isinstance(nodes, list) else [nodes]:
            if isinstance(node, dict):
                add(node.get("name"))
                alternates = node.get("alternateName")
                for alternate in alternates if isinstance(alternates, list) else [alternates]:
                    add(alternate)
    for title in root.xpath("//title")[:1]:
        add(title.text_content())
    return list(names)[:_MAX_NAMES]


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
