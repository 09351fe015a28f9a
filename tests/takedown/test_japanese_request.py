"""The Japanese copyright request, element by element against the copyright guideline's model (様式A
「著作物等の送信を防止する措置の申出について」) and the law's current name (since 2025-04-01)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import transaction
from cases.errors import InvalidInputError
from cases.takedown import render as rendering
from cases.takedown.models import LegalBasis, NoticeState
from cases.takedown.services import draft_notice, open_case, submit_for_review

from .conftest import WORK_RIGHTS

ACTOR = Actor("test:jp")
CURRENT_LAW = "特定電気通信による情報の流通によって発生する権利侵害等への対処に関する法律"
OLD_LAW = "特定電気通信役務提供者の損害賠償責任の制限及び発信者情報の開示に関する法律"


def _context(sender: dict[str, Any], works: list[rendering.WorkView], urls_per_work: int = 2) -> Any:
    items = [rendering.ItemView(f"https://manga-raw.io/{w.id}/{i}", w) for w in works for i in range(urls_per_work)]
    return rendering.NoticeContext(
        "jp_transmission_prevention",
        "さくらホスティング株式会社",
        "manga-raw.io",
        sender,
        items,
        "k-1",
        rendering.utc_today(),
    )


def _work(work_id: int, title: str, **rights: Any) -> rendering.WorkView:
    return rendering.WorkView(
        work_id, title, "Publisher K.K.", f"https://publisher.example/{work_id}", {**WORK_RIGHTS, **rights}
    )


def _section(text: str, heading: str) -> str:
    """The lines of `text` from `heading` to the next numbered heading."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:2].rstrip(".").isdigit()), len(lines))
    return "\n".join(lines[start:end])


def test_the_form_is_the_copyright_guidelines_model(sender: dict[str, Any]) -> None:
    text, _ = rendering.render(_context(sender, [_work(1, "作品一")]))
    assert text.splitlines()[0].startswith("件名: 著作物等の送信を防止する措置の申出について")
    assert "\n著作物等の送信を防止する措置の申出について\n" in text  # the form's own title
    assert CURRENT_LAW in text and OLD_LAW not in text
    assert "侵害情報の通知書" not in text  # the defamation/privacy form's title
    # the request rests on the copyright guideline (under the law), not "on the law" itself
    assert f"「{CURRENT_LAW}」の著作権関係ガイドラインに基づき" in text
    assert "さくらホスティング株式会社 御中" in text


def test_every_element_of_the_form(sender: dict[str, Any]) -> None:
    text, _ = rendering.render(_context(sender, [_work(1, "作品一")]))
    assert sender["address"] in _section(text, "1. 申出者の住所")
    assert sender["name"] in _section(text, "2. 申出者の氏名")
    contact = _section(text, "3. 申出者の連絡先")
    assert sender["email"] in contact and sender["phone"] in contact
    # 「貴社が管理するURL」: the URLs themselves, not the site's name
    where = _section(text, "4. 侵害情報の特定のための情報（貴社が管理するURL）")
    assert "https://manga-raw.io/1/0" in where and "https://manga-raw.io/1/1" in where
    assert "貴社が管理するURL: manga-raw.io" not in text
    work = _section(text, "5. 著作物等の説明")
    assert "「作品一」（正規版: https://publisher.example/1）" in work
    assert "権利者: Publisher K.K." in work
    assert "侵害されたとする権利: 公衆送信権（著作権法第23条）" in work
    assert "■ b) 著作物等の全部又は一部を丸写ししたファイル" in work  # how the copy infringes
    assert "□ a)" in work and "□ c)" in work
    assert "著作権等の保護期間内です（2019年公表" in work
    assert "送信を許諾していません" in work
    assert "権利者であることの証明: 出版権設定契約書の写し（添付資料1）（添付）" in work
    assert "権利侵害を確認可能な方法: 正規版の該当話" in work
    agency = _section(text, "6. 申出者と権利者の関係")
    assert "代理人として" in agency and f"委任状）: {sender['mandate_document']}（添付）" in agency
    attached = _section(text, "7. 添付資料")
    assert "出版権設定契約書の写し" in attached and f"委任状: {sender['mandate_document']}" in attached
    assert text.rstrip().endswith("上記内容が、事実に相違ないことを証します。\n\n以上")


def test_rights_are_stated_per_work(sender: dict[str, Any]) -> None:
    first = _work(1, "作品一", right_infringed="公衆送信権（著作権法第23条）", manner="full_copy")
    second = _work(
        2,
        "作品二",
        right_infringed="送信可能化権（著作権法第23条第1項）",
        manner="compressed_copy",
        protection_period="2001年公表、団体名義の著作物（公表後70年）",
        proof_of_right="著作権登録原簿の謄本",
    )
    text, _ = rendering.render(_context(sender, [first, second], urls_per_work=1))
    one, two = text.split("(1) 「作品一」")[1].split("(2) 「作品二」")
    assert "公衆送信権（著作権法第23条）" in one and "■ b)" in one and "送信可能化権" not in one
    assert "送信可能化権（著作権法第23条第1項）" in two and "■ c)" in two and "団体名義の著作物" in two
    assert "著作権登録原簿の謄本" in two and "著作権登録原簿の謄本" not in one


def test_the_validator_names_each_missing_element(sender: dict[str, Any]) -> None:
    bare = rendering.WorkView(1, "作品一", None, None, {"manner": "other"})
    with pytest.raises(InvalidInputError) as refused:
        rendering.render(_context({**sender, "mandate_document": "", "truth_statement": False}, [bare]))
    named = sorted(p.split(":")[0] for p in refused.value.problems)
    assert named == [
        "sender.mandate_document",  # an association acting for others attaches the mandate (委任状)
        "sender.truth_statement",
        "works.1.rights.manner_detail",
        "works.1.rights.no_licence",
        "works.1.rights.proof_of_right",
        "works.1.rights.protection_period",
        "works.1.rights.right_infringed",
        "works.1.rights_holder",
    ]
    with pytest.raises(InvalidInputError, match=r"sender\.acts_as"):
        rendering.render(_context({**sender, "acts_as": ""}, [_work(1, "作品一")]))


def test_through_a_trusted_organisation_or_as_the_holder(sender: dict[str, Any]) -> None:
    trusted = {
        **sender,
        "acts_as": "trusted_organisation",
        "trusted_organisation": "一般社団法人コンテンツ海外流通促進機構",
    }
    text, _ = rendering.render(_context(trusted, [_work(1, "作品一", proof_of_right="")]))
    assert "信頼性確認団体「一般社団法人コンテンツ海外流通促進機構」を経由して行います" in text
    assert "権利者であることの確認: 信頼性確認団体「一般社団法人コンテンツ海外流通促進機構」が確認済みです" in text
    assert "委任状" not in text
    with pytest.raises(InvalidInputError, match=r"sender\.trusted_organisation"):
        rendering.render(_context({**trusted, "trusted_organisation": ""}, [_work(1, "作品一")]))
    holder, _ = rendering.render(
        _context({**sender, "acts_as": "rights_holder", "mandate_document": ""}, [_work(1, "作品一")])
    )
    assert "申出者は、上記5の著作物等の著作権者等です。" in holder and "委任状" not in holder


def test_a_stored_notice_takes_each_works_statement(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], client: Any, tenants: Any
) -> None:
    from sqlmodel import col, select

    from cases.takedown.work_rights import own_work
    from cases.works.models import Work

    with transaction(factory) as session:
        w1 = session.exec(select(Work).where(col(Work.association_id) == world.a_id)).one().id or 0
        own_work(session, world.a_id, w1)
    path = f"/api/v1/works/{w1}/rights-statement"
    statement = {**WORK_RIGHTS, "protection_period": "2024年公表、著作者存命"}
    assert client.put(path, json=statement, headers={"X-API-Key": tenants.b}).status_code == 404  # not B's work
    assert client.put(path, json=statement, headers={"X-API-Key": tenants.operator}).status_code == 403
    assert client.put(path, json={**statement, "manner": "guess"}, headers={"X-API-Key": tenants.a}).status_code == 422
    stored = client.put(path, json=statement, headers={"X-API-Key": tenants.a})
    assert stored.status_code == 200 and stored.json()["statement"]["protection_period"] == "2024年公表、著作者存命"
    assert client.get(path, headers={"X-API-Key": tenants.operator}).json()["statement"]["no_licence"] is True
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.JP_PLA, sender)
        done = submit_for_review(session, ACTOR, notice.id or 0)
        assert done.state == NoticeState.IN_REVIEW
        assert "著作権等の保護期間内です（2024年公表、著作者存命）" in (done.rendered_text or "")
