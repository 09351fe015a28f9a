"""``evidence export --case``: the newest capture of every item URL of every notice of a takedown case,
each URL once; the summary in the notices' language when they share one."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from typing import Any

import pytest

from cases.audit.services import Actor
from cases.db import transaction
from cases.evidence.verify import verify_package
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.providers.services import add_provider
from cases.takedown.models import LegalBasis
from cases.takedown.services import draft_notice, open_case
from piratewatch.errors import InvalidRequestError
from piratewatch.services import Services

from ..conftest import SENDER
from .conftest import EvidenceLab

ACTOR = Actor("test:case-export")


def _case(svc: Services, association_id: int, urls: list[str], bases: list[LegalBasis]) -> tuple[int, list[int]]:
    site = SiteIn.model_validate(
        {
            "source_ref": "C-1",
            "domains": ["mangafree.test"],
            "works": [{"ref": "OP", "titles": {"en": "One Piece"}, "content_type": "manga"}],
            "evidence": [{"url": u, "work_ref": "OP"} for u in urls],
        }
    )
    with transaction(svc.factory) as session:
        results, _ = submit_sites(session, ACTOR, association_id, [site], via="api")
        assert results[0] is not None
        host = add_provider(session, ACTOR, "Case Hosting", "host", abuse_email="abuse@host.example")
        case = open_case(session, ACTOR, results[0].site_id, host.id or 0)
        notices = [draft_notice(session, ACTOR, case.id or 0, association_id, b, dict(SENDER)).id or 0 for b in bases]
        return case.id or 0, notices


def _read(data: bytes) -> tuple[str, dict[str, Any]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("summary.html").decode(), json.loads(archive.read("manifest.json"))


@pytest.mark.parametrize(
    ("bases", "language"),
    # two notices (in English and in Japanese) of the same URLs; a Japanese notice alone
    [([LegalBasis.DMCA, LegalBasis.JP_PLA], "en"), ([LegalBasis.JP_PLA], "ja")],
)
def test_a_cases_package_has_each_url_once_with_its_newest_capture(
    services: Services, evidence_lab: EvidenceLab, tenants: Any, bases: list[LegalBasis], language: str
) -> None:
    urls = [evidence_lab.url("mangafree.test", "/title/one-piece/"), evidence_lab.url("mangafree.test", "/")]
    case_id, notices = _case(services, tenants.a_id, urls, bases)
    assert len(set(notices)) == len(bases)
    asyncio.run(services.capture(urls, ACTOR, association_id=tenants.a_id))
    newest = asyncio.run(services.capture(urls, ACTOR, association_id=tenants.a_id))
    exported = asyncio.run(services.export_evidence(ACTOR, case_id=case_id))
    assert exported.problems == []
    assert exported.captures == [c.capture_id for c in newest]  # each URL once, in item order, the newer capture
    summary, manifest = _read(exported.data)
    assert manifest["scope"] == f"case {case_id}" and manifest["language"] == language
    assert [c["url"] for c in manifest["captures"]] == urls
    assert f"<html lang='{language}'>" in summary
    assert verify_package(exported.data).failures == []


def test_a_case_without_notices_is_refused(services: Services) -> None:
    with pytest.raises(InvalidRequestError, match="case 999999 has no notice items"):
        asyncio.run(services.export_evidence(ACTOR, case_id=999999))
    with pytest.raises(InvalidRequestError, match="name one notice, one site or one case"):
        asyncio.run(services.export_evidence(ACTOR, case_id=1, notice_id=1))
