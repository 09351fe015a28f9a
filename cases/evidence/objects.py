"""Content-addressed evidence objects: each is named by the SHA-256 of its bytes and never rewritten.

:class:`ObjectStore` is the interface; two stores implement it with the same guarantees:

- :class:`DirectoryObjectStore` (the default) keeps them as read-only files under a directory
  (``ab/cd/abcd…``);
- :class:`S3ObjectStore` (:mod:`cases.evidence.s3`) keeps them in an S3-compatible bucket under the
  same keys, written with a conditional ``PutObject`` (``If-None-Match: *``).

Both name an object by its hash, never overwrite one, refuse an object larger than their cap (on the
way in and on the way out, so a replaced object cannot make a read fill the memory), and hash every
object again when it is read: a missing or altered object raises one of the errors below, never is
served. Whatever the backend, a caller sees only these errors.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

#: the largest object either store keeps or reads back (a capture's WARC file is bounded by the
#: capture limits, a few responses of ``PIRATEWATCH_CAPTURE__MAX_BYTES`` each; a screenshot by its page)
DEFAULT_MAX_OBJECT_BYTES = 256 * 1024 * 1024


class ObjectStoreError(Exception):
    """Base of every error an object store raises, whichever its backend."""


class ObjectMissingError(ObjectStoreError, LookupError):
    """The object is not in the store."""


class ObjectAlteredError(ObjectStoreError, ValueError):
    """The stored bytes no longer hash to the object's name."""


class ObjectTooLargeError(ObjectStoreError, ValueError):
    """The object is larger than the store's cap (to store, or as stored: then it was replaced)."""


class ObjectStoreUnavailableError(ObjectStoreError, OSError):
    """The store could not be reached or refused the request (not the object's fault)."""


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


def valid_name(sha256: str) -> str:
    """`sha256` if it is a SHA-256 name (64 lower-case hex digits); ValueError otherwise (never a path or key)."""
    if not isinstance(sha256, str) or len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 name: {str(sha256)[:80]!r}")
    return sha256


def relative_name(sha256: str) -> str:
    """``ab/cd/abcd…``: where both stores keep an object (two levels keep directories and listings small)."""
    name = valid_name(sha256)
    return f"{name[:2]}/{name[2:4]}/{name}"


def checked(sha256: str, data: bytes) -> bytes:
    """`data` if it hashes to `sha256`; :class:`ObjectAlteredError` otherwise."""
    actual = sha256_hex(data)
    if actual != sha256:
        raise ObjectAlteredError(f"evidence object {sha256} was altered: its bytes hash to {actual}")
    return data


def stored_too_large(sha256: str, max_bytes: int) -> ObjectTooLargeError:
    """The error for a stored object found over the cap on reading (no store keeps one: it was replaced)."""
    return ObjectTooLargeError(
        f"evidence object {sha256} is larger than the store's cap of {max_bytes} bytes "
        "(it was replaced: no object this large is ever stored)"
    )


def refuse_too_large(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise ObjectTooLargeError(f"an object of {len(data)} bytes is larger than the store's cap of {max_bytes}")


class DirectoryObjectStore:
    """Objects as read-only files under `root`."""

    def __init__(self, root: Path, max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES) -> None:
        self.root = root
        self.max_object_bytes = max_object_bytes

    def path(self, sha256: str) -> Path:
        return self.root / relative_name(sha256)

    def put(self, data: bytes) -> str:
        refuse_too_large(data, self.max_object_bytes)
        name = sha256_hex(data)
        target = self.path(name)
        if target.exists():
            return name  # content-addressed: the same name is the same bytes; never rewritten
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        except OSError as exc:
            raise ObjectStoreUnavailableError(f"the evidence directory {self.root} cannot be written: {exc}") from exc
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o444)
            with contextlib.suppress(FileExistsError):  # another writer got there first: theirs stays
                os.link(tmp, target)
        except OSError as exc:
            raise ObjectStoreUnavailableError(f"evidence object {name} could not be written: {exc}") from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return name

    def get(self, sha256: str) -> bytes:
        path = self.path(sha256)
        try:
            with path.open("rb") as source:
                # read one byte past the cap: a file grown since (or replaced) is refused, never read whole
                data = source.read(self.max_object_bytes + 1)
        except FileNotFoundError as exc:
            raise ObjectMissingError(f"evidence object {sha256} is missing") from exc
        except OSError as exc:
            raise ObjectStoreUnavailableError(f"evidence object {sha256} cannot be read: {exc}") from exc
        if len(data) > self.max_object_bytes:
            raise stored_too_large(sha256, self.max_object_bytes)
        return checked(sha256, data)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def delete(self, sha256: str) -> None:
        try:
            self.path(sha256).unlink(missing_ok=True)
        except OSError as exc:
            raise ObjectStoreUnavailableError(f"evidence object {sha256} could not be deleted: {exc}") from exc
