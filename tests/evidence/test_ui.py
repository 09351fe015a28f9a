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
        png = client.get(shot)
        assert png.status_code == 200
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")
        warc = client.get(f"/ui/evidence/captures/{outcome.capture_id}/warc")
        assert warc.headers["content-type"] == "application/warc"
    other = UiClient(app).sign_in(tenants.b)
    assert other.get(f"/ui/notices/{notice_id}").status_code == 404
    assert other.get(shot).status_code == 404
