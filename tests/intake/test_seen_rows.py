"""The compact memory of rows seen so far answers as a plain dict would, across its spills and merges."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cases.intake.seen_rows import SeenRows


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**60 - 1) | st.integers(min_value=0, max_value=40), max_size=300))
def test_seen_rows_answer_as_a_dict_does(fingerprints: list[int]) -> None:
    seen, plain = SeenRows(recent_rows=7), {}
    for line, fingerprint in enumerate(fingerprints, start=2):
        assert seen.first_line(fingerprint) == plain.get(fingerprint)
        if fingerprint not in plain:
            seen.add(fingerprint, line)
            plain[fingerprint] = line
    assert len(seen) == len(plain)
    assert all(seen.first_line(f) == line for f, line in plain.items())
    assert seen.first_line(2**60) is None


def test_a_million_rows_fit_in_a_few_arrays() -> None:
    seen = SeenRows()
    for n in range(1_000_000):
        seen.add(n * 7919 % (2**60), n + 2)
    assert len(seen._levels) <= 6  # the structure itself is what is tested
    assert seen.first_line(0) == 2 and seen.first_line(999_999 * 7919) == 1_000_001
    assert seen.first_line(1) is None
