"""No secret reaches a log line: the traffic API client's httpx INFO lines, tracebacks, headers, URLs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest

from common.logs import REDACTED, install_redaction, redact
from crawlers.config import TrafficSettings
from crawlers.traffic.api import TrafficApiEstimator
from crawlers.traffic.base import SiteInput

from ..crawlers.test_traffic_estimators import TrafficApiServer, traffic_api  # noqa: F401 - the local traffic API

KEY = "lab-key"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every record of the process, as a worker's console handler formats it (INFO and up)."""
    install_redaction()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level, httpx_level = root.level, logging.getLogger("httpx").level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(old_level)
    logging.getLogger("httpx").setLevel(httpx_level)


async def test_the_traffic_api_key_never_appears_in_httpx_lines(
    traffic_api: tuple[TrafficApiServer, str],  # noqa: F811
    log_lines: io.StringIO,
) -> None:
    _, url = traffic_api
    estimator = TrafficApiEstimator(TrafficSettings(api_url=url, api_key=KEY))
    result = await estimator.estimate([SiteInput(1, ["rawkuma.example"])], "2026-10")
    assert set(result) == {1}  # the key did reach the API: only the log lines lose it
    lines = log_lines.getvalue()
    assert "HTTP Request: GET" in lines and "httpx" in lines  # the lines are there...
    assert f"api_key={REDACTED}" in lines
    assert KEY not in lines  # ...without the key


def test_a_traceback_and_headers_are_redacted(log_lines: io.StringIO) -> None:
    log = logging.getLogger("piratewatch.test")
    try:
        raise httpx.ConnectError(f"cannot reach https://api.example/v1?token=tok-123&page=2 for {KEY}x")
    except httpx.ConnectError:
        log.exception("request failed with headers %s", {"Authorization": "Bearer sekrit-bearer", "Accept": "*/*"})
    log.warning("store at %s", "postgresql://piratewatch:db-pass@db-host/piratewatch")
    lines = log_lines.getvalue()
    for secret in ("tok-123", "sekrit-bearer", "db-pass"):
        assert secret not in lines, lines
    assert "page=2" in lines and "'Accept': '*/*'" in lines and "db-host" in lines  # the rest is kept


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("GET /x?apikey=A1&q=manga", "q=manga"),
        ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic"),
        ("X-API-Key: pk_live_1", "X-API-Key: "),
        ("redis://:hunter2@redis:6379/0", "redis:6379/0"),
        ("keyboard=qwerty monkey=1", "keyboard=qwerty monkey=1"),
    ],
)
def test_redact_keeps_what_is_not_secret(line: str, kept: str) -> None:
    cleaned = redact(line)
    assert kept in cleaned
    for secret in ("A1", "dXNlcjpwYXNz", "pk_live_1", "hunter2"):
        assert secret not in cleaned
