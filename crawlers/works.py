"""Works found: match the associations' catalogues against the titles a crawl read on a site.

Titles are compared after normalising both sides: NFKC (half-width katakana and full-width Latin
become their usual forms), case folding, punctuation and symbols removed, spaces collapsed. A
second, accent-free form (Vietnamese diacritics and ``đ`` removed, long vowels of romanised
Japanese flattened: ``Wan Pīsu`` → ``wan pisu``) is compared too, since pirate sites often drop
them. Page titles carry the site's name ("ワンピース - 漫画RAW"), so each part around a separator is
scored as well. The score is rapidfuzz's ``ratio`` (0-100) of the best pair.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from cases.crawls.schemas import CatalogueTitle

_SEPARATORS = re.compile(r"\s+[-|–—:/]\s+|\s*[|｜【】「」『』]\s*")
_SPACES = re.compile(r"\s+")


def normalize_title(text: str) -> str:
    """NFKC, case-folded, without punctuation or symbols, single-spaced."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = [" " if unicodedata.category(ch)[0] in {"P", "S", "Z"} else ch for ch in text]
    return _SPACES.sub(" ", "".join(kept)).strip()


def fold_accents(text: str) -> str:
    """`text` (already normalised) without diacritics: ``đảo hải tặc`` → ``dao hai tac``."""
    text = text.replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    # Only Latin letters lose their marks: Japanese dakuten (゛) are combining marks too and matter.
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def variants(text: str) -> list[str]:
    """The forms of a found text that are compared: the whole and its parts, with and without accents."""
    parts = [text, *(p for p in _SEPARATORS.split(text) if p.strip())]
    forms: dict[str, None] = {}
    for part in parts:
        norm = normalize_title(part)
        if norm:
            forms[norm] = None
            forms[fold_accents(norm)] = None
    return list(forms)


@dataclass(frozen=True)
class FoundText:
    """A title read on a page of the site."""

    url: str
    text: str
    content_sha256: str


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


def match_titles(found: Sequence[FoundText], catalogue: Sequence[CatalogueTitle], threshold: float) -> list[TitleMatch]:
    """The best match of each (work, page) pair scoring at least `threshold`."""
    if not found or not catalogue:
        return []
    cat_forms: list[str] = []
    cat_owner: list[int] = []
    for index, entry in enumerate(catalogue):
        for form in dict.fromkeys([normalize_title(entry.title), fold_accents(normalize_title(entry.title))]):
            if form:
                cat_forms.append(form)
                cat_owner.append(index)
    page_forms: list[str] = []
    page_owner: list[int] = []
    for index, item in enumerate(found):
        for form in variants(item.text):
            page_forms.append(form)
            page_owner.append(index)
    if not cat_forms or not page_forms:
        return []
    # One vectorised pass over every pair (rapidfuzz's C++ loop), then keep the best per pair.
    scores = process.cdist(page_forms, cat_forms, scorer=fuzz.ratio, score_cutoff=threshold, workers=1)
    best: dict[tuple[int, int], tuple[float, int]] = {}
    rows, cols = scores.nonzero()
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        page, owner = page_owner[r], cat_owner[c]
        key = (catalogue[owner].work_id, page)
        score = float(scores[r, c])
        if key not in best or score > best[key][0]:
            best[key] = (score, owner)
    return [
        TitleMatch(
            work_id=catalogue[title].work_id,
            association_id=catalogue[title].association_id,
            url=found[page].url,
            title_found=found[page].text,
            title_matched=catalogue[title].title,
            score=round(score, 2),
            content_sha256=found[page].content_sha256,
        )
        for (_, page), (score, title) in sorted(best.items())
    ]
