"""Wrong-key attempts shared through Redis: two app processes see one count."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from piratewatch.config import get_settings
from piratewatch.services import Services
from piratewatch.web.app import create_app
from piratewatch.web.throttle import PREFIX_LENGTH, RedisCounts

REDIS_URL = os.environ.get("PIRATEWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def _app(engine: Engine, tmp_path: Path, prefix: str) -> TestClient:
    api = {"auth_failures_per_minute": 3, "auth_throttle_prefix": prefix}
    settings = get_settings(data_dir=tmp_path, database_url="", redis_url=REDIS_URL, api=api)
    return TestClient(create_app(Services.from_settings(settings, engine=engine)))


def test_two_apps_share_the_wrong_key_counts(engine: Engine, tmp_path: Path, tenants: Any) -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc} (the README's test command starts it)")
    prefix = f"pw_{uuid.uuid4().hex}"[:PREFIX_LENGTH]
    shared = f"pw-test:{uuid.uuid4().hex}"  # this test's own keys in the shared Redis
    one, two = _app(engine, tmp_path / "one", shared), _app(engine, tmp_path / "two", shared)
    # the same key prefix from "different clients" (the test client is one address; the prefix is shared)
    assert one.get("/api/v1/me", headers={"X-API-Key": prefix + "a" * 30}).status_code == 401
    assert two.get("/api/v1/me", headers={"X-API-Key": prefix + "b" * 30}).status_code == 401
    assert one.get("/api/v1/me", headers={"X-API-Key": prefix + "c" * 30}).status_code == 401
    blocked = two.get("/api/v1/me", headers={"X-API-Key": prefix + "d" * 30})
    assert blocked.status_code == 429 and blocked.headers["Retry-After"]
    counts = RedisCounts(REDIS_URL, shared)
    assert counts.count(f"prefix:{prefix}") == 3


def test_redis_away_does_not_stop_sign_in(engine: Engine, tmp_path: Path, tenants: Any) -> None:
    settings = get_settings(data_dir=tmp_path, database_url="", redis_url="redis://127.0.0.1:1/0")
    client = TestClient(create_app(Services.from_settings(settings, engine=engine)))
    assert client.get("/api/v1/me", headers={"X-API-Key": tenants.a}).status_code == 200
    assert client.get("/api/v1/me", headers={"X-API-Key": "pw_wrong"}).status_code == 401
