"""The API docs render in headless Chromium with every request kept on loopback: Swagger UI and ReDoc
load their scripts and styles from the app itself (fastapi-offline's assets), never from a CDN."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from lab.http_util import ThreadedServer
from tests.ui.test_browser import browser, page  # noqa: F401  the same browser and tab fixtures

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.fixture
def served(ui_app: Any) -> Iterator[str]:
    server = ThreadedServer(ui_app).start()
    yield server.url
    server.stop()


def _offline(tab: Any) -> list[str]:
    """Refuse every request that leaves loopback, as a machine with no network would; returns them."""
    refused: list[str] = []
    tab.route("**/*", lambda route: _handle(route, refused))
    return refused


def _handle(route: Any, refused: list[str]) -> None:
    url = route.request.url
    host = urlsplit(url).hostname or ""
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        refused.append(url)
        route.abort()


def test_swagger_ui_renders_offline(page: Any, served: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    refused = _offline(page)
    page.goto(served + "/")  # the root sends visitors to the docs
    page.wait_for_url("**/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("piratewatch", timeout=30_000)
    expect(page.locator(".opblock-tag").first).to_be_visible()  # the operations, from /openapi.json
    expect(page.get_by_text("/api/v1/submissions").first).to_be_visible()
    assert refused == [] and page.console_errors == []


def test_redoc_renders_offline(page: Any, served: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    refused = _offline(page)
    answer = page.goto(served + "/redoc")
    assert answer is not None and answer.status == 200
    # ReDoc lays out the whole schema in the browser: slow on a loaded machine, so a longer wait
    expect(page.locator("h1").first).to_contain_text("piratewatch", timeout=60_000)
    expect(page.locator("[data-section-id]").first).to_be_attached(timeout=30_000)  # ReDoc laid the operations out
    assert "/docs-assets/redoc.standalone.js" in page.content()
    assert refused == []
