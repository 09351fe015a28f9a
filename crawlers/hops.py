"""Domain hops a home page announces without an HTTP redirect: a JavaScript ``location`` change or a
"we moved to X" notice.

HTTP 301/302 redirects and ``<meta http-equiv="refresh">`` are followed by Scrapy's own redirect
middlewares (``response.meta["redirect_reasons"]`` says which); this module finds the two kinds a
browser would follow, or a reader would, and that Scrapy does not:

- ``js``: an inline script assigning ``location`` / ``location.href`` or calling
  ``location.replace()`` / ``location.assign()`` with a literal URL, on a page too thin to be the
  site itself (a content page's conditional "go to the official domain" snippet is not a hop);
- ``notice``: a link to another registrable domain next to words saying the site moved ("we moved
  to", "new domain", "tên miền mới", "移転しました", "新ドメイン", "새 주소", …), or a domain name
  written right after such words. Links to social networks and messengers ("follow our Telegram for
  the new domain") are not destinations.

The spider follows at most :data:`MAX_SOFT_HOPS` of them, each through the SSRF guard like any request.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from common.pages import link_of, text_nodes

MAX_SOFT_HOPS = 4
#: a page with more links than this is the site itself, not a redirect stub
THIN_PAGE_LINKS = 30
_MAX_SCRIPT_CHARS = 64 * 1024
#: visible text searched for a notice, and how far from the moved words its link may start
_MAX_NOTICE_TEXT = 256 * 1024
_NEAR_BEFORE = 120
_NEAR_AFTER = 240

_JS_LOCATION = re.compile(
    r"""(?:\b(?:window|document|top|self|parent)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=\s*(["'])(?P<a>[^"'\s<>]{1,2000})\1"""
    r"""|\blocation\s*\.\s*(?:replace|assign)\s*\(\s*(["'])(?P<b>[^"'\s<>]{1,2000})\3\s*\)"""
)
MOVED_WORDS = re.compile(
    r"we(?:'ve|\s+have)?\s+moved|has\s+moved|have\s+moved|moved\s+to|new\s+domain|new\s+address|new\s+url|"
    r"new\s+home|official\s+domain|chuyển\s+(?:sang|qua|về|tên\s+miền)|tên\s+miền\s+mới|địa\s+chỉ\s+mới|"
    r"link\s+mới|đã\s+chuyển|移転|新ドメイン|新しいドメイン|新しいURL|新URL|引っ越し|이전했습니다|새\s*주소|새\s*도메인|"
    r"已迁移|迁移至|新域名|新网址|nuevo\s+dominio|nos\s+mudamos|nous\s+avons\s+déménagé|nouveau\s+domaine|"
    r"neue\s+domain|umgezogen|pindah\s+ke|domain\s+baru",
    re.IGNORECASE,
)
_DOMAIN_TEXT = re.compile(
    r"(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(:\d{2,5})?(/\S*)?", re.I
)
#: where "follow us for the new domain" links point: never the new domain itself
_NOT_DESTINATIONS = {
    "t.me", "telegram.me", "telegram.org", "twitter.com", "x.com", "facebook.com", "fb.com", "fb.me",
    "discord.gg", "discord.com", "reddit.com", "youtube.com", "youtu.be", "instagram.com", "tiktok.com",
    "google.com", "linktr.ee", "bit.ly", "patreon.com", "ko-fi.com", "wikipedia.org", "github.com",
}  # fmt: skip


@dataclass(frozen=True)
class SoftHop:
    """A page's announced destination: its URL, and how it was announced ("js" or "notice")."""

    url: str
    via: str


def js_redirect(root: Any, base_url: str) -> str | None:
    """The URL an inline script of a thin page sends the browser to, or None."""
    if len(root.xpath("//a[@href]")) > THIN_PAGE_LINKS:
        return None
    for script in root.xpath("//script[not(@src)]")[:50]:
        code = str(script.text or "")[:_MAX_SCRIPT_CHARS]
        match = _JS_LOCATION.search(code)
        if match:
            target = urljoin(base_url, str(match.group("a") or match.group("b")))
            if urlsplit(target).scheme in {"http", "https"} and target != base_url:
                return target
    return None


def moved_notice(root: Any, base_url: str, site_of: Callable[[str], str | None]) -> str | None:
    """The destination a "we moved to X" notice on the page names, or None.

    The page's visible text is read once, in document order, with the link each piece of text
    belongs to; the destination is the first link to another registrable domain that starts within
    a short distance of the moved words (before or after them), else a domain name written right
    after them. `site_of` maps a host to its registrable domain.
    """
    own = site_of(urlsplit(base_url).hostname or "")

    def destination(url: str) -> str | None:
        if urlsplit(url).scheme not in {"http", "https"}:
            return None
        host = (urlsplit(url).hostname or "").lower()
        theirs = site_of(host) if host else None
        if not theirs or theirs == own or theirs in _NOT_DESTINATIONS:
            return None
        return url

    pieces: list[str] = []
    links: list[tuple[int, str]] = []  # (offset in the text, absolute URL)
    length = 0
    for text, element, is_tail in text_nodes(root):
        href = link_of(element, is_tail)
        if href is not None:
            url = destination(urljoin(base_url, href))
            if url is not None:
                links.append((length, url))
        pieces.append(text)
        length += len(text) + 1
        if length > _MAX_NOTICE_TEXT:
            break
    text = " ".join(pieces)
    offsets = [offset for offset, _ in links]  # ascending: found in document order
    for match in MOVED_WORDS.finditer(text):
        window = links[
            bisect.bisect_left(offsets, match.start() - _NEAR_BEFORE) : bisect.bisect_right(
                offsets, match.end() + _NEAR_AFTER
            )
        ]
        if window:
            return min(window, key=lambda link: abs(link[0] - match.end()))[1]
        for name in _DOMAIN_TEXT.finditer(text[match.end() : match.end() + 160]):
            parts = urlsplit(base_url)
            # a bare name keeps this page's port: real sites use the default one, the lab does not
            port = name.group(2) or (f":{parts.port}" if parts.port else "")
            named = destination(f"{parts.scheme or 'https'}://{name.group(1)}{port}{name.group(3) or '/'}")
            if named:
                return named
    return None


def soft_hop(root: Any, base_url: str, site_of: Callable[[str], str | None]) -> SoftHop | None:
    """The hop a home page announces (a JavaScript redirect first, then a moved notice), or None."""
    target = js_redirect(root, base_url)
    if target:
        return SoftHop(target, "js")
    target = moved_notice(root, base_url, site_of)
    if target:
        return SoftHop(target, "notice")
    return None
