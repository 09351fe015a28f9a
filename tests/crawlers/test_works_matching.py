"""Title matching on real multilingual titles: Japanese, romanised, English, Vietnamese, Korean, Chinese,
as pirate templates dress them ("Read X Manga Online Free", "X 第12話 raw", "Đọc truyện tranh X Chap 3")."""

from __future__ import annotations

import pytest

from common.titles import fold_accents, normalize_title
from crawlers.works import FoundText, SoughtTitle, match_titles

CATALOGUE = [
    SoughtTitle(work_id=1, association_id=10, language="ja", title="ワンピース"),
    SoughtTitle(work_id=1, association_id=10, language="ja-Latn", title="Wan Pīsu"),
    SoughtTitle(work_id=1, association_id=10, language="en", title="One Piece"),
    SoughtTitle(work_id=2, association_id=10, language="ja", title="進撃の巨人"),
    SoughtTitle(work_id=2, association_id=10, language="ja-Latn", title="Shingeki no Kyojin"),
    SoughtTitle(work_id=2, association_id=10, language="en", title="Attack on Titan"),
    SoughtTitle(work_id=3, association_id=20, language="vi", title="Thám Tử Lừng Danh Conan"),
    SoughtTitle(work_id=3, association_id=20, language="ja", title="名探偵コナン"),
    SoughtTitle(work_id=4, association_id=20, language="en", title="One-Punch Man"),
    SoughtTitle(work_id=5, association_id=20, language="ja", title="呪術廻戦"),
    SoughtTitle(work_id=1, association_id=10, language="vi", title="Đảo Hải Tặc"),
    SoughtTitle(work_id=1, association_id=10, language="zh", title="海贼王"),
    SoughtTitle(work_id=6, association_id=20, language="ko", title="나 혼자만 레벨업"),
    SoughtTitle(work_id=6, association_id=20, language="en", title="Solo Leveling"),
    SoughtTitle(work_id=7, association_id=20, language="en", title="Naruto"),
    SoughtTitle(work_id=8, association_id=20, language="en", title="Monster"),
    SoughtTitle(work_id=9, association_id=20, language="ja", title="葬送のフリーレン"),
    SoughtTitle(work_id=9, association_id=20, language="en", title="Frieren: Beyond Journey's End"),
    SoughtTitle(work_id=10, association_id=20, language="en", title="Raw"),  # a title that is a generic word
]


def matched(text: str) -> set[int]:
    return {m.work_id for m in match_titles([FoundText("https://x.test/t", text, "0" * 64)], CATALOGUE, 88)}


def test_normalisation() -> None:
    assert normalize_title("ﾜﾝﾋﾟｰｽ") == "ワンピース"  # half-width katakana
    assert normalize_title("ＯＮＥ　ＰＩＥＣＥ！") == "one piece"  # full-width Latin and space
    assert fold_accents(normalize_title("Đảo Hải Tặc")) == "dao hai tac"
    assert fold_accents("ジョジョ") == "ジョジョ"  # Japanese voiced marks are kept


@pytest.mark.parametrize(
    ("found", "works"),
    [
        ("ワンピース", {1}),
        ("ﾜﾝﾋﾟｰｽ - 漫画RAW", {1}),  # half-width, with the site's name after a separator
        ("【最新話】進撃の巨人", {2}),
        ("shingeki no kyojin", {2}),
        ("wan pisu", {1}),  # romanised without the macron
        ("ATTACK ON TITAN | MangaFree", {2}),
        ("Thám tử lừng danh Conan", {3}),
        ("Tham Tu Lung Danh Conan", {3}),  # Vietnamese without diacritics
        ("名探偵コナン", {3}),
        ("One Punch-Man", {4}),
        ("One Piece Film Red", set()),  # another work that merely starts alike
        ("One Punch", set()),
        ("Chainsaw Man", set()),
        ("呪術廻戦", {5}),
        # template words around the name
        ("Read One Piece Manga Online Free", {1}),
        ("One Piece Chapter 1100 - MangaSite", {1}),
        ("ワンピース 第1100話 raw", {1}),
        ("ワンピース【第1100話】 - 漫画RAW", {1}),
        ("Đọc truyện tranh Đảo Hải Tặc Chap 1100", {1}),
        ("Dao Hai Tac chap 1100 - TruyenQQ", {1}),
        ("海贼王 第1100话 漫画", {1}),
        ("나 혼자만 레벨업 1화", {6}),
        ("Read Solo Leveling Manga Online for Free at MangaSite", {6}),
        ("Solo Leveling Season 2 Episode 3 English Subbed", {6}),
        ("Watch Frieren: Beyond Journey's End Episode 4 English Subbed at AnimeFlix", {9}),
        ("葬送のフリーレン (Raw – Free)", {9}),
        ("Shingeki no Kyoujin", {2}),  # another romanisation of the long vowel
        ("Read Monster Manga Online", {8}),
        # generic words alone name no work, and do not make a longer title match a shorter one
        ("Manga Raw Chapter 1", set()),
        ("Raw Manga Online", set()),
        ("漫画RAW - 無料で漫画を読む", set()),
        ("Read Manga Online Free", set()),
        ("raw", {10}),  # only a whole text equal to a generic-word title
        ("Boruto: Naruto Next Generations", set()),
        ("Naruto Shippuden", set()),
        ("Monster Musume", set()),
    ],
)
def test_real_titles(found: str, works: set[int]) -> None:
    assert matched(found) == works


def test_each_association_gets_its_own_matches_with_evidence() -> None:
    pages = [
        FoundText("https://raw.test/manga/one-piece/", "ワンピース", "a" * 64),
        FoundText("https://raw.test/manga/conan/", "名探偵コナン - raw", "b" * 64),
    ]
    result = match_titles(pages, CATALOGUE, 88)
    assert [(m.work_id, m.association_id, m.url, m.score) for m in result] == [
        (1, 10, "https://raw.test/manga/one-piece/", 100.0),
        (3, 20, "https://raw.test/manga/conan/", 100.0),
    ]
    assert result[1].content_sha256 == "b" * 64 and result[1].title_matched == "名探偵コナン"
    assert match_titles(pages, [], 88) == [] and match_titles([], CATALOGUE, 88) == []


def test_other_names_of_a_page_are_compared_and_forms_are_scored_once() -> None:
    # the heading is a theme's logo; og:title names the work
    pages = [
        FoundText("https://x.test/m/1", "MangaSite", "c" * 64, ("Solo Leveling Raw", "나 혼자만 레벨업 - MangaSite"))
    ]
    # every chapter page repeats its title: one match per page all the same
    pages += [
        FoundText(f"https://x.test/solo-leveling-chapter-{n}/", "Solo Leveling Chapter", "d" * 64) for n in range(50)
    ]
    result = match_titles(pages, CATALOGUE, 88)
    assert {m.work_id for m in result} == {6} and len(result) == 51
    assert result[0].url == "https://x.test/m/1" and result[0].title_found in {
        "Solo Leveling Raw",
        "나 혼자만 레벨업 - MangaSite",
    }


def _normalize_by_definition(text: str) -> str:
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", text).casefold()
    kept = [" " if unicodedata.category(ch)[0] in {"P", "S", "Z", "C"} else ch for ch in text]
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def _fold_by_definition(text: str) -> str:
    import unicodedata

    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text.replace("đ", "d")):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue  # a mark on a Latin letter (or after another one dropped there)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


_MIXED = "aAeđĐ ảệ\u0303\u0301\u0300ゔカ\u309b\u3099パー・—!?.,\t\n\x00\u200bÅéñ한국어中文ｶﾞＡ１\U0001f600"


def test_the_fast_normalisation_and_folding_equal_their_definitions() -> None:
    """The table- and run-based forms (fast enough for whole pages) give exactly what the character-by-character
    definitions give, on mixed scripts, combining marks, controls and symbols."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=800, deadline=None)
    @given(st.text(alphabet=st.sampled_from(_MIXED), max_size=40) | st.text(max_size=40))
    def same(text: str) -> None:
        assert normalize_title(text) == _normalize_by_definition(text)
        assert fold_accents(text) == _fold_by_definition(text)
        assert fold_accents(normalize_title(text)) == _fold_by_definition(_normalize_by_definition(text))

    same()
