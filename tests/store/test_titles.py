"""Looking for a work's titles in page text, across scripts (the pre-send re-check relies on it)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from common.titles import fold_accents, normalize_title, text_shows_title


@pytest.mark.parametrize(
    ("page", "titles", "shown"),
    [
        ("第1話 ワンピース 無料で読む", ["ワンピース"], True),  # Japanese: no spaces between words
        ("ＯＮＥ　ＰＩＥＣＥ chapter 1", ["One Piece"], True),  # full-width forms (NFKC)
        ("Đọc truyện Đảo Hải Tặc chương 1", ["Đảo Hải Tặc"], True),
        ("Doc truyen Dao Hai Tac chuong 1", ["Đảo Hải Tặc"], True),  # the site dropped the diacritics
        ("Wan Pisu raw", ["Wan Pīsu"], True),  # romanised, macron dropped
        ("One Piecemeal recipes", ["One Piece"], False),  # whole words only where words are spaced
        ("Work W11 chapter 1", ["Work W1"], False),
        ("This content was removed.", ["ワンピース", "One Piece"], False),
        ("나 혼자만 레벨업 1화", ["나 혼자만 레벨업"], True),
        ("anything", ["!"], False),  # a title with nothing left after normalisation matches nothing
    ],
)
def test_text_shows_title(page: str, titles: list[str], shown: bool) -> None:
    assert text_shows_title(page, titles) is shown


@given(st.text(max_size=80))
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_title(text)
    assert normalize_title(once) == once
    assert fold_accents(fold_accents(once)) == fold_accents(once)


@given(st.text(min_size=2, max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_a_title_written_on_the_page_is_found(title: str, before: str, after: str) -> None:
    assume(len(normalize_title(title)) >= 2)
    assert text_shows_title(f"{before} {title} {after}", [title])
