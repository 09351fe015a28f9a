"""The report as a PDF, printed from its self-contained HTML by a headless Chromium.

Chromium is the dependable offline renderer here: it is what the report's browser test opens the
HTML in, it lays out the inline SVG charts exactly as a reader's browser does, and the HTML fetches
nothing, so printing needs no network. Where no Chromium is installed the report is written
without its PDF (or, when a PDF was asked for, the command says so and fails).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from exporters.config import PdfMode
from exporters.errors import PdfError

#: executables tried, in order, when none is configured
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: what a PDF file starts with
_PDF_MAGIC = b"%PDF-"


def browser_for(mode: PdfMode, configured: str = "") -> str | None:
    """The Chromium to print with in `mode`: None for no PDF; :class:`PdfError` if `mode` is YES and none is found."""
    if mode == PdfMode.NO:
        return None
    browser = find_browser(configured)
    if browser is None and mode == PdfMode.YES:
        raise PdfError(
            f"no Chromium found ({configured or ', '.join(BROWSERS)}); install chromium "
            "or name it in PIRATEWATCH_REPORTS__BROWSER"
        )
    return browser


def find_browser(configured: str = "") -> str | None:
    """The Chromium to print with: the configured path or name, else the first of :data:`BROWSERS` found."""
    if configured:
        return shutil.which(configured)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path, browser: str, timeout: float = 120.0) -> Path:
    """Print `html` to `pdf` (A4 or Letter as the page's CSS says, backgrounds kept); returns `pdf`.

    The file appears under its name only when complete: Chromium writes beside it, and the result
    is checked to be a PDF before it is renamed.
    """
    partial = pdf.with_name(pdf.name + ".partial")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="piratewatch-pdf-") as profile:
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            f"--user-data-dir={profile}",  # a fresh profile: no lock shared with a running browser
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",  # the same, as older Chromium releases spell it
            f"--print-to-pdf={partial}",
            html.resolve().as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium's sandbox refuses to start as root (containers)
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)  # noqa: S603 - our arguments
        except subprocess.TimeoutExpired as exc:
            partial.unlink(missing_ok=True)
            raise PdfError(f"{browser} did not print {html.name} within {timeout:.0f} s") from exc
        except OSError as exc:
            raise PdfError(f"{browser} could not be started: {exc}") from exc
    if done.returncode != 0 or not partial.exists() or partial.read_bytes()[: len(_PDF_MAGIC)] != _PDF_MAGIC:
        partial.unlink(missing_ok=True)
        said = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise PdfError(
            f"{browser} did not print {html.name} (exit {done.returncode}): {' / '.join(said) or 'no output'}"
        )
    os.replace(partial, pdf)
    return pdf
