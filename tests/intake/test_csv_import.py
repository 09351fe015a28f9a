"""CSV import: good rows go in, bad rows are reported by line, re-imports create nothing new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.errors import CsvFormatError
from cases.intake.csv_import import import_csv

HEADER = "domain,url,source_ref,languages,content_types,work_ref,title_ja,title_en,rights_holder,note,captured_at\n"
GOOD_ROWS = [
    "manga-raw.io,https://manga-raw.io/op/1,R1,ja,manga,W1,ワンピース,One Piece,Shueisha,ch1,2026-10-01T12:00:00Z\n",
    "manga-raw.io,https://manga-raw.io/op/2,R1,ja,manga,W1,ワンピース,One Piece,Shueisha,ch2,\n",
    ",https://www.truyen.vn/x,,vi,manga,,,,,,\n",
    "films.to,,,en,film,,,,,,\n",
]


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def write(tmp_path: Path, text: str | bytes, name: str = "sites.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def run(path: Path, factory: sessionmaker[Session], association_id: int, **kw: object):  # type: ignore[no-untyped-def]
    return import_csv(path, factory, Actor("test"), association_id, **kw)  # type: ignore[arg-type]


def test_good_and_bad_rows(tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine) -> None:
    text = HEADER + "".join(GOOD_ROWS[:2]) + "bad..com,,,,,,,,,,\n" + GOOD_ROWS[2] + ",,,,,,,,,,\n"
    text += "x.com,ftp://x.com/a,,,,,,,,,\n" + "y.com,,,,comics,,,,,,\n" + GOOD_ROWS[3]
    summary = run(write(tmp_path, text), factory, tenants.a_id)  # type: ignore[attr-defined]
    lines = {e.line: e.message for e in summary.errors}
    assert sorted(lines) == [4, 7, 8]  # the blank row (line 6) is skipped, not an error
    assert "Empty Label" in lines[4]
    assert "http:// or https://" in lines[7]
    assert "content_types" in lines[8]
    assert summary.rows == 7 and summary.imported_rows == 4
    assert count(engine, "site") == 3
    assert count(engine, "submission") == 3  # R1 (two rows), csv:truyen.vn, csv:films.to
    assert count(engine, "evidence_item") == 3
    assert count(engine, "work") == 1


def test_reimport_creates_nothing_new(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    path = write(tmp_path, HEADER + "".join(GOOD_ROWS))
    first = run(path, factory, tenants.a_id)  # type: ignore[attr-defined]
    tables = ("site", "domain", "submission", "evidence_item", "work", "work_title", "audit_event")
    before = {t: count(engine, t) for t in tables}
    second = run(path, factory, tenants.a_id)  # type: ignore[attr-defined]
    assert {t: count(engine, t) for t in tables} == before
    assert (first.submissions_created, second.submissions_created) == (3, 0)
    assert second.submissions_matched == 3 and second.evidence_added == 0


def test_bom_and_utf16(tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine) -> None:
    text = HEADER + GOOD_ROWS[0]
    run(write(tmp_path, b"\xef\xbb\xbf" + text.encode(), "bom.csv"), factory, tenants.a_id)  # type: ignore[attr-defined]
    run(write(tmp_path, text.encode("utf-16"), "u16.csv"), factory, tenants.a_id)  # type: ignore[attr-defined]
    assert count(engine, "submission") == 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT title FROM work_title WHERE language='ja'")).scalar_one() == "ワンピース"


def test_wrong_encoding_is_reported_per_line(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    # UTF-8 rows with one CP932 row: neither encoding reads the whole file, so it is read as UTF-8.
    sjis_row = "raw-sjis.jp,,,ja,manga,W9,進撃の巨人,,,,\n".encode("cp932")
    data = (HEADER + GOOD_ROWS[3]).encode() + sjis_row + GOOD_ROWS[2].encode() + GOOD_ROWS[0].encode()
    path = write(tmp_path, data)
    summary = run(path, factory, tenants.a_id)  # type: ignore[attr-defined]
    assert [(e.line, "not valid utf-8" in e.message) for e in summary.errors] == [(3, True)]
    assert count(engine, "site") == 3
    # Told the right encoding, a cp932 file imports whole.
    cp932 = write(tmp_path, (HEADER + "raw-sjis.jp,,,ja,manga,W9,進撃の巨人,,,,\n").encode("cp932"), "sjis.csv")
    assert run(cp932, factory, tenants.a_id, encoding="cp932").errors == []  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert "進撃の巨人" in set(conn.execute(sa.text("SELECT title FROM work_title WHERE language='ja'")).scalars())


def test_missing_columns_refuse_the_file(tmp_path: Path, factory: sessionmaker[Session], tenants: object) -> None:
    with pytest.raises(CsvFormatError, match="missing column"):
        run(write(tmp_path, "name,language\nx.com,ja\n"), factory, tenants.a_id)  # type: ignore[attr-defined]
    with pytest.raises(CsvFormatError, match="empty"):
        run(write(tmp_path, ""), factory, tenants.a_id)  # type: ignore[attr-defined]


def test_duplicate_rows_and_extra_fields(tmp_path: Path, factory: sessionmaker[Session], tenants: object) -> None:
    text = HEADER + GOOD_ROWS[3] + GOOD_ROWS[3] + "z.com,,,,,,,,,,,,,\n"
    summary = run(write(tmp_path, text), factory, tenants.a_id)  # type: ignore[attr-defined]
    assert summary.duplicates == 1
    assert any("duplicate of line 2" in w for w in summary.warnings)
    assert [(e.line, "fields" in e.message) for e in summary.errors] == [(4, True)]


def test_unknown_columns_are_warned_about(tmp_path: Path, factory: sessionmaker[Session], tenants: object) -> None:
    summary = run(write(tmp_path, "domain,colour\nx.com,red\n"), factory, tenants.a_id)  # type: ignore[attr-defined]
    assert summary.warnings == ["unknown columns ignored: colour"]
    assert summary.imported_rows == 1


def test_multiline_field_keeps_line_numbers(tmp_path: Path, factory: sessionmaker[Session], tenants: object) -> None:
    text = 'domain,note\nok.com,"two\nlines"\nbad..com,x\n'
    summary = run(write(tmp_path, text), factory, tenants.a_id)  # type: ignore[attr-defined]
    assert [e.line for e in summary.errors] == [4]


def test_bulk_import_is_audited_entity_by_entity(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    # More rows than one chunk, rows of one submission in both chunks, and two hosts of one site:
    # the bulk paths (COPY, audit events built by the database, the writer thread) all run.
    rows = [f"bulk-{i}.com,https://bulk-{i}.com/t/{i},,ja,manga,W{i % 7},題{i % 7},,,,\n" for i in range(1200)]
    rows += [f"www.bulk-{i}.com,https://bulk-{i}.com/extra,,en,film,,,,,,\n" for i in range(0, 1200, 100)]
    rows += [f"shared.net,https://shared.net/{i},SHARED,,,,,,,,\n" for i in (1, 2)]
    rows.insert(10, "shared.net,https://shared.net/0,SHARED,,,,,,,,\n")
    path = write(tmp_path, HEADER + "".join(rows))
    summary = run(path, factory, tenants.a_id)  # type: ignore[attr-defined]
    assert summary.errors == [] and summary.sites_created == 1201
    with engine.connect() as conn:
        events = conn.execute(
            sa.text(
                "SELECT entity_type, entity_id, new_value FROM audit_event WHERE action = 'create' AND actor = 'test'"
            )
        ).all()
        site_ids = {str(i) for i in conn.execute(sa.text("SELECT id FROM site")).scalars()}
        domains = {str(r[0]): r[1] for r in conn.execute(sa.text("SELECT id, fqdn FROM domain"))}
        submissions = {str(r[0]): r[1] for r in conn.execute(sa.text("SELECT id, source_ref FROM submission"))}
        evidence = dict(
            conn.execute(sa.text("SELECT submission_id, count(*) FROM evidence_item GROUP BY submission_id")).all()
        )
    by_type: dict[str, dict[str, dict[str, object]]] = {}
    for kind, entity_id, value in events:
        by_type.setdefault(kind, {})[entity_id] = json.loads(value)
    assert set(by_type["site"]) == site_ids
    assert all(v["status"] == "active" for v in by_type["site"].values())
    assert {k: v["fqdn"] for k, v in by_type["domain"].items()} == domains
    assert all(v["is_ip"] is False for v in by_type["domain"].values())
    assert {k: v["source_ref"] for k, v in by_type["submission"].items()} == submissions
    assert all(v["via"] == "csv" for v in by_type["submission"].values())
    # One event per submission and chunk that added evidence: SHARED got some in each chunk.
    added: dict[int, int] = {}
    for kind, entity_id, value in events:
        if kind == "evidence":
            added[int(entity_id)] = added.get(int(entity_id), 0) + json.loads(value)["items_added"]
    assert added == evidence
    shared = next(k for k, v in submissions.items() if v == "SHARED")
    assert evidence[int(shared)] == 3
    assert sum(1 for kind, entity_id, _ in events if kind == "evidence" and entity_id == shared) == 2

    again = run(path, factory, tenants.a_id)  # type: ignore[attr-defined]
    assert (again.submissions_created, again.evidence_added, again.sites_created) == (0, 0, 0)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_event WHERE actor = 'test'")).scalar_one() == len(
            events
        )
