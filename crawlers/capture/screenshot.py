"""A full-page screenshot of what a capture received, by headless Chromium (driven by Playwright).

The browser does not fetch the page again: the captured document is served to it from memory at its
own URL, and every other request (images, scripts, frames) is refused, and all traffic goes to a
dead proxy besides. So the picture shows exactly the bytes the WARC holds, and a hostile page cannot
make the browser reach into our network. Scripts are off for the same reason. When Chromium or
Playwright is missing, or the page cannot be rendered, the capture says why instead.
"""

from __future__ import annotations

import shutil

from crawlers.capture.config import CaptureSettings
from crawlers.capture.fetch import Capture, decoded_body

#: every request not fulfilled from the capture goes here, and nothing listens (port 9, discard)
_DEAD_PROXY = "http://127.0.0.1:9"
_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    f"--proxy-server={_DEAD_PROXY}",
    "--proxy-bypass-list=<-loopback>",
]
#: headers that describe the wire form of the body, not the decoded document served to the browser
_WIRE_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding", "connection", "set-cookie"})


async def take_screenshot(capture: Capture, settings: CaptureSettings) -> tuple[bytes | None, str | None]:
    """PNG bytes of the whole rendered page, or None and the reason it could not be taken."""
    final = capture.final
    if final is None:
        return None, "no page was received"
    if final.truncated or capture.limit:
        return None, f"the capture is limited ({capture.limit or 'body incomplete'}): nothing complete to render"
    executable = shutil.which(settings.chromium)
    if executable is None:
        return None, f"Chromium is not installed (no {settings.chromium!r} on PATH)"
    try:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import Route, async_playwright
    except ImportError:
        return None, "Playwright is not installed"
    body, problem = decoded_body(final, settings.max_decoded_bytes)
    if problem:
        return None, problem
    headers = {k: v for k, v in final.response_headers if k.lower() not in _WIRE_HEADERS}
    timeout_ms = settings.screenshot_seconds * 1000

    async def serve(route: Route) -> None:
        if route.request.url.split("#", 1)[0] == final.url.split("#", 1)[0]:
            await route.fulfill(status=final.status or 200, headers=headers, body=body)
        else:
            await route.abort("blockedbyclient")

    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=executable, args=_ARGS, headless=True)
            try:
                page = await browser.new_page(
                    viewport={"width": settings.viewport_width, "height": settings.viewport_height},
                    java_script_enabled=False,
                )
                await page.route("**/*", serve)
                await page.goto(final.url, wait_until="load", timeout=timeout_ms)
                return await page.screenshot(full_page=True, type="png", timeout=timeout_ms), None
            finally:
                await browser.close()
    except PlaywrightError as exc:
        return None, f"Chromium could not render the page: {str(exc).splitlines()[0][:300]}"
