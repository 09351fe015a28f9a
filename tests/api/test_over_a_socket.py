"""The API served by uvicorn on a real loopback socket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from lab.http_util import ThreadedServer
from piratewatch.config import get_settings
from piratewatch.services import Services
from piratewatch.web.app import create_app


@pytest.fixture
def server(engine: Engine, tmp_path: Path) -> Iterator[str]:
    app = create_app(Services.from_settings(get_settings(data_dir=tmp_path), engine=engine))
    with ThreadedServer(app) as running:
        yield running.url


def test_submit_and_read_over_http(server: str, tenants: Any) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/api/v1/sites").status_code == 401
        body = {"sites": [{"domains": ["socket-test.com"], "evidence": [{"url": "https://socket-test.com/1"}]}]}
        created = http.post("/api/v1/submissions", json=body, headers={"X-API-Key": tenants.a})
        assert created.status_code == 200
        site_id = created.json()["results"][0]["site_id"]
        detail = http.get(f"/api/v1/sites/{site_id}", headers={"X-API-Key": tenants.a}).json()
        assert detail["domains"] == ["socket-test.com"]
        assert http.get(f"/api/v1/sites/{site_id}", headers={"X-API-Key": tenants.b}).status_code == 404
        assert "openapi" in http.get("/openapi.json").json()
        huge = http.post(
            "/api/v1/submissions",
            content=b"x" * (6 * 1024 * 1024),
            headers={"X-API-Key": tenants.a, "Content-Type": "application/json"},
        )
        assert huge.status_code == 413
