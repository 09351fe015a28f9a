"""Content-addressed evidence objects: each is named by the SHA-256 of its bytes and never rewritten.

:class:`ObjectStore` is the interface a deployment implements for another backend (an S3-compatible
bucket with object lock, say: ``put`` is a conditional ``PutObject`` keyed by the hash); the default,
:class:`DirectoryObjectStore`, keeps them under a directory (``ab/cd/abcd…``). A read checks the
hash again, so a missing or altered object is detected, never served.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class ObjectMissingError(LookupError):
    """The object is not in the store."""


class ObjectAlteredError(ValueError):
    """The stored bytes no longer hash to the object's name."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ObjectStore(Protocol):
    """Where evidence objects live."""

    def put(self, data: bytes) -> str:
        """Store `data` (once: an existing object is left as it is); return its SHA-256."""

    def get(self, sha256: str) -> bytes:
        """The object's bytes, checked: :class:`ObjectMissingError` or :class:`ObjectAlteredError` otherwise."""

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None:
        """Remove an object (retention only: the caller has checked that nothing open cites it)."""


def _valid(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 name: {sha256[:80]!r}")
    return sha256


class DirectoryObjectStore:
    """Objects as read-only files under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        name = _valid(sha256)
        return self.root / name[:2] / name[2:4] / name

    def put(self, data: bytes) -> str:
        name = sha256_hex(data)
        target = self.path(name)
        if target.exists():
            return name  # content-addressed: the same name is the same bytes; never rewritten
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o444)
            with contextlib.suppress(FileExistsError):  # another writer got there first: theirs stays
                os.link(tmp, target)
        finally:
            os.unlink(tmp)
        return name

    def get(self, sha256: str) -> bytes:
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectMissingError(f"evidence object {sha256} is missing") from exc
        if sha256_hex(data) != sha256:
            raise ObjectAlteredError(f"evidence object {sha256} was altered: its bytes hash to {sha256_hex(data)}")
        return data

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)
