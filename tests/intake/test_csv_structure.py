"""CSV files broken in their structure: each fault costs only its own line, on both stores.

An unterminated quote, a quoted field that runs into the rows below, a duplicated column, a NUL in a
note: what was refused is named with its line, and every good row goes in (PostgreSQL refuses NUL in
text, so a row with one must never reach it inside a chunk of good rows).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.errors import CsvFormatError
from cases.intake.csv_import import ImportSummary, import_csv, read_rows

HEADER = "domain,url,note\n"


def row(n: int, note: str = "ok") -> str:
    return f"site{n}.example,https://site{n}.example/chapter/1,{note}\n"


def sites(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text("SELECT fqdn FROM domain")).scalars())


def run(tmp_path: Path, text: str, factory: sessionmaker[Session], association_id: int) -> ImportSummary:
    path = tmp_path / "sites.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return import_csv(path, factory, Actor("test"), association_id)


def test_an_unterminated_quote_costs_its_own_line(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    text = HEADER + row(1) + 'site2.example,https://site2.example/1,"never closed\n' + row(3) + row(4) + row(5)
    summary = run(tmp_path, text, factory, tenants.a_id)  # type: ignore[attr-defined]
    assert [e.line for e in summary.errors] == [3]
    assert "never closed" in summary.errors[0].message or "quote" in summary.errors[0].message
    assert sites(engine) == {"site1.example", "site3.example", "site4.example", "site5.example"}
    assert summary.imported_rows == 4


def test_a_quote_that_runs_into_later_rows_is_caught(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    # The quote opened on line 3 closes on line 6: read naively, lines 3-6 are one row with a huge note.
    text = HEADER + row(1) + 'site2.example,https://site2.example/1,"opens here\n' + row(3) + row(4)
    text += 'site5.example,https://site5.example/1,closes" here\n' + row(6)
    summary = run(tmp_path, text, factory, tenants.a_id)  # type: ignore[attr-defined]
    assert [e.line for e in summary.errors] == [3, 6]
    assert sites(engine) == {"site1.example", "site3.example", "site4.example", "site6.example"}


def test_a_note_with_line_breaks_still_imports(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    text = HEADER + row(1) + 'site2.example,https://site2.example/1,"two\nlines, and a ""quote"""\n' + row(3)
    summary = run(tmp_path, text, factory, tenants.a_id)  # type: ignore[attr-defined]
    assert summary.errors == []
    with engine.connect() as conn:
        notes = set(conn.execute(sa.text("SELECT note FROM evidence_item")).scalars())
    assert 'two\nlines, and a "quote"' in notes


def test_nul_and_control_characters_refuse_the_row_not_the_chunk(
    tmp_path: Path, factory: sessionmaker[Session], tenants: object, engine: Engine
) -> None:
    text = HEADER + row(1) + row(2, "a NUL \x00 here") + row(3) + row(4, "an escape \x1b[31m") + row(5)
    text += "site6.example,https://site6.example/\x7f,ok\n" + row(7)
    summary = run(tmp_path, text, factory, tenants.a_id)  # type: ignore[attr-defined]
    lines = {e.line: e.message for e in summary.errors}
    assert sorted(lines) == [3, 5, 7]
    assert "U+0000" in lines[3] and "U+001B" in lines[5] and "U+007F" in lines[7]
    assert sites(engine) == {"site1.example", "site3.example", "site5.example", "site7.example"}


def test_a_column_named_twice_refuses_the_file(tmp_path: Path, factory: sessionmaker[Session], tenants: object) -> None:
    with pytest.raises(CsvFormatError, match=r"named twice.*'note' in columns 3, 4"):
        run(tmp_path, "domain,url,note,note\n" + row(1), factory, tenants.a_id)  # type: ignore[attr-defined]


def _rows_of(text: str) -> list[tuple[int, object]]:
    import io

    return list(read_rows(io.BytesIO(text.encode("utf-8", "surrogatepass"))))


# Structurally broken files: rows with stray quotes, commas, blank lines and line breaks spliced in.
_cell = st.text(alphabet=st.sampled_from(list('ab ,"\n\r;')), max_size=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), _cell), min_size=1, max_size=30))
def test_no_broken_file_swallows_a_good_row(rows: list[tuple[bool, str]]) -> None:
    """Whatever garbage stands between them, every well-formed row is read, at its own line."""
    lines = [HEADER]
    good: dict[int, str] = {}
    for n, (is_good, garbage) in enumerate(rows):
        if is_good:
            good[len("".join(lines).splitlines()) + 1] = f"good{n}.example"
            lines.append(row(n).replace(f"site{n}", f"good{n}"))
        else:
            lines.append(garbage.replace("\r", "") + "\n")
    records = _rows_of("".join(lines))
    read = {line: r["domain"] for line, r in records if isinstance(r, dict)}
    for line, domain in good.items():
        # a good row may only be lost if the garbage right before it left a quote open that its own
        # line closes: then the error names the garbage's line, and the row is read again after it
        assert read.get(line) == domain, (line, domain, records)
