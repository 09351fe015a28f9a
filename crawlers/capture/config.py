"""Limits of one capture; nested in piratewatch's settings as ``capture`` (``PIRATEWATCH_CAPTURE__MAX_BYTES=...``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CaptureSettings(BaseModel):
    """How much a capture may read, for how long, through how many redirects, and how it renders."""

    #: bytes read off the wire per response (compressed, as sent); past it the capture is limited
    max_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    #: bytes a compressed body may inflate to when its text is read (a gzip bomb stops here)
    max_decoded_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    #: wall-clock seconds for the whole exchange, redirects included (a page that drips a byte a second stops here)
    total_seconds: float = Field(default=30.0, gt=0)
    #: seconds to connect and between two reads
    read_timeout: float = Field(default=10.0, gt=0)
    #: redirects a capture follows (each hop recorded); one more and the capture is limited
    max_redirects: int = Field(default=5, ge=0)
    #: the User-Agent of capture requests (and of the screenshot's browser)
    user_agent: str = "Mozilla/5.0 (compatible; piratewatch-evidence/1)"
    #: take a full-page screenshot with headless Chromium (when it is installed)
    screenshots: bool = True
    #: the Chromium binary (a name on PATH or a path)
    chromium: str = "chromium"
    #: seconds the browser may take to render and shoot one page; past it the capture says so
    screenshot_seconds: float = Field(default=20.0, gt=0)
    #: the browser window's width in pixels (the screenshot is full-page: its height follows the page)
    viewport_width: int = Field(default=1280, ge=320, le=4096)
    #: the browser window's height in pixels
    viewport_height: int = Field(default=800, ge=200, le=4096)
