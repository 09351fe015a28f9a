"""The API served by uvicorn on a real loopback socket."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import Engine

from piratewatch.config import get_settings
from piratewatch.services import Services
from piratewatch.web.app import create_app


@pytest.fixture
def server(engine: Engine, tmp_path: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Services.from_settings(get_settings(data_dir=tmp_path), engine=engine))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


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
