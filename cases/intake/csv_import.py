"""CSV import of submissions: bad rows are reported with their line number, good rows go in.

Columns (header row required, any order, unknown columns are reported and ignored; other names
for each, such as ``language`` or ``title``, are in :mod:`cases.intake.csv_columns`; the encoding is
detected by :mod:`cases.intake.csv_encoding`):

=================  =====================================================================
``domain``         host or URL of the site (``domain`` or ``url`` is required per row)
``url``            a URL where a work is infringed (becomes an evidence item)
``source_ref``     your reference; rows sharing one form one submission. Blank: one
                   submission per site and file (``csv:<registrable domain>``)
``languages``      site languages, ``;``-separated BCP 47 tags (``ja;en``)
``content_types``  ``;``-separated: manga, anime, film, tv, music, game, book, software, other
``work_ref``       your identifier of the infringed work
``title_<lang>``   the work's title in a language, e.g. ``title_ja``, ``title_en``, ``title_vi``
``work_content_type``  the work's content type (default: the row's first content type, else other)
``rights_holder``  the work's rights holder
``note``           free text kept with the evidence
``captured_at``    when the evidence was captured (ISO 8601; UTC if no zone is given)
=================  =====================================================================

Rows are committed in chunks, and every write is idempotent, so importing a file twice creates
nothing new, and re-running an import that was killed half-way completes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import transaction
from cases.errors import CsvFormatError
from cases.intake.csv_columns import TITLE_PREFIX, ColumnMapping
from cases.intake.csv_encoding import Encoding
from cases.intake.csv_reader import open_csv, read_rows
from cases.intake.schemas import SiteIn, SiteResultOut
from cases.intake.seen_rows import SeenRows
from cases.intake.services import submit_sites
from cases.sqlutil import refresh_statistics
from common.hosts import NormalizationError, normalize_host

CHUNK_ROWS = 1000
#: the work_ref of evidence that names its row's own work, until that work's ref is known
_ROW_WORK = "__row_work__"


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportSummary:
    """What an import did. ``errors`` are rows refused with their line numbers."""

    rows: int = 0
    submissions_created: int = 0
    submissions_matched: int = 0
    sites_created: int = 0
    evidence_added: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: how the file was read: its encoding and what each column was taken for
    encoding: Encoding | None = None
    columns: list[ColumnMapping] = field(default_factory=list)

    @property
    def imported_rows(self) -> int:
        return self.rows - len(self.errors) - self.duplicates


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.replace(",", ";").split(";") if p.strip()]


def _fingerprint(row: dict[str, str]) -> int:
    """A 60-bit digest of a row's (stripped) values: duplicates are found without keeping every row.

    It fits in 8 bytes (kept so by :class:`SeenRows`). Two different rows share one with a chance
    of about 1 in 2 million for a million-row file.
    """
    digest = hashlib.blake2b(repr(list(row.values())).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 4


def _row_to_site(row: dict[str, str]) -> dict[str, Any]:
    """The SiteIn-shaped dict of one row, its values stripped (validated by the caller)."""
    domain = row.get("domain", "")
    url = row.get("url", "")
    content_types = _split(row.get("content_types", ""))
    titles = {
        key[len(TITLE_PREFIX) :].strip().lower(): value
        for key, value in row.items()
        if value and key.startswith(TITLE_PREFIX)
    }
    work_ref = row.get("work_ref") or None
    works = []
    if titles:
        work: dict[str, Any] = {
            "titles": titles,
            "content_type": row.get("work_content_type") or (content_types[0] if content_types else "other"),
        }
        if work_ref:
            work["ref"] = work_ref
        if row.get("rights_holder"):
            work["rights_holder"] = row["rights_holder"]
        works.append(work)
    evidence = []
    if url:
        item: dict[str, Any] = {"url": url}
        if work_ref or works:
            item["work_ref"] = work_ref or _ROW_WORK
        if row.get("note"):
            item["note"] = row["note"]
        if row.get("captured_at"):
            item["captured_at"] = row["captured_at"]
        evidence.append(item)
    site: dict[str, Any] = {
        "domains": [domain] if domain else [],
        "urls": [url] if url and not domain else [],
        "languages": _split(row.get("languages", "")),
        "content_types": content_types,
        "works": works,
        "evidence": evidence,
    }
    if row.get("source_ref"):
        site["source_ref"] = row["source_ref"]
    return site


def _finish_row_work(site: SiteIn) -> SiteIn:
    # A row that names titles but no work_ref: its evidence points at the row's own work, whose
    # ref is derived from its titles, once validated (the site is validated once, not its work twice).
    if site.works and site.works[0].ref is None:
        ref = site.works[0].effective_ref()
        site.works[0].ref = ref
        for e in site.evidence:
            if e.work_ref == _ROW_WORK:
                e.work_ref = ref
    return site


def _default_ref(site: SiteIn) -> str:
    return site.source_ref or f"csv:{site.hosts()[0].registrable_domain}"


def _validation_messages(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if p != "body")
        msg = err["msg"].removeprefix("Value error, ")
        out.append(f"{loc}: {msg}" if loc else msg)
    return out


def _merge(into: SiteIn, other: SiteIn) -> SiteIn:
    """Rows of one submission, combined. No dedupe here: intake dedupes hosts, works and evidence."""
    keys = ("domains", "urls", "languages", "content_types", "works", "evidence")
    return into.model_copy(update={k: [*getattr(into, k), *getattr(other, k)] for k in keys})


Chunk = dict[str, tuple[SiteIn, list[int]]]  # source_ref -> (the rows' site, their line numbers)


def _write_chunk(
    factory: sessionmaker[Session], actor: Actor, association_id: int, chunk: Chunk
) -> tuple[list[RowError], list[SiteResultOut | None]]:
    """Submit one chunk in one transaction: committed whole, or not at all (a crash loses none of it)."""
    refs = list(chunk)
    try:
        with transaction(factory) as session:
            results, problems = submit_sites(
                session, actor, association_id, [chunk[r][0] for r in refs], via="csv", strict=False
            )
    except DBAPIError:
        # The store refused a value validation let through: the chunk rolled back whole, so its
        # submissions go in one by one and only the one refused is lost (with its lines).
        return _write_one_by_one(factory, actor, association_id, chunk)
    errors = [RowError(line, p.message) for p in problems for line in chunk[refs[p.index]][1]]
    return errors, results


def _write_one_by_one(
    factory: sessionmaker[Session], actor: Actor, association_id: int, chunk: Chunk
) -> tuple[list[RowError], list[SiteResultOut | None]]:
    errors: list[RowError] = []
    results: list[SiteResultOut | None] = []
    for site, lines in chunk.values():
        try:
            with transaction(factory) as session:
                done, problems = submit_sites(session, actor, association_id, [site], via="csv", strict=False)
        except DBAPIError as exc:
            reason = str(exc.orig).splitlines()[0][:300] if exc.orig is not None else type(exc).__name__
            errors += [RowError(line, f"the store refused this row: {reason}") for line in lines]
            results.append(None)
            continue
        errors += [RowError(line, p.message) for p in problems for line in lines]
        results += done
    return errors, results


def _count(summary: ImportSummary, outcome: tuple[list[RowError], list[SiteResultOut | None]]) -> None:
    errors, results = outcome
    summary.errors += errors
    for r in results:
        if r is None:
            continue
        if r.status == "created":
            summary.submissions_created += 1
        else:
            summary.submissions_matched += 1
        summary.sites_created += int(r.site_created)
        summary.evidence_added += r.evidence_added


def import_csv(
    path: Path,
    factory: sessionmaker[Session],
    actor: Actor,
    association_id: int,
    *,
    encoding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import `path` for one association; returns what happened. Raises :class:`CsvFormatError`.

    Reading and validating the next chunk overlaps with writing the previous one (a writer thread:
    the database works while Python parses). Chunks are still written one at a time, in file order.
    """
    summary = ImportSummary()
    total = path.stat().st_size
    seen = SeenRows()
    pending: Chunk = {}
    in_flight: Future[tuple[list[RowError], list[SiteResultOut | None]]] | None = None

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv-writer") as writer:

        def flush() -> None:
            nonlocal pending, in_flight
            if in_flight is not None:
                _count(summary, in_flight.result())  # raises what the writer raised
                in_flight = None
            if pending:
                in_flight = writer.submit(_write_chunk, factory, actor, association_id, pending)
                pending = {}

        with path.open("rb") as stream:
            rows_in_chunk = 0
            opened = open_csv(stream, encoding)
            summary.encoding, summary.columns = opened.encoding, opened.columns
            summary.warnings += opened.warnings
            for line, row in opened.rows():
                if isinstance(row, str):
                    summary.rows += 1
                    summary.errors.append(RowError(line, row))
                    continue
                summary.rows += 1
                row = {k: v.strip() for k, v in row.items()}
                fingerprint = _fingerprint(row)
                first = seen.first_line(fingerprint)
                if first is not None:
                    summary.duplicates += 1
                    summary.warnings.append(f"line {line}: duplicate of line {first}, skipped")
                    continue
                seen.add(fingerprint, line)
                try:
                    site = _finish_row_work(SiteIn.model_validate(_row_to_site(row)))
                    ref = _default_ref(site)
                    site.source_ref = ref
                except ValidationError as exc:
                    summary.errors.append(RowError(line, "; ".join(_validation_messages(exc))))
                    continue
                except NormalizationError as exc:  # pragma: no cover - validated above
                    summary.errors.append(RowError(line, str(exc)))
                    continue
                if ref in pending:
                    pending[ref] = (_merge(pending[ref][0], site), [*pending[ref][1], line])
                else:
                    pending[ref] = (site, [line])
                rows_in_chunk += 1
                if rows_in_chunk >= CHUNK_ROWS:
                    flush()
                    rows_in_chunk = 0
                    if progress:
                        progress(stream.tell(), total)
            flush()
            flush()  # waits for the last chunk
            if progress:
                progress(total, total)
    if summary.submissions_created >= CHUNK_ROWS:
        with transaction(factory) as session:
            refresh_statistics(
                session,
                ["site", "domain", "submission", "evidence_item", "site_language", "site_content_type", "work"],
            )
    summary.errors.sort(key=lambda e: e.line)
    return summary


__all__ = ["CsvFormatError", "ImportSummary", "RowError", "import_csv", "normalize_host", "read_rows"]
