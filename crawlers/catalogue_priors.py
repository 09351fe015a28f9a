"""What a URL's kind probably is when its site's structure says nothing (step 4 of the classification).

Two priors: the name of the sitemap that listed the URL (WordPress and Yoast name sitemaps after the
post type they hold), and the path patterns the classifier once relied on alone. They are kept apart
from the structural steps because they are guesses, used only for what those steps leave open.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawlers.catalogue_urls import not_a_title, parse
from crawlers.catalogue_words import CHAPTER, TITLE

#: sitemap names: what a post type or taxonomy holds
_SITEMAP_TITLE_WORDS = {
    "manga", "mangas", "manhwa", "manhua", "comic", "comics", "komik", "webtoon", "webtoons", "series", "title",
    "titles", "book", "books", "novel", "novels", "story", "stories", "truyen", "anime", "animes", "movie",
    "movies", "tv", "tvshows", "show", "shows", "drama", "dramas", "works",
}  # fmt: skip
_SITEMAP_CHAPTER_WORDS = {"chapter", "chapters", "chap", "chaps", "episode", "episodes", "ep", "eps", "chuong", "tap"}
_SITEMAP_OTHER_WORDS = {
    "page", "pages", "category", "categories", "tag", "tags", "post_tag", "genre", "genres", "author", "authors",
    "artist", "artists", "user", "users", "taxonomies", "taxonomy", "type", "status", "year", "release", "studio",
    "cast", "director", "news", "blog", "attachment", "image", "images", "local", "format", "the-loai",
}  # fmt: skip
_SITEMAP_NOISE = {"sitemap", "sitemaps", "wp", "posts", "xml", "gz", "index", "post-type", "pt"}
#: the former path patterns, now only a prior for URLs structure says nothing about
_TITLE_PRIOR = re.compile(
    r"/(?:manga|manhwa|manhua|comic|comics|komik|title|titles|series|truyen|truyen-tranh|anime|novel|webtoon|"
    r"book|works?|read|story)/[^/]+/?$",
    re.IGNORECASE,
)


def sitemap_kind(sitemap_url: str) -> str | None:
    """What a sitemap's name says it holds: "title", "chapter", "other" or None (``post-sitemap.xml``).

    Taxonomies and users hold no titles even when named after a manga post type
    (``wp-sitemap-taxonomies-wp-manga-genre-1.xml``).
    """
    parts = urlsplit(sitemap_url)
    name = parts.path.rsplit("/", 1)[-1].lower()
    if parts.query:  # ?sitemap=manga&n=1 (old plugins)
        name += "-" + parts.query.lower()
    name = re.sub(r"\.(?:xml|gz|txt)", "", name)
    words = {w for w in re.split(r"[-_.=&/]+|\d+", name) if w} - _SITEMAP_NOISE
    if words & _SITEMAP_OTHER_WORDS:
        return "other"
    if words & _SITEMAP_CHAPTER_WORDS:
        return CHAPTER
    if words & _SITEMAP_TITLE_WORDS:
        return TITLE
    return None


def url_prior(url: str) -> str | None:
    """A URL's kind from its own shape alone (a strong chapter marker, then the known title paths)."""
    parsed = parse(url)
    if parsed.strength == "strong":
        return CHAPTER
    path = urlsplit(url).path
    if _TITLE_PRIOR.search(path) and not not_a_title(parsed):
        return TITLE
    return None
