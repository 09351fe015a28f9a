"""CSV files as Japanese associations save them: CP932 from Excel, UTF-8 with or without a byte order
mark, their own column names; and a file in the wrong encoding, refused line by line."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from typer.testing import CliRunner

from cases.audit.services import Actor
from cases.errors import CsvFormatError
from cases.intake.csv_columns import map_columns
from cases.intake.csv_import import ImportSummary, import_csv
from piratewatch.cli import app

# What Excel on a Japanese Windows writes for "CSV (comma delimited)": CP932, CRLF, no byte order
# mark, Japanese column names. "～" and "①" exist in CP932 only (plain Shift-JIS has neither).
EXCEL_HEADER = "ドメイン,URL,言語,種別,作品番号,作品名,英題,備考\r\n"
EXCEL_ROWS = [
    "manga-raw.io,https://manga-raw.io/kimetsu/1,ja,manga,K1,鬼滅の刃～無限列車編～,Demon Slayer,第①話\r\n",
    "manga-raw.io,https://manga-raw.io/kimetsu/2,ja,manga,K1,鬼滅の刃～無限列車編～,Demon Slayer,\r\n",
    'rawkuma.net,https://rawkuma.net/op/1,ja,manga,OP,ワンピース,One Piece,"注記, カンマ入り"\r\n',
]
EXCEL_TEXT = EXCEL_HEADER + "".join(EXCEL_ROWS)


def run(path: Path, factory: sessionmaker[Session], association_id: int, **kw: str) -> ImportSummary:
    return import_csv(path, factory, Actor("test"), association_id, **kw)  # type: ignore[arg-type]


def write(tmp_path: Path, data: bytes, name: str = "sites.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def titles(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        return {(r[0], r[1]) for r in conn.execute(sa.text("SELECT language, title FROM work_title"))}


def test_an_excel_cp932_file_is_detected_and_read_whole(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    path = write(tmp_path, EXCEL_TEXT.encode("cp932"))
    summary = run(path, factory, tenants.a_id)  # type: ignore[attr-defined]
    assert summary.errors == [] and summary.imported_rows == 3
    assert summary.encoding is not None and summary.encoding.name == "cp932"
    assert "detected" in summary.encoding.reason and "line 1" in summary.encoding.reason
    assert [m.column for m in summary.columns] == [
        "domain",
        "url",
        "languages",
        "content_types",
        "work_ref",
        "title_ja",
        "title_en",
        "note",
    ]
    assert titles(engine) >= {("ja", "鬼滅の刃～無限列車編～"), ("ja", "ワンピース"), ("en", "Demon Slayer")}
    with engine.connect() as conn:
        notes = set(conn.execute(sa.text("SELECT note FROM evidence_item WHERE note IS NOT NULL")).scalars())
    assert notes == {"第①話", "注記, カンマ入り"}


def test_shift_jis_named_by_hand_is_read_as_cp932(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    path = write(tmp_path, EXCEL_TEXT.encode("cp932"))
    summary = run(path, factory, tenants.a_id, encoding="Shift_JIS")  # type: ignore[attr-defined]
    assert summary.errors == [] and summary.encoding is not None
    assert summary.encoding.codec == "cp932" and "as asked" in summary.encoding.reason
    assert ("ja", "鬼滅の刃～無限列車編～") in titles(engine)


@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
def test_utf8_with_or_without_a_byte_order_mark(
    bom: bool, tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    # Excel's "CSV UTF-8" puts a BOM before the first column's name: it must not stick to it.
    data = (b"\xef\xbb\xbf" if bom else b"") + EXCEL_TEXT.encode("utf-8")
    summary = run(write(tmp_path, data), factory, tenants.a_id)  # type: ignore[attr-defined]
    assert summary.errors == [] and summary.imported_rows == 3
    assert summary.encoding is not None and summary.encoding.name == "utf-8"
    assert summary.encoding.reason == ("byte order mark" if bom else "detected: valid UTF-8")
    assert summary.columns[0].column == "domain" and summary.columns[0].header == "ドメイン"
    assert ("ja", "ワンピース") in titles(engine)


def test_a_cp932_file_read_as_utf8_is_refused_line_by_line(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    # An ASCII header, so the file can be opened; every row with Japanese in it is not UTF-8.
    text = "domain,url,title_ja\r\nascii.io,https://ascii.io/1,\r\njp.io,https://jp.io/1,ワンピース\r\n"
    text += "jp2.io,https://jp2.io/1,進撃の巨人\r\n"
    summary = run(write(tmp_path, text.encode("cp932")), factory, tenants.a_id, encoding="utf-8")  # type: ignore[attr-defined]
    assert [e.line for e in summary.errors] == [3, 4]
    for error in summary.errors:
        assert "not valid utf-8" in error.message and "--encoding cp932" in error.message
    assert summary.imported_rows == 1
    with engine.connect() as conn:
        assert list(conn.execute(sa.text("SELECT fqdn FROM domain")).scalars()) == ["ascii.io"]


def test_a_header_in_the_wrong_encoding_refuses_the_file(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object
) -> None:
    path = write(tmp_path, EXCEL_TEXT.encode("cp932"))
    with pytest.raises(CsvFormatError, match=r"^line 1: the header is not valid utf-8; .*--encoding cp932"):
        run(path, factory, tenants.a_id, encoding="utf-8")  # type: ignore[attr-defined]


def test_a_file_in_neither_encoding_is_read_as_utf8_with_each_bad_line_named(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object
) -> None:
    # UTF-8 Japanese on line 2 (not CP932: a stray byte pair), a CP932 row on line 3.
    data = (
        "domain,title_ja\nutf8.io,ワンピース・ｶﾅ\n".encode() + "sjis.io,進撃の巨人\n".encode("cp932") + b"x.io,\xff\n"
    )
    summary = run(write(tmp_path, data), factory, tenants.a_id)  # type: ignore[attr-defined]
    assert summary.encoding is not None and summary.encoding.name == "utf-8"
    assert "invalid from line 3" in summary.encoding.reason
    assert any("neither UTF-8" in w for w in summary.warnings)
    assert [(e.line, "not valid utf-8" in e.message) for e in summary.errors] == [(3, True), (4, True)]
    assert "--encoding cp932" in summary.errors[0].message
    assert summary.imported_rows == 1


def test_header_aliases_and_their_report() -> None:
    mapping = map_columns(["Domain", "Language", "Title", "Title (EN)", "ＵＲＬ", "colour", ""])
    assert [(m.column, m.how) for m in mapping] == [
        ("domain", "name"),
        ("languages", "alias"),
        ("title_ja", "alias"),
        ("title_en", "alias"),
        ("url", "alias"),
        (None, "unknown"),
        (None, "unknown"),
    ]
    assert [m.describe() for m in mapping[1:3]] == [
        "column 2 'Language': languages (alias)",
        "column 3 'Title': title_ja (alias)",
    ]
    assert mapping[5].describe() == "column 6 'colour': ignored (unknown name)"


def test_two_names_for_one_column_refuse_the_file() -> None:
    with pytest.raises(CsvFormatError, match=r"'languages' in columns 2, 3 \('language', 'languages'\)"):
        map_columns(["domain", "language", "languages"])
    with pytest.raises(CsvFormatError, match=r"missing column.*found: 'サイト名'.*ドメイン"):
        map_columns(["サイト名"])


def test_the_cli_prints_how_it_read_the_file(db_url: str, tmp_path: Path, tenants: object) -> None:
    path = write(tmp_path, EXCEL_TEXT.encode("cp932"))
    result = CliRunner().invoke(
        app,
        ["sites", "import", str(path), "--association", "Association A"],
        env={"PIRATEWATCH_DATABASE_URL": db_url},
    )
    assert result.exit_code == 0, result.stderr
    assert "encoding: cp932 (detected: not UTF-8 (line 1), valid CP932" in result.stderr
    assert "column 1 'ドメイン': domain (alias)" in result.stderr
    assert "column 6 '作品名': title_ja (alias)" in result.stderr
    assert "3 rows: 3 imported" in result.stdout
    result = CliRunner().invoke(
        app,
        ["sites", "import", str(path), "--association", "Association A", "--encoding", "no-such-codec"],
        env={"PIRATEWATCH_DATABASE_URL": db_url},
    )
    assert result.exit_code == 2 and "unknown encoding" in result.stderr
