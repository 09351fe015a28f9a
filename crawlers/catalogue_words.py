"""The words a site's URLs are read by: the two kinds of page, chapter markers, sections, affixes.

Kept apart from the code that reads them (:mod:`crawlers.catalogue_urls`, :mod:`crawlers.catalogue`)
because they are the part that grows: a new template's chapter word or affix is added here, and
nothing else changes.
"""

from __future__ import annotations

import re

TITLE = "title"
CHAPTER = "chapter"

EXTENSION = re.compile(r"\.(?:html?|php\d?|aspx?|jsp|shtml)$")
CHAPTER_WORDS = (
    r"chapter|chapitre|capitulo|capítulo|kapitel|chap|ch|chuong|chương|episode|episodio|episódio|ep|eps|"
    r"tap|tập|hoi|hồi|bolum|bölüm|vol|volume|raw-chapter"
)
#: "…-chapter-12", "chap-12", "ep12", "…-12" (weak), "12-5" (chapter 12.5)
MARKER = re.compile(r"(?:^|[-_ .])(?:(?P<word>" + CHAPTER_WORDS + r")[-_ .]?)?(?P<num>\d{1,7}(?:[-_.]\d{1,2})?)$")
CHAPTER_WORD = re.compile(CHAPTER_WORDS)
#: "第12話", "12話", "12화", "第12集"
CJK_MARKER = re.compile(r"(?:第)?(?P<num>\d{1,6}(?:[.]\d{1,2})?)(?:話|话|集|回|화|章|巻|卷|권)$")
WORD_SPLIT = re.compile(r"[-_ .]+")
LANGUAGE = re.compile(r"^[a-z]{2}(?:-[a-z]{2,4})?$")
#: page numbers, not chapters
PAGINATION = {"page", "p", "paged", "pg", "trang", "comment-page", "pagina", "seite", "страница"}
#: listing sections: their children are titles, not chapters
SECTIONS = {
    "manga", "mangas", "manhwa", "manhua", "comic", "comics", "komik", "series", "serie", "title", "titles",
    "truyen", "truyen-tranh", "anime", "animes", "novel", "novels", "webtoon", "webtoons", "book", "books",
    "work", "works", "read", "watch", "story", "stories", "category", "categories", "genre", "genres", "tag",
    "tags", "author", "authors", "artist", "post", "posts", "chapter", "chapters", "episode", "episodes",
    "movie", "movies", "tv", "show", "shows", "drama", "raw", "list", "the-loai", "tac-gia",
}  # fmt: skip
#: pages that share a template with titles but are not titles
NOT_TITLES = re.compile(
    r"^(?:about(?:-us)?|contact(?:-us)?|dmca|privacy(?:-policy)?|terms(?:-of-(?:service|use))?|tos|faq|help|home|"
    r"index|bookmarks?|history|login|log-in|register|sign-?up|search|advanced-search|latest(?:-updates?)?|new|"
    r"popular|ranking|top|genres?|tags?|categories|category|a-z|az-list|.*-list|list|completed|ongoing|random|"
    r"user|profile|account|sitemap|feed|rss|report|request|donate|discord|app|download|news|blog|schedule|"
    r"calendar|cookie-policy|disclaimer|copyright|lien-he|gioi-thieu|chinh-sach.*|dieu-khoan.*)$"
)
#: words templates put around a slug ("manga-one-piece-raw", "read-one-piece-raw-chapter-12")
AFFIXES = {
    "manga", "read", "raw", "comic", "comics", "truyen", "doc", "xem", "watch", "anime", "online", "free",
    "manhwa", "manhua", "webtoon", "novel", "vietsub", "engsub", "sub", "dub", "english", "full", "hd", "series",
}  # fmt: skip
