"""The package's summary printed to PDF by headless Chromium: in the package, listed and covered by
``evidence verify``, its text (read back by poppler's pdftotext) the notice's URLs, in the notice's
language; without a browser the package says why it has none."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from cases.audit.services import Actor
from cases.evidence.verify import verify_package
from cases.takedown.models import LegalBasis
from piratewatch.config import get_settings
from piratewatch.services import Services

from .conftest import EvidenceLab
from .test_summary_language import _notice

ACTOR = Actor("test:summary-pdf")


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _text_of(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed (./run test installs poppler-utils)")
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, timeout=60)
    # a table cell wraps a long URL or hash over lines: the text is compared without the line breaks
    return "".join(done.stdout.decode().split())


@pytest.mark.browser
@pytest.mark.parametrize(
    ("basis", "words"), [(LegalBasis.DMCA, "Evidence package"), (LegalBasis.JP_PLA, "証拠パッケージ")]
)
def test_the_summary_is_printed_to_pdf_with_the_notices_urls(
    evidence_lab: EvidenceLab,
    engine: Engine,
    db_url: str,
    tenants: Any,
    tmp_path: Path,
    basis: LegalBasis,
    words: str,
) -> None:
    if shutil.which("chromium") is None:
        pytest.fail("Chromium is not installed (./run test installs Debian's chromium)")
    values = evidence_lab.settings_values(tmp_path / "data", db_url, summary_pdf=True, screenshots=True)
    urls = [evidence_lab.url("mangafree.test", "/title/one-piece/"), evidence_lab.url("mangafree.test", "/")]
    with Services.from_settings(get_settings(**values), engine=engine) as svc:
        notice_id = _notice(svc, tenants.a_id, urls, basis)
        outcomes = asyncio.run(svc.capture(urls, ACTOR, association_id=tenants.a_id))
        assert all(o.screenshot_problem is None for o in outcomes), outcomes
        exported = asyncio.run(svc.export_evidence(ACTOR, notice_id=notice_id))
    assert exported.problems == []
    members = _members(exported.data)
    pdf = members["summary.pdf"]
    assert pdf.startswith(b"%PDF-")
    manifest = json.loads(members["manifest.json"])
    assert manifest["summary_pdf"] == "summary.pdf"
    assert "summary.pdf" in manifest["files"]
    text = _text_of(pdf, tmp_path)
    for url in urls:
        assert url in text, text
    assert words.replace(" ", "") in text  # the notice's language (the Japanese one needs the CJK font)
    report = verify_package(exported.data)
    assert report.failures == []
    assert "summary.pdf: a PDF file, its SHA-256 the one manifest.json gives" in report.checked
    # the screenshots are drawn in the PDF: their images are in it (the page had no other)
    assert pdf.count(b"/Subtype /Image") >= 2 or pdf.count(b"/Subtype/Image") >= 2


def test_a_summary_pdf_that_is_not_a_pdf_or_not_listed_is_reported(
    evidence_lab: EvidenceLab, engine: Engine, db_url: str, tmp_path: Path, tenants: Any
) -> None:
    from cases.evidence.manifest import canonical

    values = evidence_lab.settings_values(tmp_path / "data", db_url, summary_pdf=True)
    with Services.from_settings(get_settings(**values), engine=engine) as services:
        [outcome] = asyncio.run(services.capture([evidence_lab.url("mangafree.test", "/")], ACTOR))
        site_export = asyncio.run(services.export_evidence(ACTOR, site_id=_site_of(services, outcome.capture_id)))
    members = _members(site_export.data)
    assert members["summary.pdf"].startswith(b"%PDF-")
    manifest = json.loads(members["manifest.json"])
    # a PDF swapped for other bytes, with the manifest made to match: its token no longer covers it
    import hashlib

    fake = b"<html>not a pdf</html>"
    manifest["files"]["summary.pdf"] = hashlib.sha256(fake).hexdigest()
    forged = {**members, "summary.pdf": fake, "manifest.json": canonical(manifest)}
    report = verify_package(_rezip(forged))
    assert "summary.pdf: not a PDF file" in report.failures
    assert any(f.startswith("manifest.tsr") for f in report.failures)  # the package token says so too
    # a manifest naming a PDF it does not list
    del manifest["files"]["summary.pdf"]
    report = verify_package(_rezip({**members, "manifest.json": canonical(manifest)}))
    assert "manifest.json: names a summary PDF ('summary.pdf') it does not list" in report.failures


def test_without_a_browser_the_package_says_why_it_has_no_pdf(
    evidence_lab: EvidenceLab, engine: Engine, db_url: str, tmp_path: Path, tenants: Any
) -> None:
    values = evidence_lab.settings_values(tmp_path / "data", db_url, summary_pdf=True, chromium="no-such-chromium")
    with Services.from_settings(get_settings(**values), engine=engine) as svc:
        [outcome] = asyncio.run(svc.capture([evidence_lab.url("mangafree.test", "/")], ACTOR))
        exported = asyncio.run(svc.export_evidence(ACTOR, site_id=_site_of(svc, outcome.capture_id)))
    why = "Chromium is not installed (no 'no-such-chromium' on PATH)"
    assert exported.problems == [f"summary.pdf: not printed: {why}"]  # the export fails, and says so
    members = _members(exported.data)
    assert "summary.pdf" not in members
    manifest = json.loads(members["manifest.json"])
    assert (manifest["summary_pdf"], manifest["summary_pdf_problem"]) == (None, why)
    report = verify_package(exported.data)
    assert report.failures == []
    assert f"summary.pdf: none in the package ({why})" in report.checked
    # switched off on purpose: no PDF, and no problem
    values["evidence"]["summary_pdf"] = False
    with Services.from_settings(get_settings(**values), engine=engine) as svc:
        exported = asyncio.run(svc.export_evidence(ACTOR, site_id=_site_of(svc, outcome.capture_id)))
    assert exported.problems == []
    assert json.loads(_members(exported.data)["manifest.json"])["summary_pdf"] is None


def _site_of(services: Services, capture_id: int | None) -> int:
    """Give the capture a site (a site's package holds its captures)."""
    import sqlalchemy as sa

    from cases.base import table_of
    from cases.db import transaction
    from cases.evidence.models import EvidenceCapture
    from cases.intake.schemas import SiteIn

    site_id = services.site_id_of("mangafree.test")
    if site_id is None:
        services.submit("Association A", [SiteIn(domains=["mangafree.test"])], Actor("test:setup"), via="cli")
        site_id = services.site_id_of("mangafree.test")
    assert site_id is not None
    with transaction(services.factory) as session:
        session.execute(
            sa.update(table_of(EvidenceCapture)).where(EvidenceCapture.id == capture_id).values(site_id=site_id)  # type: ignore[arg-type]
        )
    return site_id


def _rezip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()
