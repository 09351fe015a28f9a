"""The API serves a capture and its objects to the association it was made for, and to staff only."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi.testclient import TestClient

from cases.audit.services import Actor
from cases.evidence.objects import sha256_hex
from piratewatch.services import Services
from piratewatch.web.app import create_app

from .conftest import EvidenceLab


def test_a_capture_is_served_to_its_association_and_to_staff_only(
    services: Services, evidence_lab: EvidenceLab, tenants: Any
) -> None:
    url = evidence_lab.url("mangafree.test", "/")
    [outcome] = asyncio.run(services.capture([url], Actor("test:evidence"), association_id=tenants.a_id))
    path = f"/api/v1/evidence/captures/{outcome.capture_id}"
    with TestClient(create_app(services)) as client:
        mine = client.get(path, headers={"X-API-Key": tenants.a})
        assert mine.status_code == 200, mine.text
        body = mine.json()
        assert body["url"] == url
        assert body["status"] == "complete"
        assert body["manifest_sha256"] == outcome.manifest_sha256
        assert "association_id" not in body
        assert "actor" not in body
        warc = client.get(f"{path}/warc", headers={"X-API-Key": tenants.a})
        assert warc.status_code == 200
        assert warc.headers["content-type"] == "application/warc"
        assert sha256_hex(warc.content) == body["warc_sha256"]
        token = client.get(f"{path}/token", headers={"X-API-Key": tenants.a})
        assert token.headers["content-type"] == "application/timestamp-reply"
        assert client.get(f"{path}/screenshot", headers={"X-API-Key": tenants.a}).status_code == 404  # none taken
        # another association: as if it did not exist
        assert client.get(path, headers={"X-API-Key": tenants.b}).status_code == 404
        assert client.get(f"{path}/warc", headers={"X-API-Key": tenants.b}).status_code == 404
        assert client.get(path, headers={"X-API-Key": tenants.operator}).status_code == 200
        assert client.get(path).status_code == 401
        assert client.get(f"{path}/other", headers={"X-API-Key": tenants.a}).status_code == 422
        # an object altered in the store is refused, not served
        store = services.evidence_store
        target = store.path(body["text_sha256"])  # type: ignore[attr-defined]
        target.chmod(0o644)
        target.write_bytes(b"rewritten")
        altered = client.get(f"{path}/text", headers={"X-API-Key": tenants.a})
        assert altered.status_code == 409
        assert "altered" in altered.text


def test_a_store_that_cannot_be_read_answers_503_not_a_verdict_on_the_object(
    services: Services, evidence_lab: EvidenceLab, tenants: Any, tmp_path: Any
) -> None:
    from cases.evidence.objects import DirectoryObjectStore

    [outcome] = asyncio.run(services.capture([evidence_lab.url("mangafree.test", "/")], Actor("test:evidence")))
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    services.__dict__["evidence_store"] = DirectoryObjectStore(blocker)  # its objects cannot be read at all
    with TestClient(create_app(services)) as client:
        answer = client.get(
            f"/api/v1/evidence/captures/{outcome.capture_id}/text", headers={"X-API-Key": tenants.operator}
        )
    assert answer.status_code == 503
    assert "cannot be read" in answer.text
