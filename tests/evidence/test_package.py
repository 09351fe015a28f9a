"""Evidence packages: exported on one machine, verified offline on another; any changed byte is reported."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile

import pytest
from sqlmodel import col, select

from cases.audit.models import AuditEvent
from cases.audit.services import Actor
from cases.evidence.timestamps import read_certificates
from cases.evidence.verify import verify_package
from piratewatch.services import Services

from .conftest import EvidenceLab

ACTOR = Actor("test:evidence")


@pytest.fixture
def package(services: Services, evidence_lab: EvidenceLab, tenants: object) -> bytes:
    site_id = _site(services)
    urls = [evidence_lab.url("mangafree.test", "/"), evidence_lab.url("hostile.test", "/gzip-bomb")]
    outcomes = asyncio.run(services.capture(urls, ACTOR, site_id=site_id))
    assert [o.status for o in outcomes] == ["complete", "limited"]
    exported = asyncio.run(services.export_evidence(ACTOR, site_id=site_id))
    assert exported.problems == []
    assert len(exported.captures) == 2
    return exported.data


def _site(services: Services) -> int:
    from cases.intake.schemas import SiteIn

    [result] = services.submit("Association A", [SiteIn(domains=["mangafree.test"])], Actor("test:setup"), via="cli")
    site_id = services.site_id_of("mangafree.test")
    assert site_id is not None, result
    return site_id


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_an_exported_package_verifies_offline(package: bytes, services: Services) -> None:
    members = _members(package)
    assert {"manifest.json", "manifest.tsr", "summary.html", "tsa/certificates.pem"} <= set(members)
    assert sum(name.endswith("capture.warc.gz") for name in members) == 2
    report = verify_package(package)
    assert report.failures == []
    assert report.ok
    assert report.captures == 2
    assert any("manifest.tsr: a valid token over manifest.json" in line for line in report.checked)
    manifest = json.loads(members["manifest.json"])
    assert manifest["program"].startswith("piratewatch")
    assert manifest["created_by"] == "test:evidence"
    assert [c["status"] for c in manifest["captures"]] == ["complete", "limited"]
    assert "compression bomb" in members["summary.html"].decode()


def test_an_export_is_audited(package: bytes, services: Services) -> None:
    services.verify_evidence(package, ACTOR)
    with services.factory() as session:
        kinds = [e.entity_type for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]
    assert kinds.count("evidence_capture") == 2
    assert kinds.count("evidence_export") == 1
    assert kinds.count("evidence_verification") == 1


def test_one_changed_byte_in_any_file_is_reported(package: bytes) -> None:
    members = _members(package)
    for name, data in members.items():
        changed = bytearray(data or b"\x00")  # an empty text (the bomb's) gains its one byte
        changed[len(changed) // 2] ^= 0x20
        report = verify_package(_rezip({**members, name: bytes(changed)}))
        assert not report.ok, name
        assert any(line.startswith(name) or name in line for line in report.failures), (name, report.failures)


def test_a_byte_changed_inside_the_zip_is_reported(package: bytes) -> None:
    # the zip's own CRC catches a change made to the archive itself
    changed = bytearray(package)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        warc = next(i for i in archive.infolist() if i.filename.endswith("capture.warc.gz"))
    start = warc.header_offset + 30 + len(warc.filename.encode())  # the local header has no extra field
    changed[start + warc.compress_size // 2] ^= 0x01
    report = verify_package(bytes(changed))
    assert not report.ok
    assert any(warc.filename in f and "cannot be read" in f for f in report.failures), report.failures


def test_a_token_from_another_tsa_is_reported(package: bytes, evidence_lab: EvidenceLab) -> None:
    from cases.evidence.timestamps import Authority

    members = _members(package)
    entry = json.loads(members["manifest.json"])["captures"][0]
    other = evidence_lab.other_tsa
    authority = Authority(other.url, tuple(read_certificates([other.ca_certificate])))
    forged, _ = asyncio.run(authority.stamp(members[entry["manifest"]]))
    report = verify_package(_rezip({**members, entry["token"]: forged}))
    assert not report.ok
    assert any(f.startswith(entry["token"]) and "does not verify" in f for f in report.failures), report.failures


def test_a_package_checked_against_another_root_fails(package: bytes, evidence_lab: EvidenceLab) -> None:
    report = verify_package(package, read_certificates([evidence_lab.other_tsa.ca_certificate]))
    assert not report.ok
    assert len([f for f in report.failures if "does not verify" in f]) == 3  # two captures and the package


def test_a_removed_or_added_file_is_reported(package: bytes) -> None:
    members = _members(package)
    shot = next(n for n in members if n.endswith("text.txt"))
    report = verify_package(_rezip({k: v for k, v in members.items() if k != shot}))
    assert f"{shot}: missing from the package" in report.failures
    report = verify_package(_rezip({**members, "extra.txt": b"planted"}))
    assert "extra.txt: in the package but not in manifest.json" in report.failures


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04" + b"\x00" * 40])
def test_a_hostile_package_is_failures_not_a_crash(data: bytes) -> None:
    report = verify_package(data)
    assert not report.ok
    assert report.failures


def test_a_package_without_a_manifest_says_so() -> None:
    report = verify_package(_rezip({"manifest.json": b"{not json"}))
    assert report.failures == ["manifest.json: not a package manifest"]
