"""Reading a CSV file of submissions into rows: its encoding, its header, and records that survive
broken quoting, each with the line it starts on.

:func:`open_csv` checks the encoding (:mod:`cases.intake.csv_encoding`) and reads the header
(:mod:`cases.intake.csv_columns`); :meth:`CsvFile.rows` then yields ``(line, row)`` or
``(line, error message)`` for every record. A fault costs only its own line.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from cases.errors import CsvFormatError
from cases.intake.csv_columns import ColumnMapping, map_columns
from cases.intake.csv_encoding import Encoding, detect, hint_for

MAX_FIELD_BYTES = 64 * 1024
# Bytes that are not valid in the file's encoding are kept as lone surrogates (surrogateescape).
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _has_undecodable(values: list[str]) -> bool:
    return any(_UNDECODABLE.search(v) for v in values)


#: a quoted field may span this many lines (a note with line breaks); a quote still open after that
#: is taken as never closed, so one stray quote cannot swallow the rest of the file
MAX_RECORD_LINES = 50


def _looks_like_a_row(line: str) -> bool:
    """Whether a line inside a quoted field looks like a row of its own (no quote, a host first, then a
    comma): the sign of a quote left open above it, not of a note that spans lines."""
    if '"' in line or "," not in line:
        return False
    first = line.split(",", 1)[0].strip()
    return "." in first and " " not in first


def _records(lines: Iterator[tuple[int, str]], width: int) -> Iterator[tuple[int, list[str] | str]]:
    """Records of the file, each with the line it starts on, or an error message for that line.

    A record is read line by line until its quotes balance. Two faults are told apart from a note
    with line breaks, and cost only the line they start on: a quote never closed (within
    :data:`MAX_RECORD_LINES` lines or before the end of the file), and a record over several lines
    that holds what looks like rows (more fields than the header, or a line inside it that reads as
    a row: an unclosed quote that ran into the rows below). In both cases the lines after the first
    are read again as rows of their own.
    """
    pushback: deque[tuple[int, str]] = deque()
    while True:
        first = pushback.popleft() if pushback else next(lines, None)
        if first is None:
            return
        buffer = [first]
        quotes = first[1].count('"')
        while quotes % 2 and len(buffer) < MAX_RECORD_LINES:
            more = pushback.popleft() if pushback else next(lines, None)
            if more is None:
                break
            buffer.append(more)
            quotes += more[1].count('"')
        if quotes % 2:
            yield (
                first[0],
                "a quote opened on this line is never closed; the line is skipped, the lines after it are read as rows",
            )
            pushback.extendleft(reversed(buffer[1:]))
            continue
        try:
            parsed = list(csv.reader(io.StringIO("".join(text for _, text in buffer)), strict=True))
        except csv.Error as exc:
            yield (
                first[0],
                (
                    f"unreadable CSV: {exc}"
                    + (
                        f" (a quoted field opened here runs over {len(buffer)} lines; the lines after this one are read as rows)"
                        if len(buffer) > 1
                        else ""
                    )
                ),
            )
            pushback.extendleft(reversed(buffer[1:]))
            continue
        if len(parsed) != 1 or (
            len(buffer) > 1 and (len(parsed[0]) > width or any(_looks_like_a_row(text) for _, text in buffer[1:]))
        ):
            yield (
                first[0],
                (
                    f"a quoted field here runs over {len(buffer)} lines into what look like other rows "
                    "(an unclosed quote?); the line is skipped, the lines after it are read as rows"
                ),
            )
            pushback.extendleft(reversed(buffer[1:]))
            continue
        yield first[0], parsed[0]


@dataclass
class CsvFile:
    """An open CSV file whose encoding and header have been read."""

    encoding: Encoding
    columns: list[ColumnMapping]
    warnings: list[str] = field(default_factory=list)
    _text: TextIO | None = None
    _lines: Iterator[tuple[int, str]] | None = None

    @property
    def names(self) -> list[str]:
        """The column each position holds ("" for an ignored one)."""
        return [m.column or "" for m in self.columns]

    def rows(self) -> Iterator[tuple[int, dict[str, str] | str]]:
        """``(line, row)`` for each record (values as written, ignored columns left out), or
        ``(line, error message)``. Blank records are skipped."""
        assert self._lines is not None
        names = self.names
        keep = [i for i, name in enumerate(names) if name]
        width = len(names)
        for line, values in _records(self._lines, width):
            if isinstance(values, str):
                yield line, values
                continue
            if not any(v.strip() for v in values):
                continue
            if _has_undecodable(values):
                raw = ",".join(values).encode(self.encoding.codec, "surrogateescape")
                yield line, f"contains bytes that are not valid {self.encoding.name}; {hint_for(raw, self.encoding)}"
                continue
            if len(values) > width:
                yield line, f"{len(values)} fields but the header names {width} columns"
                continue
            yield line, {names[i]: values[i] for i in keep if i < len(values)}


def open_csv(stream: BinaryIO, encoding: str | None = None) -> CsvFile:
    """Detect the encoding and read the header; :class:`CsvFormatError` if the file cannot be imported."""
    enc, warnings = detect(stream, encoding)
    text = io.TextIOWrapper(stream, encoding=enc.codec, errors="surrogateescape", newline="")
    csv.field_size_limit(MAX_FIELD_BYTES)
    lines = enumerate(text, start=1)
    header_line = next(lines, None)
    if header_line is None:
        raise CsvFormatError("the file is empty: the first line must name the columns")
    try:
        header = next(csv.reader([header_line[1]], strict=True))
    except (csv.Error, StopIteration) as exc:
        raise CsvFormatError(f"line 1: cannot read the header: {exc}") from exc
    if _has_undecodable(header):
        raw = ",".join(header).encode(enc.codec, "surrogateescape")
        raise CsvFormatError(f"line 1: the header is not valid {enc.name}; {hint_for(raw, enc)}")
    columns = map_columns(header)
    unknown = [m.header.strip() for m in columns if m.column is None and m.header.strip()]
    if unknown:
        warnings.append(f"unknown columns ignored: {', '.join(unknown)}")
    return CsvFile(enc, columns, warnings, text, lines)


def read_rows(stream: BinaryIO, encoding: str | None = None) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Yield ``(1, "warning: ...")`` for each warning about the file, then :meth:`CsvFile.rows`."""
    opened = open_csv(stream, encoding)
    for warning in opened.warnings:
        yield 1, f"warning: {warning}"
    yield from opened.rows()
