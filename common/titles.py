"""Comparing works' titles with text found on pages, in any script.

Both sides are normalised the same way: NFKC (half-width katakana and full-width Latin become their
usual forms), case folding, punctuation and symbols removed, spaces collapsed. A second, accent-free
form (Vietnamese diacritics and ``đ`` removed, long vowels of romanised Japanese flattened:
``Wan Pīsu`` → ``wan pisu``) is compared too, since pirate sites often drop them.

The crawlers score titles against page headings with these forms; the pre-send re-check asks whether
a page still shows a work at all (:func:`text_shows_title`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SPACES = re.compile(r"\s+")
#: titles shorter than this (normalised) say too little to look for on a page
MIN_TITLE_CHARS = 2


class _Blanked(dict[int, int | str]):
    """``str.translate``'s table: punctuation, symbols, separators and controls become a space, other
    characters stay. Filled as characters are met, so a page is translated in C after the first few
    (a character-by-character loop in Python cost the pre-send re-check about 50 ms per 100 KiB page)."""

    def __missing__(self, code: int) -> int | str:
        value: int | str = " " if unicodedata.category(chr(code))[0] in "PSZC" else code
        self[code] = value
        return value


_BLANKED = _Blanked()
#: a run of non-ASCII characters right after an ASCII one (where a Latin letter's marks would be)
_AFTER_ASCII = re.compile(r"(?<=[\x00-\x7f])[^\x00-\x7f]+")


def normalize_title(text: str) -> str:
    """NFKC, case-folded, without punctuation or symbols, single-spaced."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", text.translate(_BLANKED)).strip()


def _without_leading_marks(run: re.Match[str]) -> str:
    chars = run.group()
    start = 0
    while start < len(chars) and unicodedata.combining(chars[start]):
        start += 1
    return chars[start:]


def fold_accents(text: str) -> str:
    """`text` (already normalised) without diacritics: ``đảo hải tặc`` → ``dao hai tac``."""
    text = text.replace("đ", "d")
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    # Only Latin letters lose their marks: Japanese dakuten (゛) are combining marks too and matter. A
    # mark is dropped where it follows an ASCII letter, or another mark dropped after one: the marks
    # leading a non-ASCII run that follows an ASCII character.
    return unicodedata.normalize("NFC", _AFTER_ASCII.sub(_without_leading_marks, decomposed))


def title_forms(title: str) -> list[str]:
    """The normalised forms of a title that are looked for: as written and without accents."""
    norm = normalize_title(title)
    return [f for f in dict.fromkeys([norm, fold_accents(norm)]) if len(f) >= MIN_TITLE_CHARS]


def _spaced_script(form: str) -> bool:
    """Whether words of `form` are separated by spaces (Latin, Cyrillic, Hangul...), unlike CJK text."""
    return not any(unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA")) for ch in form)


def text_shows_title(page_text: str, titles: Iterable[str]) -> bool:
    """Whether any of `titles` appears in `page_text` (whole words where the script separates words)."""
    norm = normalize_title(page_text)
    haystacks = {f" {norm} ", f" {fold_accents(norm)} "}
    for title in titles:
        for form in title_forms(title):
            needle = f" {form} " if _spaced_script(form) else form
            if any(needle in haystack for haystack in haystacks):
                return True
    return False
