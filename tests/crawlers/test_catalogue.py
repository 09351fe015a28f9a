"""Title and chapter URLs inferred from the structure of a site's own URLs, in the shapes real themes use."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from crawlers.catalogue import Listed, classify
from crawlers.catalogue_priors import sitemap_kind, url_prior
from crawlers.catalogue_words import CHAPTER, TITLE

B = "https://site.test"
SLUGS = ["one-piece", "shingeki-no-kyojin", "jujutsu-kaisen", "kaiju-no-8", "chainsaw-man"]


def listed(paths: list[str], sitemap: str = "/sitemap.xml") -> list[Listed]:
    return [Listed(B + p, B + sitemap) for p in paths]


def counts(entries: list[Listed]) -> tuple[int, int]:
    catalogue = classify(entries)
    return catalogue.title_count, len(catalogue.chapters)


def chapters(shape: str, per_title: int = 3, slugs: list[str] = SLUGS) -> list[str]:
    return [shape.format(slug=s, n=n, i=100 + i) for i, s in enumerate(slugs) for n in range(1, per_title + 1)]


def titles(shape: str, slugs: list[str] = SLUGS) -> list[str]:
    return [shape.format(slug=s, i=100 + i) for i, s in enumerate(slugs)]


@pytest.mark.parametrize(
    ("layout", "entries", "expected"),
    [
        (
            "madara: chapters are children, both in the wp-manga sitemap",
            listed(
                [*titles("/manga/{slug}/"), *chapters("/manga/{slug}/chapter-{n}/")], "/wp-sitemap-posts-wp-manga-1.xml"
            ),
            (5, 15),
        ),
        (
            "mangareader: chapters are root posts named after the title",
            listed(titles("/manga/{slug}/"), "/manga-sitemap.xml")
            + listed(chapters("/{slug}-chapter-{n}/"), "/post-sitemap.xml")
            + listed(["/about/", "/dmca/", "/bookmark/"], "/page-sitemap.xml"),
            (5, 15),
        ),
        (
            "truyenqq: IDs in slugs, chapters as .html siblings",
            listed([*titles("/truyen-tranh/{slug}-{i}"), *chapters("/truyen-tranh/{slug}-{i}-chap-{n}.html")])
            + listed(["/the-loai/action.html", "/the-loai/comedy.html"]),
            (5, 15),
        ),
        (
            "nettruyen: a chapter ID after the chapter segment",
            listed([*titles("/truyen-tranh/{slug}-{i}"), *chapters("/truyen-tranh/{slug}/chap-{n}/9{i}{n}")]),
            (5, 15),
        ),
        (
            "flatmanga: affix words around the slug",
            listed([*titles("/manga-{slug}-raw.html"), "/manga-list.html", "/contact.html"], "/sitemaps/1.xml")
            + listed(chapters("/read-{slug}-raw-chapter-{n}.html"), "/sitemaps/2.xml"),
            (5, 15),
        ),
        (
            "streaming: series under /category/, episodes at the root, one flat sitemap",
            listed([*titles("/category/{slug}"), *chapters("/{slug}-episode-{n}")])
            + listed(["/genre/action", "/genre/comedy", "/genre/drama", "/about", "/dmca", "/contact-us"]),
            (5, 15),
        ),
        (
            "blogtruyen: an ID segment before the slug",
            listed([*titles("/{i}/{slug}"), *chapters("/c5{i}{n}/{slug}-chap-{n}")]),
            (5, 15),
        ),
        (
            "mangafire: a language segment between series and chapter",
            listed([*titles("/manga/{slug}.x{i}"), *chapters("/read/{slug}.x{i}/en/chapter-{n}")]),
            (5, 15),
        ),
        (
            "titles at the root, among pages",
            listed([*titles("/{slug}/"), *chapters("/{slug}/chapter-{n}/", slugs=SLUGS[:3])])
            + listed(["/about/", "/dmca/", "/contact-us/", "/privacy-policy/"]),
            (5, 9),
        ),
        (
            "numbered children under titles, some titles without chapters yet",
            listed([*titles("/series/{slug}"), *chapters("/series/{slug}/{n}", slugs=SLUGS[:2])]),
            (5, 6),
        ),
        (
            "the chapter word and its number in two segments",
            listed([*titles("/anime/{slug}/"), *chapters("/anime/{slug}/episode/{n}/")]),
            (5, 15),
        ),
        (
            "numeric IDs only: /comic/12345/ and /comic/12345/67890.html",
            listed([*titles("/comic/1{i}45/"), *chapters("/comic/1{i}45/6{n}89{i}.html", slugs=SLUGS[:4])]),
            (5, 12),
        ),
        (
            "only chapters listed: one implied title per series",
            listed(chapters("/{slug}-chapter-{n}/"), "/post-sitemap.xml"),
            (5, 15),
        ),
        (
            "a manga sitemap without chapters (priors from its name)",
            listed(titles("/komik/{slug}/"), "/wp-sitemap-posts-wp-manga-1.xml"),
            (5, 0),
        ),
        (
            "pagination and a blog are no catalogue",
            listed(["/page/2/", "/page/3/", "/page/4/", "/2023/05/hello/", "/2023/06/news-1/", "/tag/action/"]),
            (0, 0),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_layouts(layout: str, entries: list[Listed], expected: tuple[int, int]) -> None:
    assert counts(entries) == expected


def test_japanese_slugs_and_kanji_chapter_numbers() -> None:
    names = ["ワンピース", "進撃の巨人", "呪術廻戦"]
    paths = [f"/manga/{quote(t)}/" for t in names]
    paths += [f"/manga/{quote(t)}/{quote(f'第{n}話')}/" for t in names for n in range(1, 4)]
    assert counts(listed(paths)) == (3, 9)


def test_titles_without_chapters_follow_their_template_but_not_pages() -> None:
    paths = [*titles("/manhwa-raw/{slug}/"), *chapters("/manhwa-raw/{slug}/chapter-{n}/", slugs=SLUGS[:2])]
    catalogue = classify(listed(paths) + listed(["/manhwa-raw/"], "/page-sitemap.xml"))
    assert sorted(catalogue.titles) == sorted(B + p for p in titles("/manhwa-raw/{slug}/"))
    # a URL never seen in a sitemap is judged by the templates learned
    assert catalogue.kind_of(B + "/manhwa-raw/new-series/") == TITLE
    assert catalogue.kind_of(B + "/manhwa-raw/new-series/chapter-2/") == CHAPTER
    assert catalogue.kind_of(B + "/about/") is None


def test_links_seen_on_pages_confirm_structure_without_being_counted() -> None:
    # The sitemap lists titles of an unknown shape; a title page's links to its chapters show what they are.
    sitemap = listed(titles("/read-online/{slug}.html"))
    links = [Listed(B + "/read-online/one-piece/chapter-1.html", counted=False)]
    catalogue = classify([*sitemap, *links])
    assert (catalogue.title_count, len(catalogue.chapters)) == (5, 0)
    assert catalogue.kind_of(B + "/read-online/one-piece/chapter-1.html") == CHAPTER


def test_a_large_catalogue() -> None:
    slugs = [f"series-{i}-{('a', 'bb', 'ccc')[i % 3]}" for i in range(2000)]
    entries = listed(titles("/manga/{slug}/", slugs=slugs), "/manga-sitemap.xml")
    entries += listed(chapters("/{slug}-chapter-{n}/", per_title=20, slugs=slugs), "/post-sitemap.xml")
    assert counts(entries) == (2000, 40_000)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("/wp-sitemap-posts-wp-manga-1.xml", TITLE),
        ("/manga-sitemap.xml", TITLE),
        ("/sitemap-comics.xml", TITLE),
        ("/sitemap/truyen.xml", TITLE),
        ("/chapter-sitemap.xml", CHAPTER),
        ("/wp-sitemap-posts-episode-2.xml", CHAPTER),
        ("/wp-sitemap-taxonomies-wp-manga-genre-1.xml", "other"),
        ("/wp-sitemap-users-1.xml", "other"),
        ("/page-sitemap.xml", "other"),
        ("/post_tag-sitemap.xml", "other"),
        ("/post-sitemap2.xml", None),  # MangaReader chapters, or a blog: structure decides
        ("/sitemaps/1.xml", None),
    ],
)
def test_sitemap_names(name: str, kind: str | None) -> None:
    assert sitemap_kind(B + name) == kind


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/manga/one-piece/", TITLE),
        ("/truyen-tranh/dao-hai-tac", TITLE),
        ("/manga/one-piece/chapter-1100/", CHAPTER),
        ("/one-piece-chapter-1100/", CHAPTER),
        ("/series/spy-family/ep-12", CHAPTER),
        ("/manga/genres/", None),
        ("/about-us/", None),
        ("/", None),
    ],
)
def test_url_priors(path: str, kind: str | None) -> None:
    assert url_prior(B + path) == kind
