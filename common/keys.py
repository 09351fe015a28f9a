"""Identity keys: fixed-length hashes that stand for long values in unique constraints.

A URL can be thousands of characters, longer than any index takes; its SHA-256 is not. The same
(URL, work) rule keys a submission's evidence and a notice's items, so an item and the evidence it
came from have one key.
"""

from __future__ import annotations

import hashlib


def url_key(url: str) -> str:
    """The SHA-256 of a URL (hex)."""
    return hashlib.sha256(url.encode()).hexdigest()


def url_work_key(url: str, work_id: int | None) -> str:
    """The key of a (URL, work) pair: evidence within a submission, an item within a notice."""
    return hashlib.sha256(f"{url}\n{work_id or ''}".encode()).hexdigest()
