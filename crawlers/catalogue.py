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

The words these steps read are in :mod:`crawlers.catalogue_words`, a URL's shape (segments,
markers, slug keys, templates) in :mod:`crawlers.catalogue_urls`, the priors in
:mod:`crawlers.catalogue_priors`; this module holds the classification itself and its result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from crawlers.catalogue_priors import sitemap_kind, url_prior
from crawlers.catalogue_urls import (
    learned_affixes,
    literal_segments,
    not_a_title,
    parse,
    slug_keys,
    template_of,
)
from crawlers.catalogue_words import AFFIXES, CHAPTER, LANGUAGE, SECTIONS, TITLE

#: a slug form shared by more URLs than this is too vague to name a series
_MAX_NAMESAKES = 4


@dataclass(frozen=True)
class Listed:
    """A URL a sitemap listed (`sitemap`: that file's URL), or a link seen on a page (not counted)."""

    url: str
    sitemap: str = ""
    counted: bool = True


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
        parsed = parse(url)
        template = template_of(parsed, self._common)
        if template in self.chapter_templates and parsed.strength:
            return CHAPTER
        if template in self.title_templates and parsed.strength != "strong" and not not_a_title(parsed):
            return TITLE
        return url_prior(url)


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
        self.parsed = [parse(u) for u in self.urls]
        self.affixes = AFFIXES | learned_affixes(self.parsed)
        self.common = literal_segments(self.parsed)
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
            self._keys_of[slug] = slug_keys(slug, self.affixes)
        return self._keys_of[slug]

    def _counted(self, i: int) -> bool:
        return self.entries[self.urls[i]].counted

    def parents_of(self, i: int) -> set[int]:
        """The listed URLs that marked URL `i` is a chapter of: its parent path, or the slug it names."""
        p = self.parsed[i]
        found: set[int] = set()
        parent_path = p.segments[: p.at]
        if parent_path and parent_path in self.by_path and parent_path[-1] not in SECTIONS:
            found.add(self.by_path[parent_path])
        slug = p.stem
        if not slug:  # "/x/chapter-3": the series is the nearest meaningful segment above
            slug = next((s for s in reversed(parent_path) if not s.isdigit() and not LANGUAGE.match(s)), "")
        if slug and slug not in SECTIONS:
            # the most specific form that names anything; a form naming many URLs names no one
            for key in self._keys(slug):
                hits = self.by_key.get(key)
                if hits:
                    if len(hits) <= _MAX_NAMESAKES:
                        found |= hits
                    break
        found.discard(i)
        return {j for j in found if self.parsed[j].segments[-1] not in SECTIONS}

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
            if len(members) < (2 if strong else 3) or len(series) < 3 or series in SECTIONS:
                continue
            for m in members:
                self.kinds[m] = CHAPTER
            if any(self._counted(m) for m in members):
                self.implied.append("/".join((*parent_path, stem)) if stem else "/".join(parent_path))

    def generalise(self) -> None:
        """Templates with enough confirmed titles (or chapters) speak for their other URLs (step 3)."""
        members_of: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i, p in enumerate(self.parsed):
            members_of[template_of(p, self.common)].append(i)
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
                    if open_question and self.prior_of[m] != "other" and not not_a_title(self.parsed[m]):
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
                elif not not_a_title(self.parsed[i]):
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
