"""The app serving the fixture sites (dispatch on the Host header) and the hostile pages."""

from __future__ import annotations

import asyncio
import gzip
import html
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from lab.http_util import ThreadedServer
from lab.sites.catalogue import BIG, BIG_PAGES, HOPS, HOSTILE, SITES, FixtureSite, Title

_BY_HOST = {s.host: s for s in SITES}


def _page(site: FixtureSite, title: str, body: str) -> str:
    tags = "".join(f'<script async src="{html.escape(t)}"></script>' for t in site.ad_tags)
    analytics = "".join(
        f"<script async src=\"https://www.googletagmanager.com/gtag/js?id={a}\"></script><script>gtag('config', '{a}');</script>"
        for a in site.analytics
    )
    return (
        f'<!DOCTYPE html><html lang="{site.language}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<link rel="icon" href="/wp-content/favicon.ico">{analytics}{tags}</head><body>{body}</body></html>'
    )


def _counter(site: FixtureSite, views: int) -> str:
    if site.theme == "madara":
        return (
            '<div class="post-content_item"><div class="summary-heading"><h5>Rank</h5></div>'
            f'<div class="summary-content"> 3rd, it has {views:,} monthly views </div></div>'
        )
    if site.language == "vi":
        return f'<span class="view">Lượt xem: {views:,}'.replace(",", ".") + "</span>"
    return f'<span class="views">{views:,} views</span>'


class FixtureSites:
    """The fixture sites' app; `views` holds each title page's counter (``host/slug`` → views)."""

    def __init__(self) -> None:
        self.views = {f"{s.host}/{t.slug}": t.views for s in SITES for t in s.titles}
        # ~20 MB of zeros, ~20 kB on the wire: far beyond any test limit once decompressed
        self._bomb = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)

    # -- normal sites -----------------------------------------------------------------------------
    def _home(self, site: FixtureSite) -> Response:
        items = "".join(
            f'<li><a href="/{site.title_path}/{t.slug}/">{html.escape(t.name)}</a></li>' for t in site.titles
        )
        mirrors = "".join(f'<a href="http://{h}/">{html.escape(text)}</a>' for h, text in site.mirror_links)
        body = f"<h1>{html.escape(site.site_title)}</h1><ul>{items}</ul><footer>{mirrors}</footer>"
        return HTMLResponse(_page(site, site.site_title, body))

    def _title(self, site: FixtureSite, title: Title) -> Response:
        views = self.views[f"{site.host}/{title.slug}"]
        chapters = "".join(
            f'<a href="/{site.title_path}/{title.slug}/{site.chapter_word}-{n}/">{n}</a>'
            for n in range(1, title.chapters + 1)
        )
        body = f'<h1 class="post-title">{html.escape(title.name)}</h1>{_counter(site, views)}<div>{chapters}</div>'
        return HTMLResponse(_page(site, f"{title.name} - {site.site_title}", body))

    def _sitemaps(self, site: FixtureSite, path: str, base: str) -> Response | None:
        def urlset(urls: list[str]) -> Response:
            locs = "".join(f"<url><loc>{base}{u}</loc></url>" for u in urls)
            return Response(
                f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>',
                media_type="application/xml",
            )

        titles = [f"/{site.title_path}/{t.slug}/" for t in site.titles]
        chapters = [
            f"/{site.title_path}/{t.slug}/{site.chapter_word}-{n}/"
            for t in site.titles
            for n in range(1, t.chapters + 1)
        ]
        if site.theme == "madara":  # WordPress (Yoast-style): an index of per-type sitemaps
            if path == "/robots.txt":
                return PlainTextResponse(f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {base}/sitemap_index.xml\n")
            if path == "/sitemap_index.xml":
                maps = "".join(f"<sitemap><loc>{base}/{n}-sitemap.xml</loc></sitemap>" for n in ("manga", "chapter"))
                return Response(
                    f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>',
                    media_type="application/xml",
                )
            if path == "/manga-sitemap.xml":
                return urlset(titles)
            if path == "/chapter-sitemap.xml":
                return urlset(chapters)
            return None
        if site.gzip_sitemap:  # robots.txt names a gzip-compressed file (served as a file, not an encoding)
            if path == "/robots.txt":
                return PlainTextResponse(f"User-agent: *\nSitemap: {base}/sitemap.xml.gz\n")
            if path == "/sitemap.xml.gz":
                plain = urlset([*titles, *chapters]).body
                return Response(gzip.compress(bytes(plain)), media_type="application/x-gzip")
            return None
        if path == "/sitemap.xml":  # no robots.txt: found at the usual place
            return urlset([*titles, *chapters])
        return None

    async def _site(self, request: Request, site: FixtureSite) -> Response:
        path = request.url.path
        base = f"{request.url.scheme}://{request.headers.get('host', site.host)}"
        if path == "/":
            return self._home(site)
        if path in {"/wp-content/favicon.ico", "/favicon.ico"}:
            return Response(site.icon, media_type="image/x-icon")
        sitemap = self._sitemaps(site, path, base)
        if sitemap is not None:
            return sitemap
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == site.title_path:
            title = next((t for t in site.titles if t.slug == parts[1]), None)
            if title is not None:
                if len(parts) == 2:
                    return self._title(site, title)
                return HTMLResponse(
                    _page(site, f"{title.name} {parts[2]}", f"<h1>{html.escape(title.name)}</h1><img src='/p/1.jpg'>")
                )
        return HTMLResponse(_page(site, "404", "<h1>Not found</h1>"), status_code=404)

    # -- hostile.test -----------------------------------------------------------------------------
    async def _hostile(self, request: Request) -> Response:
        path = request.url.path
        if path == "/":
            links = ["/gzip-bomb", "/huge", "/redirect-loop/0", "/slow", "/malformed", "/private"]
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
            return StreamingResponse(self._drip(), media_type="text/html")
        if path == "/malformed":
            return HTMLResponse(
                "<html><head><title>broken <b>page</head><body><div><a href='/x'>x<p>unclosed <table><tr><td>views: 12"
            )
        if path == "/private":
            return RedirectResponse("http://169.254.169.254/latest/meta-data/", status_code=302)
        return PlainTextResponse("not found", status_code=404)

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
            port = request.url.port
            target = HOPS[host] + (f":{port}" if port else "")
            return RedirectResponse(f"{request.url.scheme}://{target}{request.url.path}", status_code=301)
        if host == HOSTILE:
            return await self._hostile(request)
        if host == BIG:
            return self._big(request)
        site = _BY_HOST.get(host)
        if site is None:
            return PlainTextResponse(f"unknown lab site {host!r}", status_code=404)
        return await self._site(request, site)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._dispatch)])

    def serve(self, host: str = "127.0.0.1") -> ThreadedServer:
        """A server on a free loopback port (use as a context manager); every fixture host maps to it."""
        return ThreadedServer(self.app(), host=host)
