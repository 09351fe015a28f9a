"""The Lumen export names works by title and carries each item's evidence (its newest capture)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from cases.audit.services import Actor
from cases.evidence.models import EvidenceCapture
from cases.takedown.statistics import lumen_export
from piratewatch.config import get_settings
from piratewatch.services import Services

from .conftest import EvidenceLab
from .test_notice_evidence import _approved_notice

ACTOR = Actor("test:lumen")
#: the parameters Lumen's API keeps of a work and of a URL (NoticesController#work_params)
LUMEN_WORK_KEYS = {"description", "kind", "copyrighted_urls_attributes", "infringing_urls_attributes"}


def test_lumen_export_uses_titles_and_cites_evidence(
    evidence_lab: EvidenceLab, engine: Engine, db_url: str, tenants: Any, tmp_path: Path
) -> None:
    values = evidence_lab.settings_values(tmp_path / "data", db_url)
    values["notices"] = {"export_dir": str(tmp_path / "outbox")}
    with Services.from_settings(get_settings(**values), engine=engine) as services:
        _send_and_check(services, evidence_lab, tenants)


def _send_and_check(services: Services, evidence_lab: EvidenceLab, tenants: Any) -> None:
    urls = [evidence_lab.url("mangafree.test", "/title/one-piece/")]
    # an older capture of the URL, then a newer one: the newer is cited
    [older] = asyncio.run(services.capture(urls, ACTOR, association_id=tenants.a_id))
    [newest] = asyncio.run(services.capture(urls, ACTOR, association_id=tenants.a_id))
    # another association's capture, newer still, is not association A's evidence
    [theirs] = asyncio.run(services.capture(urls, ACTOR, association_id=tenants.b_id))
    notice_id = _approved_notice(services, tenants.a_id, urls)
    report = asyncio.run(services.send(ACTOR, channel="file"))
    assert report.sent == [notice_id], report
    with services.factory() as session:
        (exported,) = lumen_export(session)
        row = session.get(EvidenceCapture, newest.capture_id)
        assert row is not None
    notice = exported["notice"]
    (work,) = notice["works_attributes"]
    assert set(work) == LUMEN_WORK_KEYS
    assert work["description"] == "One Piece"  # the title, not the internal reference "OP"
    assert work["copyrighted_urls_attributes"] == [{"url": "https://publisher.example/one-piece"}]
    assert work["infringing_urls_attributes"] == [{"url": u} for u in urls]
    assert exported["evidence"] == [
        {
            "url": urls[0],
            "capture_id": newest.capture_id,
            "captured_at": row.started_at.isoformat(),
            "manifest_sha256": newest.manifest_sha256,
            "timestamped_at": row.timestamped_at.isoformat() if row.timestamped_at else None,
        }
    ]
    assert row.timestamped_at is not None  # the lab TSA stamped it
    assert (
        f"- {urls[0]}: captured {row.started_at.isoformat()}; evidence manifest SHA-256 {newest.manifest_sha256}"
        in (notice["body"])
    )
    for other in (older, theirs):
        assert other.manifest_sha256 is not None and other.manifest_sha256 not in notice["body"]
    assert notice["body"].count("evidence manifest SHA-256") == 1


def test_a_notice_without_captures_exports_no_evidence(
    evidence_lab: EvidenceLab, engine: Engine, db_url: str, tenants: Any, tmp_path: Path
) -> None:
    values = evidence_lab.settings_values(tmp_path / "data", db_url)
    values["notices"] = {"export_dir": str(tmp_path / "outbox")}
    with Services.from_settings(get_settings(**values), engine=engine) as services:
        urls = [evidence_lab.url("mangafree.test", "/title/one-piece/")]
        notice_id = _approved_notice(services, tenants.a_id, urls)
        assert asyncio.run(services.send(ACTOR, channel="file")).sent == [notice_id]
        with services.factory() as session:
            (exported,) = lumen_export(session)
    assert exported["evidence"] == [] and exported["notice"]["body"] == ""
    (work,) = exported["notice"]["works_attributes"]
    assert work["description"] == "One Piece" and work["infringing_urls_attributes"] == [{"url": urls[0]}]
