"""A report table: its columns, rows and how each column is written in CSV and in the HTML."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from exporters.figures.model import OTHER, UNKNOWN_COUNTRY
from exporters.reports.i18n import current, t
from exporters.reports.numbers import country_name, language_name, money_text, visits_text

Kind = Literal["text", "term", "int", "visits", "share", "change", "ratio", "money", "number", "language", "country"]

#: the words a ``term`` column holds (content types, their units, audiences, distribution types, events),
#: kept as codes in the CSV of every edition and shown through the catalogue in the HTML and the PDF
TERMS = (
    "all", "manga", "anime", "film", "tv", "music", "book", "game", "software", "other",
    "volume", "episode", "track", "licence", "work",
    "domestic", "overseas",
    "within_market", "within_destination", "aimed_abroad",
    "domain_hops", "host_changes", "domains_gone", "notices_sent", "notices_actioned", "closed",
)  # fmt: skip
Cell = str | int | float | None

#: the cell of a value that cannot be known (a share of a site whose audience countries are unknown):
#: written "unknown" in the CSV and the HTML, never 0 and never confused with "–" (not applicable)
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Column:
    """One column: its CSV header, its heading in the HTML and the kind of its values."""

    name: str
    heading: str
    kind: Kind = "text"
    #: a heading over several columns (``visits`` over ``low``, ``central``, ``high``), so each column's own
    #: heading stays one short word and no header wraps into five lines
    group: str = ""
    #: the values of the heading's and the group's ``{placeholders}`` (the headings are catalogue messages)
    args: dict[str, str] = field(default_factory=dict)

    @property
    def shown_heading(self) -> str:
        """The heading in the report's language."""
        return t(self.heading, **self.args)

    @property
    def shown_group(self) -> str:
        return t(self.group, **self.args) if self.group else ""

    @property
    def csv_heading(self) -> str:
        """The CSV header: the column's name in English (stable for programs), its headings in other editions."""
        if current() == "en":
            return self.name
        return f"{self.shown_group} {self.shown_heading}".strip()

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "term", "language", "country")


@dataclass
class Table:
    """A table of the report; written as ``<slug>.csv`` and shown in the HTML."""

    slug: str
    title: str
    #: what the numbers are: unit (visits, not users), source, band
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    #: what the table leaves out and why, and other flags a reader must see next to it
    notes: list[str] = field(default_factory=list)
    #: the rows that are totals (shown in bold)
    totals: set[int] = field(default_factory=set)

    def add_total(self, row: list[Cell]) -> None:
        self.totals.add(len(self.rows))
        self.rows.append(row)

    @property
    def header_groups(self) -> list[tuple[str, int]]:
        """The upper header row: each group's heading and how many columns it spans ("" over ungrouped ones)."""
        out: list[tuple[str, int]] = []
        for column in self.columns:
            group = column.shown_group
            if out and group and out[-1][0] == group:
                out[-1] = (group, out[-1][1] + 1)
            else:
                out.append((group, 1))
        return out

    @property
    def wide(self) -> bool:
        """Too many columns for a portrait A4 page: printed on a landscape one."""
        return len(self.columns) > 11

    def csv(self) -> str:
        """The table as CSV: plain numbers (shares and changes as fractions), empty for no value."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.csv_heading for c in self.columns])
        for row in self.rows:
            writer.writerow([csv_cell(v, c.kind) for v, c in zip(row, self.columns, strict=True)])
        return out.getvalue()

    def html_rows(self, currency: str = "", lang: str = "en") -> list[list[str]]:
        """The rows as the HTML shows them (three significant figures, percentages, names for codes)."""
        return [
            [html_cell(v, c.kind, currency, lang) for v, c in zip(row, self.columns, strict=True)] for row in self.rows
        ]


def _plain(value: float, digits: int) -> str:
    """`value` rounded to `digits` decimals, without trailing zeros (``1234567``, ``0.125``)."""
    text = f"{round(value, digits):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def csv_cell(value: Cell, kind: Kind) -> str:
    """One CSV value: visits and money to the cent, shares and changes to six decimals."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if kind == "int":
        return str(int(value))
    if kind in ("share", "change", "ratio"):
        return _plain(float(value), 6)
    return _plain(float(value), 2)


def html_cell(value: Cell, kind: Kind, currency: str = "", lang: str = "en", digits: int = 3) -> str:
    """One value as a reader sees it: visits and money to `digits` significant figures (exact in the CSV)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, str):
        if value == UNKNOWN:
            return t(UNKNOWN)
        if kind == "language":
            return " · ".join(code_name(code, language_name, lang) for code in value.split())
        if kind == "country":
            return code_name(value, country_name, lang)
        if kind == "term":  # (an empty value is no message: gettext("") is the catalogue's header)
            return " · ".join(t(word) for word in value.split()) if value.strip() else value
        return value
    if kind == "int":
        return f"{int(value):,}"
    if kind == "share":
        return f"{value * 100:.1f} %"
    if kind == "change":
        return f"{value * 100:+.1f} %"
    if kind == "ratio":
        return f"×{value:.2f}" if value < 10 else f"×{value:.1f}"
    if kind == "money":
        return money_text(float(value), currency, lang, digits) if currency else f"{value:,.0f}"
    if kind == "visits":
        return visits_text(float(value), lang, digits)
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def code_name(code: str, name: Callable[[str, str], str], lang: str) -> str:
    """A language or country code as a reader sees it (a cell, a chart's label): its name in `lang`;
    ``other`` (the rest) and ``unknown`` (no breakdown) are words of the catalogue."""
    return t(code) if code in (OTHER, UNKNOWN_COUNTRY) else name(code, lang)


def change(now: float | None, before: float | None) -> float | None:
    """Relative change from `before` to `now` (None when there is no base to compare with)."""
    if now is None or before is None or before == 0:
        return None
    return now / before - 1.0


def names(items: list[str], limit: int = 12) -> str:
    """`items` joined for a note, the rest counted (``a, b, c and 4 more``)."""
    shown = ", ".join(items[:limit])
    return t("{shown} and {n} more", shown=shown, n=len(items) - limit) if len(items) > limit else shown
