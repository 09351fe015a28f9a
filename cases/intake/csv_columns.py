"""Which column of a CSV header means what: the column names, and the other names people give them.

Associations keep their lists in their own spreadsheets, so a header is read leniently and the
import then says exactly how it read it (one :class:`ColumnMapping` per column, printed by
``piratewatch sites import``): ``language`` is ``languages``, ``title`` is ``title_ja``, ``ドメイン``
is ``domain``. A header is compared after NFKC folding (full-width ``ＵＲＬ`` is ``url``), lower
case, with spaces, hyphens and brackets as ``_`` (``Title (EN)`` is ``title_en``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from cases.errors import CsvFormatError

KNOWN_COLUMNS = (
    "domain",
    "url",
    "source_ref",
    "languages",
    "content_types",
    "work_ref",
    "work_content_type",
    "rights_holder",
    "note",
    "captured_at",
)
TITLE_PREFIX = "title_"

#: other names for a column, already folded (see :func:`fold`)
ALIASES: dict[str, str] = {
    **dict.fromkeys(("domains", "host", "hostname", "site", "website", "ドメイン", "サイト"), "domain"),
    **dict.fromkeys(("urls", "link", "page", "page_url", "evidence", "evidence_url", "リンク"), "url"),
    **dict.fromkeys(("ref", "reference", "source", "report_ref", "管理番号"), "source_ref"),
    **dict.fromkeys(("language", "lang", "langs", "言語"), "languages"),
    **dict.fromkeys(("content_type", "type", "types", "種別"), "content_types"),
    **dict.fromkeys(("work", "work_id", "作品id", "作品番号"), "work_ref"),
    **dict.fromkeys(("work_type",), "work_content_type"),
    **dict.fromkeys(("rightsholder", "rights", "publisher", "権利者", "出版社"), "rights_holder"),
    **dict.fromkeys(("notes", "comment", "comments", "memo", "備考", "メモ"), "note"),
    **dict.fromkeys(("captured", "captured_on", "date", "確認日", "確認日時"), "captured_at"),
    # A title without a language is taken as the Japanese one (the lists are Japanese publishers').
    **dict.fromkeys(("title", "work_title", "title_jp", "作品名", "タイトル"), "title_ja"),
    **dict.fromkeys(("english_title", "title_english", "英題"), "title_en"),
}
_SEPARATORS = re.compile(r"[\s\-()\[\]（）【】]+")


def fold(header: str) -> str:
    """A header as it is compared: NFKC, lower case, separators as one ``_``."""
    text = unicodedata.normalize("NFKC", header).strip().lstrip("\ufeff").lower()
    return _SEPARATORS.sub("_", text).strip("_")


@dataclass(frozen=True)
class ColumnMapping:
    """How one column of the header was read. ``column`` is None for a column that is ignored."""

    position: int  # 1-based
    header: str  # as written in the file
    column: str | None
    how: str  # "name", "alias" or "unknown"

    def describe(self) -> str:
        shown = self.header.strip() or "(blank)"
        if self.column is None:
            return f"column {self.position} {shown!r}: ignored ({'unknown name' if self.header.strip() else 'no name'})"
        return f"column {self.position} {shown!r}: {self.column}" + (" (alias)" if self.how == "alias" else "")


def _read(position: int, header: str) -> ColumnMapping:
    folded = fold(header)
    if folded in KNOWN_COLUMNS or (folded.startswith(TITLE_PREFIX) and len(folded) > len(TITLE_PREFIX)):
        if folded in ALIASES:  # title_jp: a title column, under a name that is not a language tag
            return ColumnMapping(position, header, ALIASES[folded], "alias")
        return ColumnMapping(position, header, folded, "name" if folded == header.strip().lower() else "alias")
    if folded in ALIASES:
        return ColumnMapping(position, header, ALIASES[folded], "alias")
    return ColumnMapping(position, header, None, "unknown")


def map_columns(header: list[str]) -> list[ColumnMapping]:
    """Read a header; :class:`CsvFormatError` if it names neither a domain nor a URL, or one column twice."""
    mapping = [_read(i, h) for i, h in enumerate(header, start=1)]
    columns = [m.column for m in mapping if m.column]
    if "domain" not in columns and "url" not in columns:
        found = ", ".join(repr(h.strip()) for h in header if h.strip()) or "none"
        raise CsvFormatError(
            "line 1: missing column: a 'domain' or 'url' column is required "
            f"(found: {found}; also read as domain: {', '.join(k for k, v in ALIASES.items() if v == 'domain')})"
        )
    by_column: dict[str, list[ColumnMapping]] = {}
    for m in mapping:
        if m.column:
            by_column.setdefault(m.column, []).append(m)
    twice = {c: ms for c, ms in by_column.items() if len(ms) > 1}
    if twice:
        named = "; ".join(
            f"{c!r} in columns {', '.join(str(m.position) for m in ms)}"
            + (f" ({', '.join(repr(m.header.strip()) for m in ms)})" if any(m.how == "alias" for m in ms) else "")
            for c, ms in twice.items()
        )
        raise CsvFormatError(f"line 1: a column is named twice ({named}): which one holds the value is unclear")
    return mapping
