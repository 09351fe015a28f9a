"""Captures as the API shows them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

#: the objects of a capture the API serves, and their media types
ObjectKind = Literal["warc", "text", "screenshot", "manifest", "token"]
MEDIA_TYPES: dict[str, str] = {
    "warc": "application/warc",
    "text": "text/plain; charset=utf-8",
    "screenshot": "image/png",
    "manifest": "application/json",
    "token": "application/timestamp-reply",
}


class CapturePublic(BaseModel):
    """One capture: how it ended, when, the hash and size of each object, its timestamp."""

    id: int
    url: str
    site_id: int | None
    trigger: str
    status: str
    limit_reason: str | None
    problems: list[str]
    started_at: dt.datetime
    finished_at: dt.datetime
    http_status: int | None
    final_url: str | None
    warc_sha256: str
    warc_size: int
    text_sha256: str
    text_size: int
    screenshot_sha256: str | None
    screenshot_size: int | None
    screenshot_problem: str | None
    manifest_sha256: str
    token_sha256: str | None
    timestamped_at: dt.datetime | None
    tsa_name: str | None
    timestamp_problem: str | None
    program_version: str
