"""DSA Art. 22: an association's trusted-flagger status on its sender profile, printed in its Art. 16
notices, and the yearly Art. 22(3) counts of its Art. 16 notices (API, CLI), each association its own."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from cases.audit.services import Actor
from cases.db import transaction
from cases.errors import InvalidInputError
from cases.providers.services import add_provider
from cases.takedown.art22_report import art22_report
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.models import ItemOutcome, LegalBasis, NoticeItem, NoticeState
from cases.takedown.replies import record_reply
from cases.takedown.review import approve
from cases.takedown.senders import notice_sender, set_sender_profile
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from piratewatch.cli import app

ACTOR = Actor("test:art22")
STATUS = {
    "trusted_flagger_coordinator": "Bundesnetzagentur (DE)",
    "trusted_flagger_awarded_on": "2025-03-10",
    "trusted_flagger_expertise": "copyright infringement of manga and anime",
}
runner = CliRunner()


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def _sent_dsa(
    factory: sessionmaker[Session], association_id: int, provider_id: int, site_id: int, out: Path
) -> int:
    with transaction(factory) as session:
        case = open_case(session, ACTOR, site_id, provider_id)
        sender = notice_sender(session, association_id)
        notice = draft_notice(session, ACTOR, case.id or 0, association_id, LegalBasis.DSA, sender)
        submit_for_review(session, ACTOR, notice.id or 0)
        approve(session, ACTOR, notice.id or 0)
    await send_notice(factory, ACTOR, FileChannel(out), notice.id or 0)
    return notice.id or 0


def _actioned_after(factory: sessionmaker[Session], notice_id: int, hours: float, share: int | None = None) -> None:
    """The provider took the notice's URLs (or the first `share` of them) down `hours` after it was sent."""
    with transaction(factory) as session:
        notice = get_notice(session, notice_id)
        assert notice.sent_at is not None
        items = list(session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice_id)))
        for item in items[:share]:
            item.outcome, item.checked_at = ItemOutcome.ACTIONED, notice.sent_at + dt.timedelta(hours=hours)
            session.add(item)
        notice.state = NoticeState.ACTIONED if share is None else NoticeState.PARTIALLY_ACTIONED
        session.add(notice)


@pytest.fixture
async def reported(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], tmp_path: Path
) -> dict[str, int]:
    """Association A (a trusted flagger) sent Art. 16 notices to two EU hosts and a DMCA notice; B one of its own."""
    with transaction(factory) as session:
        set_sender_profile(session, ACTOR, world.a_id, {**sender, **STATUS})
        set_sender_profile(session, ACTOR, world.b_id, {**sender, "organisation": "Association B"})
        nl = add_provider(session, ACTOR, "Hosting NL B.V.", "host", country="NL", abuse_email="abuse@nl.example")
        de = add_provider(session, ACTOR, "Hosting DE GmbH", "host", country="DE", abuse_email="abuse@de.example")
    a_nl = await _sent_dsa(factory, world.a_id, nl.id or 0, world.site_id, tmp_path)
    a_de = await _sent_dsa(factory, world.a_id, de.id or 0, world.site_id, tmp_path)
    b_nl = await _sent_dsa(factory, world.b_id, nl.id or 0, world.site_id, tmp_path)
    with transaction(factory) as session:  # a DMCA notice of A: not an Art. 16 notice
        case = open_case(session, ACTOR, world.site_id, world.host_id)
        dmca = draft_notice(
            session, ACTOR, case.id or 0, world.a_id, LegalBasis.DMCA, notice_sender(session, world.a_id)
        )
        submit_for_review(session, ACTOR, dmca.id or 0)
        approve(session, ACTOR, dmca.id or 0)
    await send_notice(factory, ACTOR, FileChannel(tmp_path), dmca.id or 0)
    _actioned_after(factory, a_nl, 6.0)
    _actioned_after(factory, b_nl, 1.0)
    _actioned_after(factory, dmca.id or 0, 2.0)
    with transaction(factory) as session:
        record_reply(session, ACTOR, a_de, "rejected", body="Not our customer.")
    return {"a_nl": a_nl, "a_de": a_de, "b_nl": b_nl, "dmca": dmca.id or 0}


async def test_the_status_is_printed_in_art16_notices_only(
    factory: sessionmaker[Session], reported: dict[str, int]
) -> None:
    with factory() as session:
        dsa = get_notice(session, reported["a_nl"]).rendered_text or ""
        dmca = get_notice(session, reported["dmca"]).rendered_text or ""
        other = get_notice(session, reported["b_nl"]).rendered_text or ""
    assert (
        "Submitted by a trusted flagger (Article 22 of Regulation (EU) 2022/2065): Association A was awarded\n"
        "the status by Bundesnetzagentur (DE) on 2025-03-10,\nfor copyright infringement of manga and anime."
    ) in dsa
    assert "trusted flagger" not in dmca and "Bundesnetzagentur" not in dmca
    assert "trusted flagger" not in other  # B has no status


def test_a_status_is_the_associations_own_and_well_formed(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], client: Any, tenants: Any
) -> None:
    url = f"/api/v1/associations/{tenants.a_id}/sender-profile"
    for bad, field in [
        ({"trusted_flagger_coordinator": "Bundesnetzagentur (DE)"}, "trusted_flagger_awarded_on"),
        ({"trusted_flagger_awarded_on": "2025-03-10"}, "trusted_flagger_coordinator"),
        ({**STATUS, "trusted_flagger_awarded_on": "2023-12-31"}, "trusted_flagger_awarded_on"),  # before the DSA
        ({**STATUS, "trusted_flagger_awarded_on": "2999-01-01"}, "trusted_flagger_awarded_on"),
        ({**STATUS, "trusted_flagger_awarded_on": "10 March 2025"}, "trusted_flagger_awarded_on"),
        ({**STATUS, "trusted_flagger_awarded_on": "2025-3-10"}, "trusted_flagger_awarded_on"),
        ({**STATUS, "trusted_flagger_awarded_on": 20250310}, "trusted_flagger_awarded_on"),
        ({**STATUS, "trusted_flagger_coordinator": "BNetzA\r\nBcc: x"}, "trusted_flagger_coordinator"),
        ({**STATUS, "trusted_flagger_coordinator": "x" * 301}, "trusted_flagger_coordinator"),
    ]:
        answer = client.put(url, json={**sender, **bad}, headers=h(tenants.a))
        assert answer.status_code == 422, (bad, answer.text[:300])
        assert field in answer.text, (field, answer.text[:300])
    assert client.put(url, json={**sender, **STATUS}, headers=h(tenants.a)).status_code == 200
    # an operator may not claim it for the association, nor may one notice's details
    assert client.put(url, json={**sender, **STATUS}, headers=h(tenants.operator)).status_code == 403
    with factory() as session, pytest.raises(InvalidInputError) as refused:
        notice_sender(session, tenants.a_id, {"trusted_flagger_coordinator": "Arcom (FR)"})
    assert refused.value.problems[0].startswith("sender.trusted_flagger_coordinator: only the association")


async def test_the_yearly_art22_counts(factory: sessionmaker[Session], world: Any, reported: dict[str, int]) -> None:
    year = dt.datetime.now(dt.UTC).year
    with factory() as session:
        report = art22_report(session, world.a_id, year)
        assert art22_report(session, world.a_id, year - 1)["notices"] == 0
    assert report["regulation"] == "Regulation (EU) 2022/2065, Art. 22(3)"
    assert report["trusted_flagger"] == {
        "coordinator": "Bundesnetzagentur (DE)",
        "awarded_on": "2025-03-10",
        "expertise": "copyright infringement of manga and anime",
    }
    assert (report["notices"], report["notices_before_status"]) == (2, 0)  # A's Art. 16 notices; not the DMCA one
    assert report["counts"] == [
        {
            "provider": "Hosting DE GmbH",
            "content_type": "copyright infringement (manga)",
            "action": "refused",
            "notices": 1,
        },
        {
            "provider": "Hosting NL B.V.",
            "content_type": "copyright infringement (manga)",
            "action": "removed or disabled",
            "notices": 1,
        },
    ]
    assert report["time_to_action"] == [{"provider": "Hosting NL B.V.", "actioned": 1, "median_hours": 6.0}]
    assert "Hanako" not in json.dumps(report) and "secret-b" not in json.dumps(report)  # no personal data, no B


async def test_the_report_over_the_api_and_the_command_line(
    client: Any, tenants: Any, world: Any, reported: dict[str, int], db_url: str, tmp_path: Path
) -> None:
    year = dt.datetime.now(dt.UTC).year
    url = f"/api/v1/associations/{world.a_id}/art22-report"
    own = client.get(url, params={"year": year}, headers=h(tenants.a))
    assert own.status_code == 200, own.text
    assert own.json()["notices"] == 2
    assert client.get(url, headers=h(tenants.a)).json() == own.json()  # this year by default
    assert client.get(url, params={"year": year}, headers=h(tenants.b)).status_code == 404
    assert client.get(url, params={"year": year}, headers=h(tenants.operator)).json() == own.json()
    for bad in ("1999", "2023", "x", "2026.5", "9" * 30):
        assert client.get(url, params={"year": bad}, headers=h(tenants.a)).status_code == 422, bad
    b_own = client.get(f"/api/v1/associations/{world.b_id}/art22-report", headers=h(tenants.b)).json()
    assert b_own["trusted_flagger"] is None and b_own["notices"] == 1
    assert b_own["time_to_action"] == [{"provider": "Hosting NL B.V.", "actioned": 1, "median_hours": 1.0}]
    assert client.get("/api/v1/associations/999999/art22-report", headers=h(tenants.operator)).status_code == 404

    env = {"PIRATEWATCH_DATABASE_URL": db_url, "PIRATEWATCH_DATA_DIR": str(tmp_path)}
    shown = runner.invoke(app, ["notices", "art22-report", str(year), "--association", str(world.a_id)], env=env)
    assert shown.exit_code == 0, shown.output
    assert f"Association A, {year}: 2 Art. 16 notice(s); trusted flagger since 2025-03-10 (Bundesnetzagentur (DE))" in (
        shown.stdout
    )
    assert "  Hosting NL B.V.: copyright infringement (manga): removed or disabled: 1" in shown.stdout
    assert "  Hosting NL B.V.: median 6.0 h to action (1 notice(s))" in shown.stdout
    args = ["notices", "art22-report", str(year), "--association", str(world.a_id), "--json"]
    as_json = runner.invoke(app, args, env=env)
    assert json.loads(as_json.stdout) == own.json()
    missing = runner.invoke(app, ["notices", "art22-report", str(year), "--association", "999999"], env=env)
    assert missing.exit_code == 1 and "999999" in missing.output
