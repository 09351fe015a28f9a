"""Captures of lab pages through the production path: SSRF guard, limits, WARC, objects, token, audit."""

from __future__ import annotations

import asyncio
import io
import time

import pytest
from sqlmodel import col, select
from warcio.archiveiterator import ArchiveIterator

from cases.audit.models import AuditEvent
from cases.audit.services import Actor
from cases.evidence.models import EvidenceCapture, EvidenceObject
from cases.evidence.objects import sha256_hex
from cases.evidence.timestamps import read_certificates, verify_token
from piratewatch.services import Services

from .conftest import EvidenceLab, StoreUnderTest

ACTOR = Actor("test:evidence")


def _records(warc: bytes) -> list[tuple[str, str | None, int | None]]:
    """(type, target URI, HTTP status) of every record, every digest checked by warcio."""
    found = []
    for record in ArchiveIterator(io.BytesIO(warc), check_digests=True):
        record.content_stream().read()
        assert record.digest_checker.passed is not False, record.digest_checker.problems
        status = int(record.http_headers.get_statuscode()) if record.rec_type == "response" else None
        found.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), status))
    return found


def test_a_page_is_captured_as_warc_text_manifest_and_verified_token(
    services: Services, evidence_lab: EvidenceLab
) -> None:
    url = evidence_lab.url("mangafree.test", "/")
    [outcome] = asyncio.run(services.capture([url], ACTOR))
    assert outcome.status == "complete", outcome
    assert outcome.timestamped_at is not None, outcome.timestamp_problem
    store = services.evidence_store
    with services.factory() as session:
        row = session.get(EvidenceCapture, outcome.capture_id)
        assert row is not None
        assert row.http_status == 200
        assert row.egress_address == "127.0.0.1"
        warc = store.get(row.warc_sha256)
        assert sha256_hex(warc) == row.warc_sha256
        assert row.warc_size == len(warc)
        assert "MangaFree" in store.get(row.text_sha256).decode()
        assert row.screenshot_sha256 is None
        assert row.screenshot_problem == "screenshots are switched off"
        # the token is over the stored manifest, and verifies against the lab TSA's root
        manifest = store.get(row.manifest_sha256)
        assert row.token_sha256 is not None
        info = verify_token(store.get(row.token_sha256), manifest, read_certificates([evidence_lab.tsa.ca_certificate]))
        assert info.tsa_name == row.tsa_name
        assert "piratewatch lab TSA" in info.tsa_name
        # every object is listed once, with its size
        listed = {o.sha256: o.size for o in session.exec(select(EvidenceObject))}
        assert listed[row.warc_sha256] == len(warc)
        assert row.manifest_sha256 in listed
        assert row.token_sha256 in listed
        events = list(session.exec(select(AuditEvent).where(col(AuditEvent.entity_type) == "evidence_capture")))
        assert [(e.entity_id, e.actor) for e in events] == [(str(row.id), "test:evidence")]
        assert "piratewatch" in (events[0].new_value or "")
        assert "127.0.0.1" in (events[0].new_value or "")
    kinds = _records(warc)
    assert [k for k, _, _ in kinds] == ["warcinfo", "response", "request", "metadata", "resource"]
    assert kinds[1] == ("response", url, 200)


def test_a_capture_is_never_rewritten_and_a_changed_object_is_detected(
    any_store_services: tuple[Services, StoreUnderTest], evidence_lab: EvidenceLab
) -> None:
    services, under_test = any_store_services
    [outcome] = asyncio.run(services.capture([evidence_lab.url("mangafree.test", "/")], ACTOR))
    with services.factory() as session:
        row = session.get(EvidenceCapture, outcome.capture_id)
        assert row is not None
    store = services.evidence_store
    assert type(store).__name__ == {"directory": "DirectoryObjectStore", "s3": "S3ObjectStore"}[under_test.kind]
    warc = store.get(row.warc_sha256)
    assert store.put(warc) == row.warc_sha256
    data = bytearray(warc)
    data[len(data) // 2] ^= 0x01
    under_test.tamper(row.warc_sha256, bytes(data))
    with pytest.raises(ValueError, match="altered"):
        store.get(row.warc_sha256)
    under_test.remove(row.warc_sha256)
    with pytest.raises(LookupError, match="missing"):
        store.get(row.warc_sha256)
    assert store.get(row.manifest_sha256)  # the others are untouched


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/gzip-bomb", "compression bomb"),
        ("/redirect-loop/0", "more than 4 redirects"),
        ("/slow", "longer than 3 s"),
        ("/huge", "larger than 524288 bytes"),
        ("/private", "address refused: refusing to connect to 169.254.169.254"),
    ],
)
def test_a_hostile_page_yields_a_capture_marked_limited(
    services: Services, evidence_lab: EvidenceLab, path: str, reason: str
) -> None:
    start = time.monotonic()
    [outcome] = asyncio.run(services.capture([evidence_lab.url("hostile.test", path)], ACTOR))
    assert time.monotonic() - start < 15
    assert outcome.status == "limited", outcome
    assert outcome.limit is not None
    assert reason in outcome.limit
    assert outcome.timestamped_at is not None  # a limited capture is evidence too, timestamped
    with services.factory() as session:
        row = session.get(EvidenceCapture, outcome.capture_id)
        assert row is not None
        assert row.status == "limited"
        assert row.limit_reason == outcome.limit
        warc = services.evidence_store.get(row.warc_sha256)
    records = _records(warc)  # what came before the limit is kept, in a valid WARC file
    assert records[1][0] == "response"
    if path == "/redirect-loop/0":
        assert [s for k, _, s in records if k == "response"] == [302] * 5


def test_the_slow_page_is_marked_truncated_by_time(services: Services, evidence_lab: EvidenceLab) -> None:
    [outcome] = asyncio.run(services.capture([evidence_lab.url("hostile.test", "/slow")], ACTOR))
    with services.factory() as session:
        row = session.get(EvidenceCapture, outcome.capture_id)
        assert row is not None
        warc = services.evidence_store.get(row.warc_sha256)
    [response] = [r for r in ArchiveIterator(io.BytesIO(warc)) if r.rec_type == "response"]
    assert response.rec_headers.get_header("WARC-Truncated") == "time"


def test_private_addresses_are_refused_unless_allowed(
    evidence_lab: EvidenceLab, engine: object, db_url: str, tmp_path: object
) -> None:
    from pathlib import Path

    from piratewatch.config import get_settings

    values = evidence_lab.settings_values(Path(str(tmp_path)) / "data", db_url)
    values["resolver"]["allow_networks"] = []
    with Services.from_settings(get_settings(**values), engine=engine) as svc:  # type: ignore[arg-type]
        [outcome] = asyncio.run(svc.capture([evidence_lab.url("mangafree.test", "/")], ACTOR))
    assert outcome.status == "limited"
    assert outcome.limit == "address refused: refusing to connect to 127.0.0.1: loopback address"
    assert evidence_lab.sites is not None


def test_a_url_that_cannot_be_captured_is_a_failed_capture(services: Services) -> None:
    outcomes = asyncio.run(services.capture(["javascript:alert(1)", "http://no-such-host.test/"], ACTOR))
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert "not a URL that can be captured" in outcomes[0].problems[0]
    assert outcomes[1].problems[0].startswith("no answer: ConnectError")
    assert all(o.capture_id is not None for o in outcomes)  # recorded all the same


def test_without_a_tsa_a_capture_says_it_is_not_timestamped(
    evidence_lab: EvidenceLab, engine: object, db_url: str, tmp_path: object
) -> None:
    from pathlib import Path

    from piratewatch.config import get_settings

    values = evidence_lab.settings_values(Path(str(tmp_path)) / "data", db_url)
    values["evidence"] = {"tsa_url": "http://127.0.0.1:9/"}  # nothing listens: the TSA does not answer
    with Services.from_settings(get_settings(**values), engine=engine) as svc:  # type: ignore[arg-type]
        [outcome] = asyncio.run(svc.capture([evidence_lab.url("mangafree.test", "/")], ACTOR))
    assert outcome.status == "complete"
    assert outcome.timestamped_at is None
    assert outcome.timestamp_problem is not None
    assert "did not answer" in outcome.timestamp_problem


@pytest.mark.browser
def test_a_full_page_screenshot_of_what_was_captured(
    evidence_lab: EvidenceLab, engine: object, db_url: str, tmp_path: object
) -> None:
    import shutil
    import struct
    from pathlib import Path

    from piratewatch.config import get_settings

    if shutil.which("chromium") is None:
        pytest.fail("Chromium is not installed (./run test installs Debian's chromium)")
    values = evidence_lab.settings_values(Path(str(tmp_path)) / "data", db_url, screenshots=True, viewport_height=300)
    with Services.from_settings(get_settings(**values), engine=engine) as svc:  # type: ignore[arg-type]
        # a long page (100 kB of numbers): far taller than the viewport
        [outcome] = asyncio.run(svc.capture([evidence_lab.url("hostile.test", "/digits")], ACTOR))
        assert outcome.screenshot_problem is None, outcome.screenshot_problem
        with svc.factory() as session:
            row = session.get(EvidenceCapture, outcome.capture_id)
            assert row is not None
            assert row.screenshot_sha256 is not None
            png = svc.evidence_store.get(row.screenshot_sha256)
            warc = svc.evidence_store.get(row.warc_sha256)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1280
    assert height > 300  # the whole page, not the 300-pixel viewport
    assert ("resource", "urn:view:" + evidence_lab.url("hostile.test", "/digits"), None) in _records(warc)


def test_a_missing_browser_is_recorded_as_the_reason_for_no_screenshot(
    evidence_lab: EvidenceLab, engine: object, db_url: str, tmp_path: object
) -> None:
    from pathlib import Path

    from piratewatch.config import get_settings

    values = evidence_lab.settings_values(
        Path(str(tmp_path)) / "data", db_url, screenshots=True, chromium="no-such-chromium"
    )
    with Services.from_settings(get_settings(**values), engine=engine) as svc:  # type: ignore[arg-type]
        [outcome] = asyncio.run(svc.capture([evidence_lab.url("mangafree.test", "/")], ACTOR))
        bomb = asyncio.run(svc.capture([evidence_lab.url("hostile.test", "/gzip-bomb")], ACTOR))[0]
    assert outcome.status == "complete"
    assert outcome.screenshot_problem == "Chromium is not installed (no 'no-such-chromium' on PATH)"
    assert bomb.screenshot_problem is not None
    assert bomb.screenshot_problem.startswith("the capture is limited")
