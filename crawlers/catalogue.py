"""Which URLs of a site's sitemaps are title pages and which are chapters (or episodes).

Pirate templates shape their URLs in many ways — ``/manga/one-piece/chapter-12/`` (Madara),
``/manga/one-piece/`` with ``/one-piece-chapter-12/`` (MangaReader / MangaStream),
``/truyen-tranh/dao-hai-tac-128`` with ``…-128-chap-1100.html`` (TruyenQQ),
``/manga-one-piece-raw.html`` with ``/read-one-piece-raw-chapter-12.html`` (FlatManga),
``/category/one-piece`` with ``/one-piece-episode-3`` (streaming sites) — so instead of a list of
path patterns the classifier reads the structure of the site's own URLs:

1. **Chapter markers**: a last path segment ending in a number, with a chapter word
   (``chapter-12``, ``chap-3``, ``ep-7``, ``tập-5``, ``第12話``, ``12화``: *strong*) or without (``/12``: *weak*).
2. **Relations**: a marked URL is a chapter of another listed URL when it is its child
   (``/x/`` → ``/x/chapter-1/``), or when the text before its marker — or, for ``/x/chap-1``, its
   parent segment — names that URL's slug (``one-piece-chapter-12`` → ``…/one-piece/``). Slugs are
   compared without numeric IDs (``dao-hai-tac-91``) and without the template's affix words
   (``manga-…-raw``, ``read-…``), the common ones and those most of the site's slugs share.
   Weakly marked children count only under a confirmed title or as two or more numbered siblings.
   A URL with chapters is a title.
3. **Templates**: a URL's template is its path with the segments that are not the site's fixed
   words replaced by ``*``. When a tenth of a template's URLs are confirmed titles (a quarter for a
   template without a fixed word, like ``/*``, which also holds the site's pages), the rest of the
   template are titles too (titles without chapters yet), except pages like ``/about/`` or
   ``/dmca/``; when half are confirmed chapters, the rest with a chapter marker are chapters.
4. **Priors**, for what structure leaves open: the sitemap's name says what it holds (WordPress
   ``wp-sitemap-posts-wp-manga-1.xml``, Yoast ``manga-sitemap.xml``, ``chapter-sitemap.xml``;
   ``page-``, ``category-``, ``genre-``, ``author-`` sitemaps hold no titles), then the known path
   patterns (``/manga/slug/``, ``/truyen-tranh/slug``, …).

Chapters listed without their title page imply one title per series (numbered siblings).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

TITLE = "title"
CHAPTER = "chapter"

_EXTENSION = re.compile(r"\.(?:html?|php\d?|aspx?|jsp|shtml)$")
_CHAPTER_WORDS = (
    r"chapter|chapitre|capitulo|capítulo|kapitel|chap|ch|chuong|chương|episode|episodio|episódio|ep|eps|"
    r"tap|tập|hoi|hồi|bolum|bölüm|vol|volume|raw-chapter"
)
#: "…-chapter-12", "chap-12", "ep12", "…-12" (weak), "12-5" (chapter 12.5)
_MARKER = re.compile(r"(?:^|[-_ .])(?:(?P<word>" + _CHAPTER_WORDS + r")[-_ .]?)?(?P<num>\d{1,7}(?:[-_.]\d{1,2})?)$")
_CHAPTER_WORD = re.compile(_CHAPTER_WORDS)
#: "第12話", "12話", "12화", "第12集"
_CJK_MARKER = re.compile(r"(?:第)?(?P<num>\d{1,6}(?:[.]\d{1,2})?)(?:話|话|集|回|화|章|巻|卷|권)$")
_WORD_SPLIT = re.compile(r"[-_ .]+")
_LANGUAGE = re.compile(r"^[a-z]{2}(?:-[a-z]{2,4})?$")
#: page numbers, not chapters
_PAGINATION = {"page", "p", "paged", "pg", "trang", "comment-page", "pagina", "seite", "страница"}
#: listing sections: their children are titles, not chapters
_SECTIONS = {
    "manga", "mangas", "manhwa", "manhua", "comic", "comics", "komik", "series", "serie", "title", "titles",
    "truyen", "truyen-tranh", "anime", "animes", "novel", "novels", "webtoon", "webtoons", "book", "books",
    "work", "works", "read", "watch", "story", "stories", "category", "categories", "genre", "genres", "tag",
    "tags", "author", "authors", "artist", "post", "posts", "chapter", "chapters", "episode", "episodes",
    "movie", "movies", "tv", "show", "shows", "drama", "raw", "list", "the-loai", "tac-gia",
}  # fmt: skip
#: pages that share a template with titles but are not titles
_NOT_TITLES = re.compile(
    r"^(?:about(?:-us)?|contact(?:-us)?|dmca|privacy(?:-policy)?|terms(?:-of-(?:service|use))?|tos|faq|help|home|"
    r"index|bookmarks?|history|login|log-in|register|sign-?up|search|advanced-search|latest(?:-updates?)?|new|"
    r"popular|ranking|top|genres?|tags?|categories|category|a-z|az-list|.*-list|list|completed|ongoing|random|"
    r"user|profile|account|sitemap|feed|rss|report|request|donate|discord|app|download|news|blog|schedule|"
    r"calendar|cookie-policy|disclaimer|copyright|lien-he|gioi-thieu|chinh-sach.*|dieu-khoan.*)$"
)
#: words templates put around a slug ("manga-one-piece-raw", "read-one-piece-raw-chapter-12")
_AFFIXES = {
    "manga", "read", "raw", "comic", "comics", "truyen", "doc", "xem", "watch", "anime", "online", "free",
    "manhwa", "manhua", "webtoon", "novel", "vietsub", "engsub", "sub", "dub", "english", "full", "hd", "series",
}  # fmt: skip
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


#: a slug form shared by more URLs than this is too vague to name a series
_MAX_NAMESAKES = 4


@dataclass(frozen=True)
class Listed:
    """A URL a sitemap listed (`sitemap`: that file's URL), or a link seen on a page (not counted)."""

    url: str
    sitemap: str = ""
    counted: bool = True


@dataclass(frozen=True)
class _Parsed:
    segments: tuple[str, ...]
    strength: str | None  # "strong", "weak" or None
    stem: str  # the text before the marker in the marked segment ("one-piece" of "one-piece-chapter-12")
    at: int  # index of the marked segment
    number: float


@dataclass
class SiteCatalogue:
    """Title and chapter URLs of a site, and how each listed URL was classified."""

    titles: list[str] = field(default_factory=list)
    chapters: list[str] = field(default_factory=list)
    #: series whose chapters are listed but whose own page is not (one key each)
    implied_titles: list[str] = field(default_factory=list)
    #: URL → "title" / "chapter" for every URL looked at (links seen on pages included)
    kinds: dict[str, str] = field(default_factory=dict)
    title_templates: set[tuple[str, ...]] = field(default_factory=set)
    chapter_templates: set[tuple[str, ...]] = field(default_factory=set)
    _common: dict[int, set[str]] = field(default_factory=dict)

    @property
    def title_count(self) -> int:
        """Titles listed, plus the series implied by their chapters."""
        return len(self.titles) + len(self.implied_titles)

    def kind_of(self, url: str) -> str | None:
        """ "title", "chapter" or None for any URL of the site, listed or not (by its template, then priors)."""
        if url in self.kinds:
            return self.kinds[url]
        parsed = _parse(url)
        template = _template(parsed, self._common)
        if template in self.chapter_templates and parsed.strength:
            return CHAPTER
        if template in self.title_templates and parsed.strength != "strong" and not _not_a_title(parsed):
            return TITLE
        return url_prior(url)


def _segments(url: str) -> tuple[str, ...]:
    # string operations, not urlsplit: this runs for every URL of sitemaps of up to 200,000 URLs
    rest = url.partition("://")[2] or url
    path = "/" + rest.partition("/")[2]
    path = path.partition("?")[0].partition("#")[0]
    if "%" in path:
        path = unquote(path)
    if not path.isascii():
        path = unicodedata.normalize("NFC", path)
    segments = [s for s in path.lower().split("/") if s]
    if segments:
        segments[-1] = _EXTENSION.sub("", segments[-1])
    return tuple(s for s in segments if s)


def _marker(segment: str) -> tuple[str | None, str, float]:
    """(strength, stem, number) of a path segment: ``"one-piece-chapter-12"`` → ("strong", "one-piece", 12)."""
    cjk = None if segment.isascii() else _CJK_MARKER.search(segment)
    if cjk:
        return "strong", segment[: cjk.start()].rstrip("-_ ."), float(cjk.group("num"))
    match = _MARKER.search(segment)
    if not match:
        return None, segment, 0.0
    number = float(match.group("num").replace("-", ".", 1).replace("_", ".", 1))
    stem = segment[: match.start()].rstrip("-_ .")
    return ("strong" if match.group("word") else "weak"), stem, number


def _parse(url: str) -> _Parsed:
    segments = _segments(url)
    if not segments:
        return _Parsed(segments, None, "", -1, 0.0)
    strength, stem, number = _marker(segments[-1])
    at = len(segments) - 1
    if len(segments) >= 2 and strength != "strong":
        # NetTruyen: /truyen-tranh/slug/chap-1100/1045321: the last segment is an ID after the marker
        before = _marker(segments[-2])
        if before[0] == "strong" and re.fullmatch(r"\d+|[0-9a-f]{6,}", segments[-1]):
            return _Parsed(segments, "strong", before[1], len(segments) - 2, before[2])
        # /anime/slug/episode/12: the chapter word and its number in two segments
        if strength == "weak" and not stem and _CHAPTER_WORD.fullmatch(segments[-2]):
            return _Parsed(segments, "strong", "", len(segments) - 2, number)
    if strength == "weak" and not stem and len(segments) >= 2 and segments[-2] in _PAGINATION:
        strength = None
    if strength and stem.rsplit("-", 1)[-1] in _PAGINATION:
        strength = None
    return _Parsed(segments, strength, stem, at, number)


def _not_a_title(parsed: _Parsed) -> bool:
    return not parsed.segments or bool(_NOT_TITLES.match(parsed.segments[-1]))


def _keys(slug: str, affixes: set[str]) -> list[str]:
    """Forms of a slug that identify a series, most specific first: as is, without numeric IDs, without affixes."""
    base = re.sub(r"[-_ .]+", "-", slug).strip("-")
    forms = dict.fromkeys([base, re.sub(r"^\d+-", "", base), re.sub(r"-\d+$", "", base)])
    for form in list(forms):
        parts = form.split("-")
        while len(parts) > 1 and parts[0] in affixes:
            parts = parts[1:]
            forms["-".join(parts)] = None
        while len(parts) > 1 and parts[-1] in affixes:
            parts = parts[:-1]
            forms["-".join(parts)] = None
    return [f for f in forms if f and not f.isdigit()]


def _template(parsed: _Parsed, common: dict[int, set[str]]) -> tuple[str, ...]:
    """The URL's path with its rare segments as ``*`` and a chapter-marked one as ``#``.

    A weak marker does not change the template: ``dao-hai-tac-91`` is a slug with an ID, like the
    other titles of its template.
    """
    strong = parsed.strength == "strong"
    parts = []
    for position, segment in enumerate(parsed.segments):
        if position == parsed.at and strong:
            parts.append("#")
        elif segment in common.get(position, ()):
            parts.append(segment)
        else:
            parts.append("*")
    return (*parts, "chapter" if strong else "-")


def _literal_segments(parsed: list[_Parsed]) -> dict[int, set[str]]:
    """The site's fixed words by position: segments followed by several different slugs (``manga/…``).

    Followers that are chapters or bare numbers do not count, so a series slug (followed by its
    chapters) stays a variable part.
    """
    followers: dict[tuple[int, str], set[str]] = defaultdict(set)
    for p in parsed:
        for position in range(len(p.segments) - 1):
            after = p.segments[position + 1]
            if (position + 1 == p.at and p.strength == "strong") or after.isdigit():
                continue
            followers[(position, p.segments[position])].add(after)
    floor = max(2, len(parsed) // 100)
    common: dict[int, set[str]] = defaultdict(set)
    for (position, segment), seen_after in followers.items():
        if len(seen_after) >= floor:
            common[position].add(segment)
    return dict(common)


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
    parsed = _parse(url)
    if parsed.strength == "strong":
        return CHAPTER
    path = urlsplit(url).path
    if _TITLE_PRIOR.search(path) and not _not_a_title(parsed):
        return TITLE
    return None


def _learned_affixes(parsed: list[_Parsed]) -> set[str]:
    """Affix words of this site: first or last words shared by a quarter of its slugs."""
    firsts: Counter[str] = Counter()
    lasts: Counter[str] = Counter()
    for p in parsed:
        if p.segments:
            words = _WORD_SPLIT.split(p.stem if p.strength else p.segments[-1])
            if len(words) > 1:
                firsts[words[0]] += 1
                lasts[words[-1]] += 1
    floor = max(3, len(parsed) // 4)
    return {w for counter in (firsts, lasts) for w, n in counter.items() if n >= floor and not w.isdigit()}


class _Classifier:
    """One classification: the listed URLs, their parsed shapes, the site's affixes and fixed words."""

    def __init__(self, listed: Iterable[Listed]) -> None:
        entries: dict[str, Listed] = {}
        for item in listed:
            known = entries.get(item.url)
            if known is None or (item.counted and not known.counted):
                entries[item.url] = item
        self.entries = entries
        self.urls = list(entries)
        self.parsed = [_parse(u) for u in self.urls]
        self.affixes = _AFFIXES | _learned_affixes(self.parsed)
        self.common = _literal_segments(self.parsed)
        self.kinds: dict[int, str] = {}
        self.implied: list[str] = []
        self.title_templates: set[tuple[str, ...]] = set()
        self.chapter_templates: set[tuple[str, ...]] = set()
        sitemaps = {e.sitemap for e in entries.values() if e.sitemap}
        kind_of_sitemap = {s: sitemap_kind(s) for s in sitemaps}
        self.prior_of = [kind_of_sitemap.get(entries[u].sitemap) for u in self.urls]
        self._keys_of: dict[str, list[str]] = {}
        # title candidates: by exact path, and by every key form of their last segment
        self.by_path = {p.segments: i for i, p in enumerate(self.parsed) if p.segments and p.strength != "strong"}
        self.by_key: dict[str, set[int]] = defaultdict(set)
        for i, p in enumerate(self.parsed):
            if p.segments and p.strength != "strong":
                for key in self._keys(p.segments[-1]):
                    self.by_key[key].add(i)

    def _keys(self, slug: str) -> list[str]:
        if slug not in self._keys_of:  # the chapters of one series share their stem
            self._keys_of[slug] = _keys(slug, self.affixes)
        return self._keys_of[slug]

    def _counted(self, i: int) -> bool:
        return self.entries[self.urls[i]].counted

    def parents_of(self, i: int) -> set[int]:
        """The listed URLs that marked URL `i` is a chapter of: its parent path, or the slug it names."""
        p = self.parsed[i]
        found: set[int] = set()
        parent_path = p.segments[: p.at]
        if parent_path and parent_path in self.by_path and parent_path[-1] not in _SECTIONS:
            found.add(self.by_path[parent_path])
        slug = p.stem
        if not slug:  # "/x/chapter-3": the series is the nearest meaningful segment above
            slug = next((s for s in reversed(parent_path) if not s.isdigit() and not _LANGUAGE.match(s)), "")
        if slug and slug not in _SECTIONS:
            # the most specific form that names anything; a form naming many URLs names no one
            for key in self._keys(slug):
                hits = self.by_key.get(key)
                if hits:
                    if len(hits) <= _MAX_NAMESAKES:
                        found |= hits
                    break
        found.discard(i)
        return {j for j in found if self.parsed[j].segments[-1] not in _SECTIONS}

    def link(self) -> dict[tuple[tuple[str, ...], str], list[int]]:
        """Chapters with their titles (step 2); returns the marked URLs that name no listed title."""
        weak_children: dict[int, list[int]] = defaultdict(list)
        unlinked: dict[tuple[tuple[str, ...], str], list[int]] = defaultdict(list)
        titles: set[int] = set()
        for i, p in enumerate(self.parsed):
            if not p.strength:
                continue
            parents = self.parents_of(i)
            if p.strength == "strong":
                if parents:
                    self.kinds[i] = CHAPTER
                    titles |= parents
                else:
                    unlinked[(p.segments[: p.at], p.stem)].append(i)
            else:
                for parent in parents:
                    weak_children[parent].append(i)
                if not parents and p.number <= 9999:  # larger bare numbers are IDs, not chapter numbers
                    unlinked[(p.segments[: p.at], p.stem)].append(i)
        for parent, children in weak_children.items():
            if parent in titles or len(children) >= 2:
                titles.add(parent)
                for child in children:
                    self.kinds.setdefault(child, CHAPTER)
        for i in titles:
            self.kinds[i] = TITLE  # a URL with chapters is a title, even if it ends in a number
        return unlinked

    def imply(self, unlinked: dict[tuple[tuple[str, ...], str], list[int]]) -> None:
        """Numbered siblings whose series page is not listed: chapters, and one implied title each (step 5)."""
        for (parent_path, stem), group in unlinked.items():
            members = [m for m in group if m not in self.kinds]
            series = stem or (parent_path[-1] if parent_path else "")
            strong = bool(members) and self.parsed[members[0]].strength == "strong"
            if len(members) < (2 if strong else 3) or len(series) < 3 or series in _SECTIONS:
                continue
            for m in members:
                self.kinds[m] = CHAPTER
            if any(self._counted(m) for m in members):
                self.implied.append("/".join((*parent_path, stem)) if stem else "/".join(parent_path))

    def generalise(self) -> None:
        """Templates with enough confirmed titles (or chapters) speak for their other URLs (step 3)."""
        members_of: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i, p in enumerate(self.parsed):
            members_of[_template(p, self.common)].append(i)
        for template, members in members_of.items():
            # shares are of the listed URLs: links seen on pages only confirm
            base = len([m for m in members if self._counted(m)]) or len(members)
            confirmed_titles = sum(1 for m in members if self.kinds.get(m) == TITLE)
            confirmed_chapters = sum(1 for m in members if self.kinds.get(m) == CHAPTER)
            # a template with a fixed word ("/read-online/*") is specific: a tenth speaks for it; a
            # bare "/*" also holds the site's pages: a quarter
            share = 10 if any(part not in {"*", "#", "-", "chapter"} for part in template) else 4
            if confirmed_titles and confirmed_titles * share >= base:
                self.title_templates.add(template)
                for m in members:
                    open_question = m not in self.kinds and self.parsed[m].strength != "strong"
                    if open_question and self.prior_of[m] != "other" and not _not_a_title(self.parsed[m]):
                        self.kinds[m] = TITLE
            elif confirmed_chapters and confirmed_chapters * 2 >= base:
                self.chapter_templates.add(template)
                for m in members:
                    if m not in self.kinds and self.parsed[m].strength and self.prior_of[m] != "other":
                        self.kinds[m] = CHAPTER

    def apply_priors(self) -> None:
        """What structure left open: the sitemap's name, then the known path patterns (step 4)."""
        for i, url in enumerate(self.urls):
            if i in self.kinds or not self.parsed[i].segments:
                continue
            prior = self.prior_of[i]
            if prior == CHAPTER:
                self.kinds[i] = CHAPTER
            elif prior == TITLE:
                if self.parsed[i].strength == "strong":
                    self.kinds[i] = CHAPTER
                elif not _not_a_title(self.parsed[i]):
                    self.kinds[i] = TITLE
            elif prior is None:
                guess = url_prior(url)
                if guess:
                    self.kinds[i] = guess

    def catalogue(self) -> SiteCatalogue:
        catalogue = SiteCatalogue(
            implied_titles=self.implied,
            title_templates=self.title_templates,
            chapter_templates=self.chapter_templates,
            _common=self.common,
        )
        for i, url in enumerate(self.urls):
            kind = self.kinds.get(i)
            if kind is None:
                continue
            catalogue.kinds[url] = kind
            if self._counted(i):
                (catalogue.titles if kind == TITLE else catalogue.chapters).append(url)
        return catalogue


def classify(listed: Iterable[Listed]) -> SiteCatalogue:
    """Classify a site's listed URLs (see the module docstring for the steps)."""
    classifier = _Classifier(listed)
    classifier.imply(classifier.link())
    classifier.generalise()
    classifier.apply_priors()
    return classifier.catalogue()
