"""A notice drafted and sent in the lab: its URLs are captured with the pre-send re-check, and its
evidence package verifies."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from cases.audit.services import Actor
from cases.db import transaction
from cases.evidence.models import EvidenceCapture
from cases.evidence.verify import verify_package
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.providers.services import add_provider
from cases.takedown.models import LegalBasis, NoticeState
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from piratewatch.config import get_settings
from piratewatch.services import Services

from ..conftest import SENDER
from .conftest import EvidenceLab

ACTOR = Actor("test:evidence")


def _approved_notice(svc: Services, association_id: int, urls: list[str]) -> int:
    site = SiteIn.model_validate(
        {
            "source_ref": "A-1",
            "domains": ["mangafree.test"],
            "works": [
                {
                    "ref": "OP",
                    "titles": {"en": "One Piece"},
                    "content_type": "manga",
                    "rights_holder": "Publisher K.K.",
                    "official_url": "https://publisher.example/one-piece",
                }
            ],
            "evidence": [{"url": u, "work_ref": "OP"} for u in urls],
        }
    )
    with transaction(svc.factory) as session:
        results, _ = submit_sites(session, ACTOR, association_id, [site], via="api")
        assert results[0] is not None
        host = add_provider(session, ACTOR, "Lab Hosting", "host", abuse_email="abuse@host.example")
        case = open_case(session, ACTOR, results[0].site_id, host.id or 0)
        notice = draft_notice(session, ACTOR, case.id or 0, association_id, LegalBasis.DMCA, dict(SENDER))
        submit_for_review(session, ACTOR, notice.id or 0)
        approve(session, ACTOR, notice.id or 0)
        return notice.id or 0


def test_a_sent_notice_has_its_urls_captured_and_its_package_verifies(
    evidence_lab: EvidenceLab, engine: Engine, db_url: str, tenants: Any, tmp_path: Path
) -> None:
    values = evidence_lab.settings_values(tmp_path / "data", db_url)
    values["evidence"]["capture_before_send"] = True
    values["notices"] = {"export_dir": str(tmp_path / "outbox")}
    urls = [
        evidence_lab.url("mangafree.test", "/title/one-piece/"),
        evidence_lab.url("mangafree.test", "/title/one-piece/1/"),
    ]
    with Services.from_settings(get_settings(**values), engine=engine) as svc:
        notice_id = _approved_notice(svc, tenants.a_id, urls)
        report = asyncio.run(svc.send(ACTOR, channel="file"))
        assert report.sent == [notice_id], report
        assert sorted(c.url for c in report.captures) == sorted(urls)
        assert {c.status for c in report.captures} == {"complete"}
        with svc.factory() as session:
            assert get_notice(session, notice_id).state == NoticeState.SENT
            rows = [session.get(EvidenceCapture, c.capture_id) for c in report.captures]
        assert {(r.trigger, r.association_id) for r in rows if r} == {("recheck", tenants.a_id)}
        exported = asyncio.run(svc.export_evidence(ACTOR, notice_id=notice_id))
    assert exported.problems == []
    assert sorted(exported.captures) == sorted(c.capture_id for c in report.captures if c.capture_id)
    verified = verify_package(exported.data)
    assert verified.failures == []
    assert verified.captures == 2


def test_a_notice_cites_each_items_capture_time_and_hash(
    services: Services, evidence_lab: EvidenceLab, tenants: Any
) -> None:
    urls = [
        evidence_lab.url("mangafree.test", "/title/one-piece/"),
        evidence_lab.url("mangafree.test", "/title/one-piece/1/"),
    ]
    [mine] = asyncio.run(services.capture(urls[:1], ACTOR, association_id=tenants.a_id))
    # another association's capture of the other URL is not association A's evidence
    [theirs] = asyncio.run(services.capture(urls[1:], ACTOR, association_id=tenants.b_id))
    notice_id = _approved_notice(services, tenants.a_id, urls)
    with services.factory() as session:
        text = get_notice(session, notice_id).rendered_text or ""
        row = session.get(EvidenceCapture, mine.capture_id)
        assert row is not None
    cited = f"(captured {row.started_at:%Y-%m-%d %H:%M:%S} UTC; evidence manifest SHA-256 {mine.manifest_sha256})"
    assert f"{urls[0]}  [One Piece]\n     {cited}" in text
    assert theirs.manifest_sha256 is not None
    assert theirs.manifest_sha256 not in text
    assert text.count("evidence manifest SHA-256") == 1
