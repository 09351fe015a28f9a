"""The notice page shows each item's capture: screenshot, status, HTTP status, times, hash, its files."""

from __future__ import annotations

import asyncio
from typing import Any

from cases.audit.services import Actor
from piratewatch.services import Services
from piratewatch.web.app import create_app

from ..ui.conftest import UiClient
from .conftest import EvidenceLab
from .test_notice_evidence import _approved_notice


def test_the_notice_page_shows_the_capture_beside_each_item(
    services: Services, evidence_lab: EvidenceLab, tenants: Any
) -> None:
    captured = evidence_lab.url("mangafree.test", "/title/one-piece/")
    uncaptured = evidence_lab.url("mangafree.test", "/title/one-piece/1/")
    notice_id = _approved_notice(services, tenants.a_id, [captured, uncaptured])
    [outcome] = asyncio.run(
        services.capture([captured], Actor("test:evidence"), association_id=tenants.a_id, screenshot=True)
    )
    assert outcome.screenshot_problem is None, outcome.screenshot_problem
    app = create_app(services)
    shot = f"/ui/evidence/captures/{outcome.capture_id}/screenshot"
    for key in (tenants.operator, tenants.a):
        client = UiClient(app).sign_in(key)
        html = client.get(f"/ui/notices/{notice_id}").text
        assert f'src="{shot}"' in html
        assert "<strong>complete</strong> · HTTP 200" in html
        assert f"{(outcome.manifest_sha256 or '')[:16]}…" in html
        assert "timestamped" in html
        assert "not captured" in html  # the other item
        assert f'href="/ui/evidence/captures/{outcome.capture_id}"' in html  # to its page, with the headers
        png = client.get(shot)
        assert png.status_code == 200
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")
        warc = client.get(f"/ui/evidence/captures/{outcome.capture_id}/warc")
        assert warc.headers["content-type"] == "application/warc"
    other = UiClient(app).sign_in(tenants.b)
    assert other.get(f"/ui/notices/{notice_id}").status_code == 404
    assert other.get(shot).status_code == 404


def test_the_capture_page_shows_the_response_headers_neutralised(
    services: Services, evidence_lab: EvidenceLab, tenants: Any
) -> None:
    """The headers a hostile page sent, read from the WARC file: markup escaped, control and direction
    characters as visible escapes, a huge value cut (saying how much), at most 200 headers; in both
    languages; only to those who may see the capture."""
    url = evidence_lab.url("hostile.test", "/hostile-headers")
    [outcome] = asyncio.run(services.capture([url], Actor("test:evidence"), association_id=tenants.a_id))
    assert outcome.status == "complete", outcome
    app = create_app(services)
    path = f"/ui/evidence/captures/{outcome.capture_id}"
    client = UiClient(app).sign_in(tenants.a)
    answer = client.get(path)
    assert answer.status_code == 200
    html = answer.text
    assert "Response headers" in html
    assert url in html and "<code>200 OK</code>" in html
    assert "&lt;script&gt;alert(&#39;headers&#39;)&lt;/script&gt;" in html
    assert "<script>alert(" not in html
    # what is not ASCII the WARC file keeps percent-encoded (warcio's writer): shown as it is kept
    assert "%C2%9B31mred%C2%9B0m" in html and "\x9b" not in html
    assert "\u202e" not in html
    assert "left\\x09right" in html and "left\tright" not in html  # a tab, as an escape
    assert "h" * 2000 + "</code>" in html and "h" * 2001 not in html
    assert "… (6000 more characters)" in html
    assert "x-filler-000" in html.lower() and "x-filler-209" not in html.lower()  # the first 200 shown
    assert html.count('<th scope="row">') == 200
    sent = _header_count(services, outcome.capture_id)  # the lab's 215 and what its server adds
    assert sent > 215
    assert f"{sent - 200} more headers not shown (the WARC file has them all)." in html
    # the same page in Japanese
    ja = client.get(path, headers={"Accept-Language": "ja"}).text
    assert "レスポンスヘッダー" in ja
    assert "…（ほか 6000 文字）" in ja
    assert f"ほか {sent - 200} 個のヘッダーは表示していません" in ja
    assert "<script>alert(" not in ja
    # another association: as if it did not exist; an operator sees it
    assert UiClient(app).sign_in(tenants.b).get(path).status_code == 404
    assert UiClient(app).sign_in(tenants.operator).get(path).status_code == 200


def test_the_capture_page_says_when_its_warc_file_is_altered(
    services: Services, evidence_lab: EvidenceLab, tenants: Any
) -> None:
    [outcome] = asyncio.run(services.capture([evidence_lab.url("mangafree.test", "/")], Actor("test:evidence")))
    with services.factory() as session:
        from cases.evidence.models import EvidenceCapture

        row = session.get(EvidenceCapture, outcome.capture_id)
        assert row is not None
    target = services.evidence_store.path(row.warc_sha256)  # type: ignore[attr-defined]
    target.chmod(0o644)
    target.write_bytes(b"rewritten")
    html = UiClient(create_app(services)).sign_in(tenants.operator).get(f"/ui/evidence/captures/{row.id}").text
    assert "was altered" in html
    assert row.manifest_sha256 in html  # the facts still show


def _hostile_warc(url: str) -> bytes:
    """A WARC response record with headers no HTTP client would pass on, as a forged or damaged file
    could hold them: ESC (a terminal's clear-screen), NUL, DEL, a C1 control, a right-to-left override."""
    http = (
        b"HTTP/1.1 200 OK\r\nX-Esc: \x1b[2J\x00nul\x7fdel\r\nX-Bidi: \xe2\x80\xaetxt.exe\r\n"
        b"X-C1: \xc2\x9b31m\r\nX-\x1bName: v\r\nContent-Type: text/html\r\n\r\n<html></html>"
    )
    head = (
        "WARC/1.1\r\nWARC-Type: response\r\n"
        f"WARC-Target-URI: {url}\r\nWARC-Record-ID: <urn:uuid:12345678-1234-1234-1234-123456789012>\r\n"
        "WARC-Date: 2026-12-03T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    )
    return head.encode() + http + b"\r\n\r\n"


def test_control_and_direction_characters_in_recorded_headers_are_shown_as_escapes(
    services: Services, tenants: Any
) -> None:
    from cases.db import transaction, utcnow
    from cases.evidence.headers import response_headers
    from cases.evidence.manifest import CaptureInput
    from cases.evidence.services import prepare, record_capture

    url = "http://hostile.test/forged-headers"
    warc = _hostile_warc(url)
    [exchange] = response_headers(warc).exchanges
    assert [(h.name, h.value) for h in exchange.headers][:4] == [
        ("X-Esc", "\\x1b[2J\\x00nul\\x7fdel"),
        ("X-Bidi", "\\u202etxt.exe"),
        ("X-C1", "\\x9b31m"),
        ("X-\\x1bName", "v"),
    ]
    now = utcnow()
    item = CaptureInput(
        url=url, status="complete", started_at=now, finished_at=now, warc=warc, text="", program="piratewatch test",
        captured_by="test:evidence", association_id=tenants.a_id,
    )  # fmt: skip
    store = services.evidence_store
    _, manifest = prepare(item, store)
    with transaction(services.factory) as session:
        capture_id = record_capture(session, store, Actor("test:evidence"), item, manifest, None, "not stamped").id
    html = UiClient(create_app(services)).sign_in(tenants.a).get(f"/ui/evidence/captures/{capture_id}").text
    assert "\\x1b[2J\\x00nul\\x7fdel" in html
    assert "\\u202etxt.exe" in html and "X-\\x1bName" in html
    for raw in ("\x1b", "\x00", "\x7f", "\x9b", "\u202e"):
        assert raw not in html, repr(raw)
    # a WARC file that is not one: the page says so, and shows the capture's facts all the same
    broken = CaptureInput(
        url=url + "/2", status="complete", started_at=now, finished_at=now, warc=b"\x1f\x8b not a warc", text="",
        program="piratewatch test", captured_by="test:evidence", association_id=tenants.a_id,
    )  # fmt: skip
    _, manifest = prepare(broken, store)
    with transaction(services.factory) as session:
        broken_id = record_capture(session, store, Actor("test:evidence"), broken, manifest, None, "not stamped").id
    page = UiClient(create_app(services)).sign_in(tenants.a).get(f"/ui/evidence/captures/{broken_id}")
    assert page.status_code == 200
    assert "the WARC file cannot be read" in page.text and url + "/2" in page.text


def _header_count(services: Services, capture_id: int | None) -> int:
    import io

    from warcio.archiveiterator import ArchiveIterator

    from cases.evidence.models import EvidenceCapture

    with services.factory() as session:
        row = session.get(EvidenceCapture, capture_id)
        assert row is not None
    warc = services.evidence_store.get(row.warc_sha256)
    [response] = [r for r in ArchiveIterator(io.BytesIO(warc)) if r.rec_type == "response"]
    return len(response.http_headers.headers)
