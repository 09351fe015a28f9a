"""The shape of a site's URLs: path segments, chapter markers, slug keys, templates, fixed words.

Everything here reads URLs one at a time or counts what they share, and decides nothing: the
classifier (:mod:`crawlers.catalogue`) weighs these shapes against each other. Kept apart so the
steps of the classification read as steps, not as string handling.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import unquote

from crawlers.catalogue_words import CHAPTER_WORD, CJK_MARKER, EXTENSION, MARKER, NOT_TITLES, PAGINATION, WORD_SPLIT


@dataclass(frozen=True)
class Parsed:
    """One URL as the classifier reads it: its segments and its chapter marker, if any."""

    segments: tuple[str, ...]
    strength: str | None  # "strong", "weak" or None
    stem: str  # the text before the marker in the marked segment ("one-piece" of "one-piece-chapter-12")
    at: int  # index of the marked segment
    number: float


def path_segments(url: str) -> tuple[str, ...]:
    """The URL's path as lower-cased, decoded segments, the last without its file extension."""
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
        segments[-1] = EXTENSION.sub("", segments[-1])
    return tuple(s for s in segments if s)


def _marker(segment: str) -> tuple[str | None, str, float]:
    """(strength, stem, number) of a path segment: ``"one-piece-chapter-12"`` → ("strong", "one-piece", 12)."""
    cjk = None if segment.isascii() else CJK_MARKER.search(segment)
    if cjk:
        return "strong", segment[: cjk.start()].rstrip("-_ ."), float(cjk.group("num"))
    match = MARKER.search(segment)
    if not match:
        return None, segment, 0.0
    number = float(match.group("num").replace("-", ".", 1).replace("_", ".", 1))
    stem = segment[: match.start()].rstrip("-_ .")
    return ("strong" if match.group("word") else "weak"), stem, number


def parse(url: str) -> Parsed:
    """The URL's segments and chapter marker (step 1 of the classification)."""
    segments = path_segments(url)
    if not segments:
        return Parsed(segments, None, "", -1, 0.0)
    strength, stem, number = _marker(segments[-1])
    at = len(segments) - 1
    if len(segments) >= 2 and strength != "strong":
        # NetTruyen: /truyen-tranh/slug/chap-1100/1045321: the last segment is an ID after the marker
        before = _marker(segments[-2])
        if before[0] == "strong" and re.fullmatch(r"\d+|[0-9a-f]{6,}", segments[-1]):
            return Parsed(segments, "strong", before[1], len(segments) - 2, before[2])
        # /anime/slug/episode/12: the chapter word and its number in two segments
        if strength == "weak" and not stem and CHAPTER_WORD.fullmatch(segments[-2]):
            return Parsed(segments, "strong", "", len(segments) - 2, number)
    if strength == "weak" and not stem and len(segments) >= 2 and segments[-2] in PAGINATION:
        strength = None
    if strength and stem.rsplit("-", 1)[-1] in PAGINATION:
        strength = None
    return Parsed(segments, strength, stem, at, number)


def not_a_title(parsed: Parsed) -> bool:
    """Whether the URL is the site's root or one of its own pages (``/about/``, ``/dmca/``, …)."""
    return not parsed.segments or bool(NOT_TITLES.match(parsed.segments[-1]))


def slug_keys(slug: str, affixes: set[str]) -> list[str]:
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


def template_of(parsed: Parsed, common: dict[int, set[str]]) -> tuple[str, ...]:
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


def literal_segments(parsed: list[Parsed]) -> dict[int, set[str]]:
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


def learned_affixes(parsed: list[Parsed]) -> set[str]:
    """Affix words of this site: first or last words shared by a quarter of its slugs."""
    firsts: Counter[str] = Counter()
    lasts: Counter[str] = Counter()
    for p in parsed:
        if p.segments:
            words = WORD_SPLIT.split(p.stem if p.strength else p.segments[-1])
            if len(words) > 1:
                firsts[words[0]] += 1
                lasts[words[-1]] += 1
    floor = max(3, len(parsed) // 4)
    return {w for counter in (firsts, lasts) for w, n in counter.items() if n >= floor and not w.isdigit()}
