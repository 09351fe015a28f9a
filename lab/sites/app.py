"""The app serving the fixture sites (dispatch on the Host header), their hops and the hostile pages."""

from __future__ import annotations

import asyncio
import copy
import gzip
import html
import re
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from lab.http_util import ThreadedServer
from lab.sites.content import BIG, BIG_PAGES, HOPS, HOSTILE, HOSTILE_HOPS, SITES, FixtureSite, Title
from lab.sites.layouts import LAYOUTS, page

_GENERATED = re.compile(r"^gen-(\d{1,6})\.test$")


def generated_site(n: int) -> FixtureSite:
    """``gen-<n>.test``: a small Madara site (five titles of three chapters) for the many-sites benchmark."""
    return FixtureSite(
        host=f"gen-{n}.test",
        language="en",
        site_title=f"Generated Manga {n}",
        theme="madara",
        analytics=[f"G-GEN{n:07d}"],
        ad_tags=[],
        titles=[Title(f"series-{n}-{k}", f"Series {n} {k}", 3, 1000 * k + n) for k in range(1, 6)],
        icon=b"\x00\x00\x01\x00gen" + str(n).encode(),
    )


class FixtureSites:
    """The fixture sites' app; `views` holds each title page's counter (``host/slug`` → views), `sites`
    each site's titles."""

    def __init__(self) -> None:
        #: this server's own copy of the sites: a test may add titles (catalogue growth) to it
        self.sites = {s.host: copy.deepcopy(s) for s in SITES}
        self.views = {f"{s.host}/{t.slug}": t.views for s in SITES for t in s.titles}
        # ~20 MB of zeros, ~20 kB on the wire: far beyond any test limit once decompressed
        self._bomb = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)
        #: how many answers of hostile.test's slow-drip page have begun (a crawl that asked for it is mid-way)
        self.slow_started = 0

    # -- normal sites -----------------------------------------------------------------------------
    async def _site(self, request: Request, site: FixtureSite) -> Response:
        layout = LAYOUTS[site.theme]
        path = request.url.path
        base = f"{request.url.scheme}://{request.headers.get('host', site.host)}"
        if path == "/":
            return HTMLResponse(layout.home(site))
        if path in {"/wp-content/favicon.ico", "/favicon.ico"}:
            return Response(site.icon, media_type="image/x-icon")
        sitemap = layout.sitemap(site, path, base)
        if sitemap is not None:
            return sitemap
        found = layout.route(site, path)
        if found is not None:
            title, chapter = found
            if chapter is None:
                views = self.views.get(f"{site.host}/{title.slug}", title.views)
                return HTMLResponse(layout.title_page(site, title, views))
            return HTMLResponse(layout.chapter_page(site, title, chapter))
        if path in layout.pages:
            return HTMLResponse(page(site, site.site_title, f"<h1>{html.escape(path.strip('/'))}</h1>"))
        return HTMLResponse(page(site, "404", "<h1>Not found</h1>"), status_code=404)

    # -- hops -------------------------------------------------------------------------------------
    @staticmethod
    def _hop(request: Request, target: str, kind: str) -> Response:
        port = request.url.port
        destination = f"{request.url.scheme}://{target}{f':{port}' if port else ''}"
        if kind in {"301", "302"}:
            return RedirectResponse(destination + request.url.path, status_code=int(kind))
        if request.url.path != "/":
            return PlainTextResponse("not found", status_code=404)
        if kind == "meta":
            return HTMLResponse(
                f'<html><head><meta http-equiv="refresh" content="0; url={destination}/"><title>Redirecting</title>'
                "</head><body>Redirecting...</body></html>"
            )
        if kind == "js":
            return HTMLResponse(
                "<html><head><title>漫画Raw</title><script>"
                f'if (window.top === window) {{ window.location.replace("{destination}/"); }}'
                "</script></head><body><p>Loading…</p></body></html>"
            )
        if kind == "notice":
            return HTMLResponse(
                '<html lang="ko"><head><title>ManhwaRaw - 주소 변경 안내</title></head><body>'
                "<h1>ManhwaRaw</h1><div class='notice'><p>사이트 주소가 변경되었습니다. 새 주소로 이전했습니다:</p>"
                f'<p><a href="{destination}/">{html.escape(target)}</a></p></div>'
                '<p><a href="https://t.me/manhwaraw_official">Telegram</a> · <a href="/dmca">DMCA</a></p></body></html>'
            )
        # notice-text: the new name as text, no link
        return HTMLResponse(
            "<html><head><title>KomikStream</title></head><body><h1>KomikStream</h1>"
            f"<p>We have moved to {html.escape(target)}! Please update your bookmarks.</p></body></html>"
        )

    @staticmethod
    def _hostile_hop(request: Request, host: str) -> Response:
        if host == "js-private.test":
            return HTMLResponse(
                "<html><head><title>go</title><script>location.href='http://169.254.169.254/latest/meta-data/';</script>"
                "</head><body></body></html>"
            )
        if host == "js-loop.test":
            n = int(request.query_params.get("n", "0") or 0)
            return HTMLResponse(
                f"<html><head><title>loop {n}</title><script>window.location = '/?n={n + 1}';</script></head><body></body></html>"
            )
        # notice-social.test: the "new domain" is only on a messenger
        return HTMLResponse(
            "<html><head><title>MangaHub</title></head><body><h1>MangaHub</h1>"
            '<p>New domain soon! Follow our <a href="https://t.me/mangahub">Telegram</a> for the new address.</p>'
            '<ul><li><a href="/manga/one-piece/">One Piece</a></li></ul></body></html>'
        )

    # -- hostile.test -----------------------------------------------------------------------------
    async def _hostile(self, request: Request) -> Response:
        path = request.url.path
        if path == "/":
            links = [
                "/gzip-bomb",
                "/huge",
                "/redirect-loop/0",
                "/slow",
                "/malformed",
                "/private",
                "/digits",
                "/deep-json",
            ]
            return HTMLResponse(
                "<html><head><title>hostile</title></head><body>"
                + "".join(f'<a href="{u}">{u}</a>' for u in links)
                + "</body></html>"
            )
        if path == "/gzip-bomb":
            return Response(self._bomb, media_type="text/html", headers={"Content-Encoding": "gzip"})
        if path == "/huge":  # "1 GB", streamed without a length: only a byte limit stops it
            return StreamingResponse(self._endless(1024**3), media_type="text/html")
        if path.startswith("/redirect-loop/"):
            n = int(path.rsplit("/", 1)[1] or 0)
            return RedirectResponse(f"/redirect-loop/{n + 1}", status_code=302)
        if path == "/slow":
            self.slow_started += 1
            return StreamingResponse(self._drip(), media_type="text/html")
        if path == "/malformed":
            return HTMLResponse(
                "<html><head><title>broken <b>page</head><body><div><a href='/x'>x<p>unclosed <table><tr><td>views: 12"
            )
        if path == "/private":
            return RedirectResponse("http://169.254.169.254/latest/meta-data/", status_code=302)
        if path == "/digits":  # ~100 kB of numbers and separators: counters must be read in linear time
            return HTMLResponse("<html><body><p>" + "1,2 3.4 " * 12_000 + "</p><p>12 views</p></body></html>")
        if path == "/hostile-headers":  # (not linked from "/": crawls of this site stay as they were)
            return HTMLResponse("<html><body><h1>headers</h1></body></html>", headers=self._hostile_headers())
        if path == "/deep-json":  # JSON-LD nested far deeper than any parser's recursion limit
            deep = '{"a":' * 5_000 + "1" + "}" * 5_000
            return HTMLResponse(
                f'<html><head><script type="application/ld+json">{deep}</script></head><body><h1>deep</h1></body></html>'
            )
        return PlainTextResponse("not found", status_code=404)

    @staticmethod
    def _hostile_headers() -> dict[str, str]:
        """Headers a page shows whoever displays them: markup, a C1 control (CSI, 0x9b: an escape
        sequence on a terminal), a tab, a right-to-left override sent as its UTF-8 bytes, a value of
        8,000 characters, and 210 headers more. Every byte passes HTTP's grammar (obs-text, HTAB),
        so a client receives them as sent."""
        headers = {
            "X-Markup": "<script>alert('headers')</script>",
            "X-Terminal": "\x9b31mred\x9b0m",
            "X-Tab": "left\tright",
            "X-Bidi": "\u202etxt.exe".encode().decode("latin-1"),
            "X-Huge": "h" * 8000,
        }
        headers.update({f"X-Filler-{i:03d}": "f" for i in range(210)})
        return headers

    # -- big.test: a 50,000-page site for the benchmark ----------------------------------------------
    @staticmethod
    def _big(request: Request) -> Response:
        parts = [p for p in request.url.path.split("/") if p]
        n = int(parts[1]) if len(parts) == 2 and parts[0] == "page" and parts[1].isdigit() else 0
        if n >= BIG_PAGES:
            return PlainTextResponse("not found", status_code=404)
        children = range(n * 10 + 1, min(n * 10 + 11, BIG_PAGES))
        links = "".join(f'<li><a href="/page/{c}">Title {c}</a></li>' for c in children)
        body = (
            f"<h1>Title {n}</h1><span class='views'>{n * 7:,} views</span><ul>{links}</ul>" + "<p>filler text</p>" * 20
        )
        return HTMLResponse(
            f'<!DOCTYPE html><html lang="en"><head><title>Big {n}</title></head><body>{body}</body></html>'
        )

    @staticmethod
    async def _endless(total: int) -> AsyncIterator[bytes]:
        chunk = b"<p>" + b"x" * 65536 + b"</p>"
        sent = 0
        while sent < total:
            yield chunk
            sent += len(chunk)
            await asyncio.sleep(0)

    @staticmethod
    async def _drip() -> AsyncIterator[bytes]:
        for _ in range(120):  # one byte a second for two minutes
            yield b"."
            await asyncio.sleep(1)

    async def _dispatch(self, request: Request) -> Response:
        host = request.headers.get("host", "").split(":", 1)[0].lower()
        if host in HOPS:
            return self._hop(request, *HOPS[host])
        if host in HOSTILE_HOPS:
            return self._hostile_hop(request, host)
        if host == HOSTILE:
            return await self._hostile(request)
        if host == BIG:
            return self._big(request)
        site = self.sites.get(host)
        generated = _GENERATED.match(host)
        if site is None and generated:
            site = generated_site(int(generated.group(1)))
        if site is None:
            return PlainTextResponse(f"unknown lab site {host!r}", status_code=404)
        return await self._site(request, site)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._dispatch)])

    def serve(self, host: str = "127.0.0.1") -> ThreadedServer:
        """A server on a free loopback port (use as a context manager); every fixture host maps to it."""
        return ThreadedServer(self.app(), host=host)
