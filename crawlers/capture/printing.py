"""A page we wrote (the evidence package's summary) printed to PDF by headless Chromium, through Playwright.

The browser is the screenshots' (:mod:`crawlers.capture.screenshot`): the same binary and flags (its
traffic pointed at a dead proxy), scripts off. The page is served to it from memory at a name that
cannot resolve (``.invalid``, RFC 2606), and so are the files it refers to by relative path (the
captures' screenshots in the package): every other request is refused. The summary shows URLs and
texts of hostile pages (escaped); printing it can reach nothing.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Mapping

from crawlers.capture.config import CaptureSettings
from crawlers.capture.screenshot import CHROMIUM_ARGS, browser_problem

#: where the page is served to the browser (never resolved: every request is answered from memory)
BASE = "https://evidence-package.invalid/"
#: what a PDF file starts with
PDF_MAGIC = b"%PDF-"
_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".css": "text/css"}


async def print_pdf(
    html: bytes, files: Mapping[str, bytes], settings: CaptureSettings, *, name: str = "summary.html"
) -> tuple[bytes | None, str | None]:
    """The PDF of `html` (A4; the page's CSS may turn it), images among `files` by their relative path;
    or None and why it could not be printed."""
    problem = browser_problem(settings.chromium)
    if problem is not None:
        return None, problem
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import Route, async_playwright

    page_url = BASE + name
    timeout_ms = settings.screenshot_seconds * 1000

    async def serve(route: Route) -> None:
        url = route.request.url.split("#", 1)[0].split("?", 1)[0]
        if url == page_url:
            await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            return
        path = url.removeprefix(BASE) if url.startswith(BASE) else None
        suffix = "." + path.rsplit(".", 1)[-1] if path and "." in path else ""
        if path is not None and path in files and suffix in _TYPES:
            await route.fulfill(status=200, content_type=_TYPES[suffix], body=files[path])
        else:
            await route.abort("blockedbyclient")

    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=shutil.which(settings.chromium), args=CHROMIUM_ARGS, headless=True
            )
            try:
                context = await browser.new_context(java_script_enabled=False, user_agent=settings.user_agent)
                page = await context.new_page()
                await page.route("**/*", serve)
                await page.goto(page_url, wait_until="load", timeout=timeout_ms)
                pdf = await asyncio.wait_for(
                    page.pdf(format="A4", print_background=True, prefer_css_page_size=True),
                    settings.screenshot_seconds,
                )
            finally:
                await browser.close()
    except PlaywrightError as exc:
        return None, f"Chromium could not print {name}: {str(exc).splitlines()[0][:300]}"
    except TimeoutError:
        return None, f"Chromium did not print {name} within {settings.screenshot_seconds:g} s"
    if not pdf.startswith(PDF_MAGIC):
        return None, f"Chromium's answer for {name} is not a PDF"
    return pdf, None
