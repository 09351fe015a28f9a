"""An evidence package's summary is written in its notice's language: Japanese for the Japanese
request (送信防止措置), English otherwise; the package verifies either way."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest

from cases.audit.services import Actor
from cases.db import transaction
from cases.evidence.models import EvidenceCapture
from cases.evidence.summary import summary_html
from cases.evidence.verify import verify_package
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.providers.services import add_provider
from cases.takedown.models import LegalBasis
from cases.takedown.services import draft_notice, open_case
from piratewatch.services import Services

from ..conftest import SENDER
from .conftest import EvidenceLab

ACTOR = Actor("test:summary")


def _capture(**values: Any) -> EvidenceCapture:
    at = dt.datetime(2026, 12, 3, 14, 37, 10, tzinfo=dt.UTC)
    fields: dict[str, Any] = {
        "id": 7,
        "url": "http://mangafree.test/title/<one>/",
        "url_sha256": "0" * 64,
        "status": "limited",
        "limit_reason": "more than 5 redirects",
        "started_at": at,
        "finished_at": at,
        "http_status": 302,
        "warc_sha256": "1" * 64,
        "warc_size": 10,
        "text_sha256": "2" * 64,
        "text_size": 0,
        "screenshot_problem": None,
        "manifest_sha256": "a" * 64,
        "timestamp_problem": "the TSA refused",
        "program_version": "piratewatch test",
        "actor": "test",
    }
    fields.update(values)
    return EvidenceCapture(**fields)


def test_the_japanese_summary_has_japanese_words_and_the_data_as_recorded() -> None:
    page = summary_html("notice 3", "2026-12-03T15:00:00+00:00", [_capture()], "ja").decode()
    assert "<html lang='ja'>" in page
    for words in (
        "証拠パッケージ",
        "対象：通知 3",
        "取得日時",
        "制限あり: more than 5 redirects",
        "タイムスタンプなし：the TSA refused",
    ):
        assert words in page
    assert "スクリーンショットなし" in page  # no screenshot and no recorded reason
    assert "a" * 64 in page and "http://mangafree.test/title/&lt;one&gt;/" in page  # hostile URL escaped
    assert "Evidence package" not in page and "captured" not in page


def test_the_english_summary_is_the_default_and_other_languages_are_refused() -> None:
    page = summary_html(
        "site 4", "2026-12-03T15:00:00+00:00", [_capture(status="complete", limit_reason=None)]
    ).decode()
    assert "<html lang='en'>" in page and "Evidence package" in page and "Scope: site 4." in page
    assert "complete" in page and "証拠" not in page
    with pytest.raises(ValueError, match="language 'fr'"):
        summary_html("site 4", "now", [], "fr")


def _notice(svc: Services, association_id: int, urls: list[str], basis: LegalBasis) -> int:
    site = SiteIn.model_validate(
        {
            "source_ref": f"S-{basis}",
            "domains": ["mangafree.test"],
            "works": [{"ref": "OP", "titles": {"ja": "ワンピース"}, "content_type": "manga"}],
            "evidence": [{"url": u, "work_ref": "OP"} for u in urls],
        }
    )
    with transaction(svc.factory) as session:
        results, _ = submit_sites(session, ACTOR, association_id, [site], via="api")
        assert results[0] is not None
        host = add_provider(session, ACTOR, f"Host {basis}", "host", abuse_email="abuse@host.example")
        case = open_case(session, ACTOR, results[0].site_id, host.id or 0)
        notice = draft_notice(session, ACTOR, case.id or 0, association_id, basis, dict(SENDER))
        return notice.id or 0


@pytest.mark.parametrize(
    ("basis", "language", "words"),
    [(LegalBasis.JP_PLA, "ja", "証拠パッケージ"), (LegalBasis.DMCA, "en", "Evidence package")],
)
def test_a_notices_package_summary_is_in_the_notices_language(
    services: Services, evidence_lab: EvidenceLab, tenants: Any, basis: LegalBasis, language: str, words: str
) -> None:
    urls = [evidence_lab.url("mangafree.test", "/title/one-piece/")]
    notice_id = _notice(services, tenants.a_id, urls, basis)
    [captured] = asyncio.run(services.capture(urls, ACTOR, association_id=tenants.a_id))
    exported = asyncio.run(services.export_evidence(ACTOR, notice_id=notice_id))
    assert exported.problems == [] and exported.captures == [captured.capture_id]
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        summary = archive.read("summary.html").decode()
        manifest = json.loads(archive.read("manifest.json"))
    assert f"<html lang='{language}'>" in summary and words in summary
    assert captured.manifest_sha256 is not None and captured.manifest_sha256 in summary
    assert manifest["language"] == language
    assert verify_package(exported.data).failures == []
