"""The benchmarks' shared rule: alternation, median and spread, CPU per unit, settings, load."""

from __future__ import annotations

import pytest

from benchmarks.common import Sample, alternate, load, session, settings_line, spread, summary


def test_variants_run_alternated_not_one_after_the_other() -> None:
    order: list[str] = []

    def variant(name: str, seconds: float) -> Sample:
        order.append(name)
        return Sample(units=100, seconds=seconds, cpu=seconds / 2)

    samples = alternate({"A": lambda: variant("A", 1.0), "B": lambda: variant("B", 2.0)}, repeats=3)
    assert order == ["A", "B", "A", "B", "A", "B"]
    assert [s.rate for s in samples["A"]] == [100.0] * 3 and [s.rate for s in samples["B"]] == [50.0] * 3


def test_spread_is_median_min_max_and_count() -> None:
    assert spread([3.0, 1.0, 10.0]) == "3 (1-10, n=3)"
    assert spread([2.5], ".1f") == "2.5 (n=1)"


def test_summary_puts_cpu_per_unit_beside_the_rate() -> None:
    runs = [
        Sample(1000, 0.5, 0.2, {"importer": 0.15, "database": 0.05}, peak_mb=120),
        Sample(1000, 0.25, 0.1, {"importer": 0.08, "database": 0.02}, peak_mb=130),
        Sample(1000, 1.0, 0.3, {"importer": 0.2, "database": 0.1}, peak_mb=125),
    ]
    line = summary("import", runs, "row")
    assert line == (
        "  import: 2,000 (1,000-4,000, n=3) rows/s; CPU 200 (100-300, n=3) µs/row "
        "(database 50 (20-100, n=3), importer 150 (80-200, n=3)); peak RSS 125 (120-130, n=3) MB"
    )


def test_settings_that_differ_from_production_are_named_with_both_values() -> None:
    assert settings_line({}) == "  settings: as in production"
    assert settings_line({"delay": ("0.25 s", "0"), "concurrency": (4, 16)}) == (
        "  settings that differ from production: delay 0 (production 0.25 s), concurrency 16 (production 4)"
    )


def test_session_prints_machine_and_load_at_start_and_end(capsys: pytest.CaptureFixture[str]) -> None:
    with session("x"):
        print("work")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("  [x] machine: ") and "cores" in lines[0]
    assert lines[1].startswith("  [x] at start: load average ") and lines[2] == "work"
    assert lines[3].startswith("  [x] at end: load average ")
    assert load().endswith("cores")
