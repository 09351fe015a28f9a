"""The manifest of a capture: every fact about it and the hash of every object, as canonical JSON.

Canonical (sorted keys, no spaces, UTF-8) so that the same capture always gives the same bytes: those
bytes are stored as an object, and the RFC 3161 token is over them. Verifying the token proves the
manifest existed at the token's time; the manifest's hashes prove every object is the one captured.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

FORMAT = "piratewatch-evidence-capture/1"

#: each object of a capture: its name inside a package and its media type
OBJECT_KINDS: dict[str, tuple[str, str]] = {
    "warc": ("capture.warc.gz", "application/warc"),
    "text": ("text.txt", "text/plain; charset=utf-8"),
    "screenshot": ("screenshot.png", "image/png"),
}


@dataclass
class CaptureInput:
    """A finished capture as the store takes it (built by the application from the capture library's result)."""

    url: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime
    warc: bytes
    text: str
    program: str
    captured_by: str
    trigger: str = "on_demand"
    limit: str | None = None
    problems: list[str] = field(default_factory=list)
    http_status: int | None = None
    final_url: str | None = None
    egress_address: str | None = None
    server_addresses: list[str] = field(default_factory=list)
    screenshot: bytes | None = None
    screenshot_problem: str | None = None
    site_id: int | None = None
    association_id: int | None = None

    def objects(self) -> dict[str, bytes]:
        """The capture's objects by kind."""
        found = {"warc": self.warc, "text": self.text.encode()}
        if self.screenshot is not None:
            found["screenshot"] = self.screenshot
        return found


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def manifest_of(capture: CaptureInput, hashes: dict[str, str]) -> dict[str, Any]:
    """The manifest of `capture` whose objects hash to `hashes` (kind → SHA-256)."""
    objects = {
        kind: {
            "name": OBJECT_KINDS[kind][0],
            "media_type": OBJECT_KINDS[kind][1],
            "sha256": hashes[kind],
            "size": len(data),
        }
        for kind, data in capture.objects().items()
    }
    return {
        "format": FORMAT,
        "url": capture.url,
        "final_url": capture.final_url,
        "http_status": capture.http_status,
        "status": capture.status,
        "limit": capture.limit,
        "problems": capture.problems,
        "started_at": capture.started_at.isoformat(),
        "finished_at": capture.finished_at.isoformat(),
        "egress_address": capture.egress_address,
        "server_addresses": capture.server_addresses,
        "program": capture.program,
        "captured_by": capture.captured_by,
        "trigger": capture.trigger,
        "screenshot_problem": capture.screenshot_problem,
        "objects": objects,
    }
