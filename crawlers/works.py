"""Works found: match the associations' catalogues against the titles a crawl read on a site.

Titles are compared after normalising both sides: NFKC (half-width katakana and full-width Latin
become their usual forms), case folding, punctuation and symbols removed, spaces collapsed. A
second, accent-free form (Vietnamese diacritics and ``đ`` removed, long vowels of romanised
Japanese flattened: ``Wan Pīsu`` → ``wan pisu``) is compared too, since pirate sites often drop
them. Page titles carry the site's name and the template's words ("ワンピース - 漫画RAW",
"Read One Piece Manga Online Free", "Đọc truyện tranh Đảo Hải Tặc Chap 1100", "呪術廻戦 第12話"):

- each part around a separator is scored as well;
- generic words at either end ("read", "manga", "raw", "online", "chapter 12", "第12話", "truyện
  tranh", "vietsub", "漫画", …) are dropped from the found side only, never from a catalogue title;
- a catalogue title found whole inside a longer text counts when the words on both sides of it
  are generic ones or the text's ends ("Read *Solo Leveling* Manga Online for Free at MangaSite"):
  "One Piece Film Red" does not contain "One Piece" that way, nor "Boruto Naruto Next Generations"
  "Naruto".

A found text made only of generic words names no work, and a catalogue title made only of them
("Raw", "Comic") matches only a whole text equal to it. Scores are rapidfuzz's ``ratio`` (0-100)
of the best pair; a framed containment scores 100.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from common.titles import fold_accents, normalize_title

_SEPARATORS = re.compile(r"\s+[-|–—:/»«]\s+|\s*[|｜【】「」『』《》〈〉]\s*")
#: chapter, episode and volume numbers in every form a page title prints them (after normalisation)
_NUMBERED = (
    r"(?:chapter|chap|ch|episode|ep|eps|vol|volume|season|tập|tap|chương|chuong|hồi|hoi|phần|phan|"
    r"capitulo|chapitre|bölüm|bolum|화|話)\s?\d+(?:\s\d{1,2})?|第?\s?\d+\s?(?:話|话|集|回|화|章|巻|卷|권)|\d+\s?(?:화|話|话)"
)
#: words templates put around a work's name (lower case, after normalisation); phrases first
_GENERIC = (
    r"truyện tranh|truyen tranh|thuyết minh|thuyet minh|mới nhất|moi nhat|light novel|online free|for free|"
    r"manga|manhwa|manhua|webtoon|comics?|raws?|read|reading|online|free|english|eng|subbed|sub|dubbed|dub|"
    r"scans?|scanlation|latest|full|hd|watch|anime|novel|series|vietsub|engsub|đọc|doc|xem|truyện|truyen|"
    r"漫画raw|raw漫画|漫画|まんが|マンガ|無料|最新話|最新刊|全話|読む|読み放題|만화|웹툰|무료|漫畫|免费|在线|在線|最新"
)
_PREFIX = re.compile(r"^(?:(?:" + _NUMBERED + "|" + _GENERIC + r")(?:\s|$))+")
_SUFFIX = re.compile(r"(?:(?:^|\s)(?:" + _NUMBERED + "|" + _GENERIC + r"|for|at))+$")
_GENERIC_ONLY = re.compile(r"^(?:(?:" + _NUMBERED + "|" + _GENERIC + r"|for|at|\d+)(?:\s|$))+$")
#: single words that may frame a title inside a longer text ("read X manga online", "X chapter 12")
_FRAME_WORDS = {
    "manga", "manhwa", "manhua", "webtoon", "comic", "comics", "raw", "raws", "read", "reading", "online",
    "free", "english", "eng", "sub", "subbed", "dub", "dubbed", "scan", "scans", "scanlation", "latest", "full",
    "hd", "watch", "anime", "novel", "series", "chapter", "chapters", "chap", "ch", "episode", "episodes", "ep",
    "eps", "vol", "volume", "season", "vietsub", "engsub", "doc", "đọc", "truyen", "truyện", "tranh", "xem",
    "chuong", "chương", "tap", "tập", "moi", "mới", "nhat", "nhất", "for", "at", "漫画", "無料", "最新話", "raw漫画",
}  # fmt: skip
#: a catalogue title this short (in characters) is too vague to be found inside a longer text
_MIN_FRAMED_CHARS = 4
#: the score of a title found whole, framed by generic words
FRAMED_SCORE = 100.0


def is_generic(form: str) -> bool:
    """Whether a normalised text is only template words and numbers ("manga raw chapter 1")."""
    return not form or bool(_GENERIC_ONLY.match(form))


def strip_generic(form: str) -> list[str]:
    """`form` (normalised) without generic words at its start, its end, and both (non-empty, distinct)."""
    no_prefix = _PREFIX.sub("", form).strip()
    no_suffix = _SUFFIX.sub("", form).strip()
    both = _SUFFIX.sub("", no_prefix).strip()
    return [f for f in dict.fromkeys([no_prefix, no_suffix, both]) if f and f != form]


def variants(text: str) -> list[str]:
    """The forms of a found text that are compared: the whole and its parts, with and without
    accents and generic words; forms made only of generic words are left out."""
    parts = [text, *(p for p in _SEPARATORS.split(text) if p.strip())]
    forms: dict[str, None] = {}
    for part in parts:
        norm = normalize_title(part)
        for form in (norm, *strip_generic(norm)):
            for candidate in (form, fold_accents(form)):
                if not is_generic(candidate):
                    forms[candidate] = None
    return list(forms)


@dataclass(frozen=True)
class SoughtTitle:
    """One title of one association's work, as the matcher looks for it."""

    work_id: int
    association_id: int
    language: str
    title: str


@dataclass(frozen=True)
class FoundText:
    """A title read on a page of the site (`names`: other names the page gives, e.g. og:title)."""

    url: str
    text: str
    content_sha256: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class TitleMatch:
    """One work matched on one page."""

    work_id: int
    association_id: int
    url: str
    title_found: str
    title_matched: str
    score: float
    content_sha256: str


def _framed(page_tokens: list[str], by_first: dict[str, list[tuple[tuple[str, ...], int]]]) -> list[int]:
    """Catalogue entries found whole in `page_tokens` with generic words (or nothing) on both sides."""
    hits = []
    for start, token in enumerate(page_tokens):
        for tokens, owner in by_first.get(token, ()):
            end = start + len(tokens)
            if tuple(page_tokens[start:end]) != tokens:
                continue
            left = page_tokens[start - 1] if start else None
            right = page_tokens[end] if end < len(page_tokens) else None
            framed = (left is None or left in _FRAME_WORDS) and (right is None or right in _FRAME_WORDS)
            if framed and (left is not None or right is not None):  # a whole text equal to it is the ratio's job
                hits.append(owner)
    return hits


def match_titles(found: Sequence[FoundText], catalogue: Sequence[SoughtTitle], threshold: float) -> list[TitleMatch]:
    """The best match of each (work, page) pair scoring at least `threshold`."""
    if not found or not catalogue:
        return []
    cat_forms: list[str] = []
    cat_owner: list[int] = []
    exact_only: dict[str, list[int]] = defaultdict(list)  # generic-only titles: equality with a whole text
    by_first: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
    for index, entry in enumerate(catalogue):
        norm = normalize_title(entry.title)
        for form in dict.fromkeys([norm, fold_accents(norm)]):
            if not form:
                continue
            if is_generic(form):
                exact_only[form].append(index)
                continue
            cat_forms.append(form)
            cat_owner.append(index)
            if len(form.replace(" ", "")) >= _MIN_FRAMED_CHARS:
                tokens = tuple(form.split())
                by_first[tokens[0]].append((tokens, index))
    # Forms are scored once however many pages show them (every chapter page repeats its title).
    form_pages: dict[str, dict[int, str]] = defaultdict(dict)  # form → page → the text it came from
    best: dict[tuple[int, int], tuple[float, int, str]] = {}

    def keep(page: int, owner: int, score: float, text: str) -> None:
        key = (catalogue[owner].work_id, page)
        if key not in best or score > best[key][0]:
            best[key] = (score, owner, text)

    for index, item in enumerate(found):
        for text in dict.fromkeys([item.text, *item.names]):
            whole = normalize_title(text)
            for form in dict.fromkeys([whole, fold_accents(whole)]):
                for owner in exact_only.get(form, ()):
                    keep(index, owner, 100.0, text)
                for owner in _framed(form.split(), by_first):
                    keep(index, owner, FRAMED_SCORE, text)
            for form in variants(text):
                form_pages[form].setdefault(index, text)
    page_forms = list(form_pages)
    if cat_forms and page_forms:
        # One vectorised pass over every pair (rapidfuzz's C++ loop), then keep the best per pair.
        scores = process.cdist(page_forms, cat_forms, scorer=fuzz.ratio, score_cutoff=threshold, workers=1)
        rows, cols = scores.nonzero()
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            form, score = page_forms[r], float(scores[r, c])
            for page, text in form_pages[form].items():
                keep(page, cat_owner[c], score, text)
    return [
        TitleMatch(
            work_id=catalogue[title].work_id,
            association_id=catalogue[title].association_id,
            url=found[page].url,
            title_found=text,
            title_matched=catalogue[title].title,
            score=round(score, 2),
            content_sha256=found[page].content_sha256,
        )
        for (_, page), (score, title, text) in sorted(best.items())
        if score >= threshold
    ]
