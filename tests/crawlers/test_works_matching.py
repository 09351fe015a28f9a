"""Title matching on real multilingual titles: Japanese, romanised, English, Vietnamese."""

from __future__ import annotations

import pytest

from cases.crawls.schemas import CatalogueTitle
from crawlers.works import FoundText, fold_accents, match_titles, normalize_title

CATALOGUE = [
    CatalogueTitle(work_id=1, association_id=10, language="ja", title="ワンピース"),
    CatalogueTitle(work_id=1, association_id=10, language="ja-Latn", title="Wan Pīsu"),
    CatalogueTitle(work_id=1, association_id=10, language="en", title="One Piece"),
    CatalogueTitle(work_id=2, association_id=10, language="ja", title="進撃の巨人"),
    CatalogueTitle(work_id=2, association_id=10, language="ja-Latn", title="Shingeki no Kyojin"),
    CatalogueTitle(work_id=2, association_id=10, language="en", title="Attack on Titan"),
    CatalogueTitle(work_id=3, association_id=20, language="vi", title="Thám Tử Lừng Danh Conan"),
    CatalogueTitle(work_id=3, association_id=20, language="ja", title="名探偵コナン"),
    CatalogueTitle(work_id=4, association_id=20, language="en", title="One-Punch Man"),
    CatalogueTitle(work_id=5, association_id=20, language="ja", title="呪術廻戦"),
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
