"""A full-page screenshot of what a capture received, by headless Chromium (driven by Playwright).

The browser does not fetch the page again: the captured document is served to it from memory at its
own URL, and every other request (images, scripts, frames) is refused, and all traffic goes to a
dead proxy besides. So the picture shows exactly the bytes the WARC holds, and a hostile page cannot
make the browser reach into our network. Scripts are off for the same reason. When Chromium or
Playwright is missing, or the page cannot be rendered, the capture says why instead.

Launching Chromium is most of a screenshot's cost, so :class:`Screenshots` keeps one browser for a
batch of captures, with a fresh browser context (no cookies, no cache) for each.
"""

from __future__ import annotations

import shutil
from types import TracebackType
from typing import Any

from crawlers.capture.config import CaptureSettings
from crawlers.capture.fetch import Capture, decoded_body

#: every request not fulfilled from the capture goes here, and nothing listens (port 9, discard)
_DEAD_PROXY = "http://127.0.0.1:9"
#: how every Chromium of captures starts (screenshots, and the evidence package's printed summary)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    f"--proxy-server={_DEAD_PROXY}",
    "--proxy-bypass-list=<-loopback>",
]
#: headers that describe the wire form of the body, not the decoded document served to the browser
_WIRE_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding", "connection", "set-cookie"})


def browser_problem(chromium: str) -> str | None:
    """Why no page can be rendered here (no Chromium named `chromium`, no Playwright), or None."""
    if shutil.which(chromium) is None:
        return f"Chromium is not installed (no {chromium!r} on PATH)"
    try:
        import playwright.async_api  # noqa: F401 - only whether it is there
    except ImportError:
        return "Playwright is not installed"
    return None


class Screenshots:
    """Screenshots of captures with one headless Chromium, launched on first use (``async with``)."""

    def __init__(self, settings: CaptureSettings) -> None:
        self.settings = settings
        self._playwright: Any = None
        self._browser: Any = None

    async def __aenter__(self) -> Screenshots:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None

    def _unavailable(self, capture: Capture) -> str | None:
        final = capture.final
        if final is None:
            return "no page was received"
        if final.truncated or capture.limit:
            return f"the capture is limited ({capture.limit or 'body incomplete'}): nothing complete to render"
        return browser_problem(self.settings.chromium)

    async def _launched(self) -> Any:
        if self._browser is None:
            from playwright.async_api import async_playwright

            self._playwright = await async_playwright().start()
            executable = shutil.which(self.settings.chromium)
            self._browser = await self._playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
        return self._browser

    async def take(self, capture: Capture) -> tuple[bytes | None, str | None]:
        """PNG bytes of the whole rendered page, or None and the reason it could not be taken."""
        problem = self._unavailable(capture)
        final = capture.final
        if problem is not None or final is None:
            return None, problem
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import Route

        body, problem = decoded_body(final, self.settings.max_decoded_bytes)
        if problem:
            return None, problem
        headers = {k: v for k, v in final.response_headers if k.lower() not in _WIRE_HEADERS}
        timeout_ms = self.settings.screenshot_seconds * 1000

        async def serve(route: Route) -> None:
            if route.request.url.split("#", 1)[0] == final.url.split("#", 1)[0]:
                await route.fulfill(status=final.status or 200, headers=headers, body=body)
            else:
                await route.abort("blockedbyclient")

        try:
            browser = await self._launched()
            context = await browser.new_context(
                viewport={"width": self.settings.viewport_width, "height": self.settings.viewport_height},
                java_script_enabled=False,
            )
            try:
                page = await context.new_page()
                await page.route("**/*", serve)
                await page.goto(final.url, wait_until="load", timeout=timeout_ms)
                return await page.screenshot(full_page=True, type="png", timeout=timeout_ms), None
            finally:
                await context.close()
        except PlaywrightError as exc:
            return None, f"Chromium could not render the page: {str(exc).splitlines()[0][:300]}"


async def take_screenshot(capture: Capture, settings: CaptureSettings) -> tuple[bytes | None, str | None]:
    """One screenshot with a browser of its own (for a single capture)."""
    async with Screenshots(settings) as shots:
        return await shots.take(capture)
