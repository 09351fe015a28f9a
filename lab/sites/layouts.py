"""The page templates of the fixture sites: URL shapes, sitemaps and view counters of real pirate themes.

Each layout decides where a site's title and chapter pages live, which sitemaps announce them and
how a page prints its view counter:

| layout | modelled on | titles / chapters | sitemaps | counter |
|---|---|---|---|---|
| ``madara`` | WordPress Madara | ``/manga/x/`` / ``/manga/x/chapter-3/`` | Yoast index: manga-, chapter- | "3rd, it has 15,000 monthly views" |
| ``generic-en`` | a hand-made site | ``/title/x/`` / ``…/chapter-3/`` | ``/sitemap.xml`` (or ``.xml.gz`` from robots) | "2,500 views" |
| ``generic-vi`` | a hand-made site | ``/truyen-tranh/x/`` / ``…/chuong-3/`` | ``/sitemap.xml`` | "Lượt xem: 45.678" |
| ``flatmanga`` | FlatManga / FMReader raws | ``/manga-x-raw.html`` / ``/read-x-raw-chapter-3.html`` | robots → neutral ``/sitemaps/N.xml`` | ``<b>閲覧数</b><span>12.3万</span>`` |
| ``truyenqq`` | TruyenQQ / NetTruyen | ``/truyen-tranh/x-128`` / ``/truyen-tranh/x-128-chap-3.html`` | index → truyen, chuong, the-loai | eye icon, "Lượt xem" then "1.234.567" |
| ``anime`` | Gogoanime-style streaming | ``/category/x`` / ``/x-episode-3`` | one flat sitemap with pages and genres | JSON-LD WatchAction counter |
| ``madara-wp`` | Madara, custom base, WordPress core sitemaps | ``/manhwa-raw/x/`` / ``…/chapter-3/`` | ``/wp-sitemap.xml`` (no robots.txt) | "it has 12.3K monthly views" |
| ``themesia`` | MangaReader / MangaStream (``ts_reader``) | ``/manga/x/`` / ``/x-chapter-3/`` | Yoast: manga-, post-, page- | Post Views Counter plugin, after "Followed by N people" |
"""

from __future__ import annotations

import gzip
import html
import json

from starlette.responses import PlainTextResponse, Response

from lab.sites.content import FixtureSite, Title

_XML = "application/xml"
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(base: str, paths: list[str]) -> Response:
    locs = "".join(f"<url><loc>{html.escape(base + p)}</loc></url>" for p in paths)
    return Response(f'<?xml version="1.0"?><urlset {_NS}>{locs}</urlset>', media_type=_XML)


def sitemap_index(base: str, paths: list[str]) -> Response:
    maps = "".join(f"<sitemap><loc>{html.escape(base + p)}</loc></sitemap>" for p in paths)
    return Response(f'<?xml version="1.0"?><sitemapindex {_NS}>{maps}</sitemapindex>', media_type=_XML)


def page(site: FixtureSite, title: str, body: str, head: str = "") -> str:
    tags = "".join(f'<script async src="{html.escape(t)}"></script>' for t in site.ad_tags)
    analytics = "".join(
        f"<script async src=\"https://www.googletagmanager.com/gtag/js?id={a}\"></script><script>gtag('config', '{a}');</script>"
        for a in site.analytics
    )
    # A PayPal donate button is a form posting to PayPal; other services are plain links.
    donate = "".join(
        f'<form action="{html.escape(u)}" method="post"><button>Donate</button></form>'
        if "paypal.com" in u
        else f'<a href="{html.escape(u)}">Support us</a>'
        for u in site.payment_links
    )
    return (
        f'<!DOCTYPE html><html lang="{site.language}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<link rel="icon" href="/wp-content/favicon.ico">{head}{analytics}{tags}</head><body>{body}'
        + (f'<footer class="donate">{donate}</footer>' if donate else "")
        + "</body></html>"
    )


def man(views: int) -> str:
    """Views in Japanese 万 units, as raw sites print them: 123000 → "12.3万"."""
    return f"{views // 10000}万" if views % 10000 == 0 else f"{views / 10000:.1f}万"


def kilo(views: int) -> str:
    """Views with a K suffix: 12300 → "12.3K"."""
    return f"{views // 1000}K" if views % 1000 == 0 else f"{views / 1000:.1f}K"


class Layout:
    """The generic layout (``generic-en`` / ``generic-vi``); subclasses change what differs."""

    pages: tuple[str, ...] = ()

    def title_path(self, site: FixtureSite, title: Title) -> str:
        return f"/{site.title_path}/{title.slug}/"

    def chapter_path(self, site: FixtureSite, title: Title, n: int) -> str:
        return f"/{site.title_path}/{title.slug}/{site.chapter_word}-{n}/"

    def route(self, site: FixtureSite, path: str) -> tuple[Title, int | None] | None:
        """The title (and chapter number) a path shows, or None."""
        for title in site.titles:
            if path == self.title_path(site, title):
                return title, None
            for n in range(1, title.chapters + 1):
                if path == self.chapter_path(site, title, n):
                    return title, n
        return None

    def catalogue_paths(self, site: FixtureSite) -> tuple[list[str], list[str]]:
        titles = [self.title_path(site, t) for t in site.titles]
        chapters = [self.chapter_path(site, t, n) for t in site.titles for n in range(1, t.chapters + 1)]
        return titles, chapters

    def sitemap(self, site: FixtureSite, path: str, base: str) -> Response | None:
        titles, chapters = self.catalogue_paths(site)
        if site.gzip_sitemap:  # robots.txt names a gzip-compressed file (served as a file, not an encoding)
            if path == "/robots.txt":
                return PlainTextResponse(f"User-agent: *\nSitemap: {base}/sitemap.xml.gz\n")
            if path == "/sitemap.xml.gz":
                plain = urlset(base, [*titles, *chapters]).body
                return Response(gzip.compress(bytes(plain)), media_type="application/x-gzip")
            return None
        if path == "/sitemap.xml":  # no robots.txt: found at the usual place
            return urlset(base, [*titles, *chapters])
        return None

    def counter(self, site: FixtureSite, views: int) -> str:
        if site.language == "vi":
            return f'<span class="view">Lượt xem: {views:,}'.replace(",", ".") + "</span>"
        return f'<span class="views">{views:,} views</span>'

    def home(self, site: FixtureSite) -> str:
        items = "".join(f'<li><a href="{self.title_path(site, t)}">{html.escape(t.name)}</a></li>' for t in site.titles)
        mirrors = "".join(f'<a href="http://{h}/">{html.escape(text)}</a>' for h, text in site.mirror_links)
        body = f"<h1>{html.escape(site.site_title)}</h1><ul>{items}</ul><footer>{mirrors}</footer>"
        return page(site, site.site_title, body)

    def chapter_links(self, site: FixtureSite, title: Title) -> str:
        return "".join(f'<a href="{self.chapter_path(site, title, n)}">{n}</a>' for n in range(1, title.chapters + 1))

    def title_page(self, site: FixtureSite, title: Title, views: int) -> str:
        body = (
            f'<h1 class="post-title">{html.escape(title.name)}</h1>{self.counter(site, views)}'
            f"<div>{self.chapter_links(site, title)}</div>"
        )
        return page(site, f"{title.name} - {site.site_title}", body)

    def chapter_page(self, site: FixtureSite, title: Title, n: int) -> str:
        word = self.chapter_path(site, title, n).rstrip("/").rsplit("/", 1)[-1]
        return page(site, f"{title.name} {word}", f"<h1>{html.escape(title.name)}</h1><img src='/p/1.jpg'>")


class Madara(Layout):
    """WordPress Madara: a Yoast sitemap index of per-type sitemaps, the theme's rank sentence."""

    def sitemap(self, site: FixtureSite, path: str, base: str) -> Response | None:
        titles, chapters = self.catalogue_paths(site)
        if path == "/robots.txt":
            return PlainTextResponse(f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {base}/sitemap_index.xml\n")
        if path == "/sitemap_index.xml":
            return sitemap_index(base, ["/manga-sitemap.xml", "/chapter-sitemap.xml"])
        if path == "/manga-sitemap.xml":
            return urlset(base, titles)
        if path == "/chapter-sitemap.xml":
            return urlset(base, chapters)
        return None

    def counter(self, site: FixtureSite, views: int) -> str:
        return (
            '<div class="post-content_item"><div class="summary-heading"><h5>Rank</h5></div>'
            f'<div class="summary-content"> 3rd, it has {views:,} monthly views </div></div>'
        )


class FlatManga(Layout):
    """FlatManga (FMReader) raws: flat ``.html`` pages with affix words around the slug."""

    pages = ("/manga-list.html", "/contact.html", "/genre/action.html")

    def title_path(self, site: FixtureSite, title: Title) -> str:
        return f"/manga-{title.slug}-raw.html"

    def chapter_path(self, site: FixtureSite, title: Title, n: int) -> str:
        return f"/read-{title.slug}-raw-chapter-{n}.html"

    def sitemap(self, site: FixtureSite, path: str, base: str) -> Response | None:
        titles, chapters = self.catalogue_paths(site)
        if path == "/robots.txt":
            return PlainTextResponse(f"User-agent: *\nSitemap: {base}/sitemaps/index.xml\n")
        if path == "/sitemaps/index.xml":
            return sitemap_index(base, ["/sitemaps/1.xml", "/sitemaps/2.xml"])
        if path == "/sitemaps/1.xml":
            return urlset(base, [*titles, *self.pages])
        if path == "/sitemaps/2.xml":
            return urlset(base, chapters)
        return None

    def counter(self, site: FixtureSite, views: int) -> str:
        return f"<ul class='manga-info'><li><b>ステータス</b> 連載中</li><li><b>閲覧数</b> <span>{man(views)}</span></li></ul>"

    def title_page(self, site: FixtureSite, title: Title, views: int) -> str:
        links = "".join(
            f'<a href="{self.chapter_path(site, title, n)}">{html.escape(title.name)} 第{n}話</a>'
            for n in range(1, title.chapters + 1)
        )
        body = f"<h1>{html.escape(title.name)} (Raw – Free)</h1>{self.counter(site, views)}<div>{links}</div>"
        return page(site, f"{title.name} Raw 漫画 無料 - {site.site_title}", body)

    def chapter_page(self, site: FixtureSite, title: Title, n: int) -> str:
        return page(
            site,
            f"{title.name} 第{n}話 Raw - {site.site_title}",
            f"<h1>{html.escape(title.name)} 第{n}話</h1><img class='chapter-img' src='/p/1.jpg'>",
        )


class TruyenQQ(Layout):
    """TruyenQQ / NetTruyen: IDs in slugs, chapters as siblings, the eye icon before "Lượt xem"."""

    def title_path(self, site: FixtureSite, title: Title) -> str:
        return f"/truyen-tranh/{title.slug}-{title.id}"

    def chapter_path(self, site: FixtureSite, title: Title, n: int) -> str:
        return f"/truyen-tranh/{title.slug}-{title.id}-chap-{n}.html"

    def sitemap(self, site: FixtureSite, path: str, base: str) -> Response | None:
        titles, chapters = self.catalogue_paths(site)
        if path == "/sitemap.xml":  # no robots.txt
            return sitemap_index(base, ["/sitemap/truyen.xml", "/sitemap/chuong-1.xml", "/sitemap/the-loai.xml"])
        if path == "/sitemap/truyen.xml":
            return urlset(base, titles)
        if path == "/sitemap/chuong-1.xml":
            return urlset(base, chapters)
        if path == "/sitemap/the-loai.xml":
            return urlset(base, ["/the-loai/action.html", "/the-loai/adventure.html", "/the-loai/comedy.html"])
        return None

    def counter(self, site: FixtureSite, views: int) -> str:
        return (
            '<ul class="list-info"><li class="author row"><p class="name col-xs-4"><i class="fa fa-user"></i> Tác giả</p>'
            '<p class="col-xs-8">Đang cập nhật</p></li><li class="row"><p class="name col-xs-4">'
            f'<i class="fa fa-eye"></i> Lượt xem</p><p class="col-xs-8">{views:,}</p></li></ul>'
        ).replace(",", ".")

    def title_page(self, site: FixtureSite, title: Title, views: int) -> str:
        links = "".join(
            f'<li class="row"><a href="{self.chapter_path(site, title, n)}">Chap {n}</a></li>'
            for n in range(title.chapters, 0, -1)
        )
        body = (
            f'<article id="item-detail"><h1 class="title-detail">{html.escape(title.name)}</h1>'
            f'{self.counter(site, views)}<div class="list-chapter"><ul>{links}</ul></div></article>'
        )
        return page(site, f"{title.name} [Tới Chap {title.chapters}] Tiếng Việt - {site.site_title}", body)

    def chapter_page(self, site: FixtureSite, title: Title, n: int) -> str:
        return page(
            site,
            f"{title.name} Chap {n} Next Chap {n + 1} - {site.site_title}",
            f"<h1>{html.escape(title.name)} - Chap {n}</h1><div class='page-chapter'><img src='/p/1.jpg'></div>",
        )


class AnimeStream(Layout):
    """A streaming site: series under ``/category/``, episodes at the root, JSON-LD watch counters."""

    pages = ("/about", "/dmca", "/contact-us", "/anime-list", "/genre/action", "/genre/fantasy", "/genre/comedy")

    def title_path(self, site: FixtureSite, title: Title) -> str:
        return f"/category/{title.slug}"

    def chapter_path(self, site: FixtureSite, title: Title, n: int) -> str:
        return f"/{title.slug}-episode-{n}"

    def sitemap(self, site: FixtureSite, path: str, base: str) -> Response | None:
        titles, chapters = self.catalogue_paths(site)
        if path == "/robots.txt":
            return PlainTextResponse(f"User-agent: *\nSitemap: {base}/sitemap.xml\n")
        if path == "/sitemap.xml":
            return urlset(base, [*self.pages, *titles, *chapters])
        return None

    def title_page(self, site: FixtureSite, title: Title, views: int) -> str:
        data = {
            "@context": "https://schema.org",
            "@type": "TVSeries",
            "name": title.name,
            "interactionStatistic": [
                {
                    "@type": "InteractionCounter",
                    "interactionType": "https://schema.org/LikeAction",
                    "userInteractionCount": 42,
                },
                {
                    "@type": "InteractionCounter",
                    "interactionType": {"@type": "WatchAction"},
                    "userInteractionCount": views,
                },
            ],
        }
        head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
        links = "".join(
            f'<li><a href="{self.chapter_path(site, title, n)}">EP {n}</a></li>' for n in range(1, title.chapters + 1)
        )
        body = (
            f'<div class="anime_info_body"><h1>{html.escape(title.name)}</h1><ul id="episode_page">{links}</ul></div>'
        )
        return page(site, f"{title.name} at {site.site_title}", body, head)

    def chapter_page(self, site: FixtureSite, title: Title, n: int) -> str:
        body = (
            f"<h1>{html.escape(title.name)} Episode {n} English Subbed</h1>"
            f'<div class="views">{n * 1000 + 7:,} views</div><iframe src="/embed/{title.slug}-{n}"></iframe>'
        )
        return page(site, f"Watch {title.name} Episode {n} English Subbed at {site.site_title}", body)


class MadaraWordPress(Madara):
    """Madara with a custom manga base and WordPress core sitemaps (no robots.txt, no Yoast)."""

    pages = ("/bookmarks/", "/privacy-policy/")

    def title_path(self, site: FixtureSite, title: Title) -> str:
        return f"/manhwa-raw/{title.slug}/"

    def chapter_path(self, site: FixtureSite, title: Title, n: int) -> str:
        return f"/manhwa-raw/{title.slug}/chapter-{n}/"

    def sitemap(self, site: FixtureSite, path: str, base: str) -> Response | None:
        # WordPress core lists a post type's posts 2,000 to a file; here two files of titles and chapters
        posts = [
            path
            for t in site.titles
            for path in [self.title_path(site, t), *(self.chapter_path(site, t, n) for n in range(1, t.chapters + 1))]
        ]
        half = len(posts) // 2
        maps = {
            "/wp-sitemap-posts-wp-manga-1.xml": posts[:half],
            "/wp-sitemap-posts-wp-manga-2.xml": posts[half:],
            "/wp-sitemap-posts-page-1.xml": list(self.pages),
            "/wp-sitemap-taxonomies-wp-manga-genre-1.xml": ["/manga-genre/action/", "/manga-genre/fantasy/"],
            "/wp-sitemap-users-1.xml": ["/author/admin/"],
        }
        if path == "/wp-sitemap.xml":
            return sitemap_index(base, list(maps))
        if path in maps:
            return urlset(base, maps[path])
        return None

    def counter(self, site: FixtureSite, views: int) -> str:
        return (
            '<div class="post-content_item"><div class="summary-heading"><h5>Rank</h5></div>'
            f'<div class="summary-content"> 5th, it has {kilo(views)} monthly views </div></div>'
        )

    def title_page(self, site: FixtureSite, title: Title, views: int) -> str:
        head = f'<meta property="og:title" content="{html.escape(title.name)} - {html.escape(title.alt or "")} Raw">'
        body = (
            f'<div class="post-title"><h1>{html.escape(title.name)}</h1></div>{self.counter(site, views)}'
            f'<ul class="main version-chap">{self.chapter_links(site, title)}</ul>'
        )
        return page(site, f"{title.name} Raw - {site.site_title}", body, head)


class Themesia(Layout):
    """MangaReader / MangaStream ("ts" themes): chapters are WordPress posts at the site root."""

    pages = ("/bookmark/", "/dmca/", "/manga/")

    def title_path(self, site: FixtureSite, title: Title) -> str:
        return f"/manga/{title.slug}/"

    def chapter_path(self, site: FixtureSite, title: Title, n: int) -> str:
        return f"/{title.slug}-chapter-{n}/"

    def sitemap(self, site: FixtureSite, path: str, base: str) -> Response | None:
        titles, chapters = self.catalogue_paths(site)
        if path == "/robots.txt":
            return PlainTextResponse(f"User-agent: *\nSitemap: {base}/sitemap_index.xml\n")
        if path == "/sitemap_index.xml":
            return sitemap_index(base, ["/post-sitemap.xml", "/page-sitemap.xml", "/manga-sitemap.xml"])
        if path == "/post-sitemap.xml":
            return urlset(base, chapters)
        if path == "/page-sitemap.xml":
            return urlset(base, list(self.pages))
        if path == "/manga-sitemap.xml":
            return urlset(base, titles)
        return None

    def counter(self, site: FixtureSite, views: int) -> str:
        return (
            f'<div class="bmc">Followed by {views // 7:,} people</div>'
            '<div class="post-views content-post"><span class="post-views-icon dashicons dashicons-chart-bar"></span>'
            f'<span class="post-views-label">Post Views: </span><span class="post-views-count">{views:,}</span></div>'
        )

    def title_page(self, site: FixtureSite, title: Title, views: int) -> str:
        links = "".join(
            f'<li data-num="{n}"><a href="{self.chapter_path(site, title, n)}"><span class="chapternum">Chapter {n}</span></a></li>'
            for n in range(title.chapters, 0, -1)
        )
        body = (
            f'<div class="seriestucon"><h1 class="entry-title">{html.escape(title.name)}</h1>'
            f'{self.counter(site, views)}<div id="chapterlist"><ul>{links}</ul></div></div>'
        )
        return page(site, f"{title.name} - {site.site_title}", body)

    def chapter_page(self, site: FixtureSite, title: Title, n: int) -> str:
        reader = json.dumps({"sources": [{"source": "Server 1", "images": ["/p/1.jpg"]}], "prevUrl": "", "nextUrl": ""})
        body = f'<h1 class="entry-title">{html.escape(title.name)} Chapter {n}</h1><script>ts_reader.run({reader});</script>'
        return page(site, f"{title.name} Chapter {n} - {site.site_title}", body)


LAYOUTS: dict[str, Layout] = {
    "madara": Madara(),
    "generic-en": Layout(),
    "generic-vi": Layout(),
    "flatmanga": FlatManga(),
    "truyenqq": TruyenQQ(),
    "anime": AnimeStream(),
    "madara-wp": MadaraWordPress(),
    "themesia": Themesia(),
}
