"""Evidence counts and sizes on /metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi.testclient import TestClient

from cases.audit.services import Actor
from piratewatch.services import Services
from piratewatch.web.app import create_app

from .conftest import EvidenceLab


def _samples(text: str, name: str) -> dict[str, float]:
    found = {}
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            key, value = line.rsplit(" ", 1)
            found[key[len(name) :]] = float(value)
    return found


def test_captures_and_stored_bytes_are_on_metrics(services: Services, evidence_lab: EvidenceLab, tenants: Any) -> None:
    urls = [evidence_lab.url("mangafree.test", "/"), evidence_lab.url("hostile.test", "/redirect-loop/0")]
    outcomes = asyncio.run(services.capture(urls, Actor("test:evidence")))
    with TestClient(create_app(services)) as client:
        text = client.get("/metrics").text
    captures = _samples(text, "piratewatch_evidence_captures")
    assert captures['{status="complete",trigger="on_demand"}'] == 1
    assert captures['{status="limited",trigger="on_demand"}'] == 1
    assert captures['{status="failed",trigger="recheck"}'] == 0  # every label set is there, zeros included
    assert _samples(text, "piratewatch_evidence_timestamped")[""] == 2
    sizes = _samples(text, "piratewatch_evidence_bytes")
    with services.factory() as session:
        from cases.evidence.models import EvidenceCapture

        rows = [session.get(EvidenceCapture, o.capture_id) for o in outcomes]
    assert sizes['{media_type="application/warc"}'] == sum(r.warc_size for r in rows if r)
    assert _samples(text, "piratewatch_evidence_objects")['{media_type="application/timestamp-reply"}'] == 2
