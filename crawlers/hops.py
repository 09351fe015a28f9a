"""Domain hops a home page announces without an HTTP redirect: a JavaScript ``location`` change or a
"we moved to X" notice.

HTTP 301/302 redirects and ``<meta http-equiv="refresh">`` are followed by Scrapy's own redirect
middlewares (``response.meta["redirect_reasons"]`` says which); this module finds the two kinds a
browser would follow, or a reader would, and that Scrapy does not:

- ``js``: an inline script assigning ``location`` / ``location.href`` or calling
  ``location.replace()`` / ``location.assign()`` with a literal URL, on a page too thin to be the
  site itself (a content page's conditional "go to the official domain" snippet is not a hop);
- ``notice``: a link to another registrable domain whose text, or the block around it, says the site
  moved ("we moved to", "new domain", "tên miền mới", "移転しました", "新ドメイン", "새 주소", …), or
  a domain name written right after such words. Links to social networks and messengers ("follow
  our Telegram for the new domain") are not destinations.

The spider follows at most :data:`MAX_SOFT_HOPS` of them, each through the SSRF guard like any request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

MAX_SOFT_HOPS = 4
#: a page with more links than this is the site itself, not a redirect stub
THIN_PAGE_LINKS = 30
_MAX_SCRIPT_CHARS = 64 * 1024
_MAX_BLOCK_CHARS = 600

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
_BLOCKS = {"p", "div", "li", "section", "article", "header", "footer", "main", "center", "h1", "h2", "h3", "h4", "td"}


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


def _block_text(element: Any) -> str:
    """The text of the nearest block around `element` (bounded)."""
    node = element
    for _ in range(4):
        parent = node.getparent()
        if parent is None:
            break
        node = parent
        if isinstance(node.tag, str) and node.tag.lower() in _BLOCKS:
            break
    return str(node.text_content())[:_MAX_BLOCK_CHARS]


def moved_notice(root: Any, base_url: str, site_of: Callable[[str], str | None]) -> str | None:
    """The destination a "we moved to X" notice on the page names, or None.

    `site_of` maps a host to its registrable domain; the destination must be another one.
    """
    own = site_of(urlsplit(base_url).hostname or "")

    def destination(url: str) -> str | None:
        host = (urlsplit(url).hostname or "").lower()
        theirs = site_of(host) if host else None
        if not theirs or theirs == own or theirs in _NOT_DESTINATIONS:
            return None
        return url

    for anchor in root.xpath("//a[@href]")[:2000]:
        url = urljoin(base_url, str(anchor.get("href", "")))
        if urlsplit(url).scheme not in {"http", "https"} or destination(url) is None:
            continue
        if MOVED_WORDS.search(str(anchor.text_content())[:_MAX_BLOCK_CHARS]) or MOVED_WORDS.search(_block_text(anchor)):
            return url
    text = " ".join(root.xpath("//body//text()[not(ancestor::script)][not(ancestor::style)]")[:5000])[:200_000]
    for match in MOVED_WORDS.finditer(text):
        for name in _DOMAIN_TEXT.finditer(text[match.end() : match.end() + 160]):
            scheme = urlsplit(base_url).scheme or "https"
            # a bare name keeps this page's port: real sites use the default one, the lab does not
            port = name.group(2) or (f":{urlsplit(base_url).port}" if urlsplit(base_url).port else "")
            named = destination(f"{scheme}://{name.group(1)}{port}{name.group(3) or '/'}")
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
