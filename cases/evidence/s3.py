"""Evidence objects in an S3-compatible bucket, with the guarantees of the directory store.

Each object is kept under the key ``<prefix>ab/cd/abcd…`` (its SHA-256, as on disk). The S3 API
semantics relied on (Amazon S3 API Reference and User Guide; docs/evidence.md cites them):

- **never overwrite**: ``put`` asks ``HeadObject`` first (an object that exists is left as it is) and
  then writes with ``PutObject`` and ``If-None-Match: *``, which S3 refuses with 412 Precondition
  Failed when the key exists by then (or 409 ConditionalRequestConflict while another write of it is
  in flight): both mean another writer stored the same name, hence the same bytes, first. A server
  that ignores the header is still covered by the ``HeadObject`` before it, up to the race between the
  two; a bucket with Object Lock (WORM) closes that too.
- **integrity of the upload**: the write carries ``x-amz-checksum-sha256`` (the object's own SHA-256,
  base64), which S3 checks against the bytes it received, refusing the write on a mismatch.
- **integrity of the read**: every ``get`` hashes the bytes again; an object whose ``Content-Length``
  is over the cap is refused before its body is read, and the body is read to one byte past the cap at
  most (a server that lies about the length cannot make a read fill the memory).
- **missing**: ``GetObject`` answers 404 ``NoSuchKey``; ``HeadObject`` 404 with no body. Without
  ``s3:ListBucket`` permission S3 answers 403 for a missing key instead, which reads here as the store
  refusing (:class:`ObjectStoreUnavailableError`), never as "not there".
- **delete** (retention only) is ``DeleteObject``, which succeeds for a key that is not there; on a
  versioned bucket it adds a delete marker, and Object Lock keeps a locked version whatever is asked.

Every failure of the client (connection refused, timeout, an S3 error) becomes one of the store's own
errors (:mod:`cases.evidence.objects`): callers never see botocore's.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from cases.evidence.objects import (
    DEFAULT_MAX_OBJECT_BYTES,
    ObjectMissingError,
    ObjectStoreUnavailableError,
    checked,
    refuse_too_large,
    relative_name,
    sha256_hex,
    stored_too_large,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

#: the S3 error codes that mean "no such object" (GetObject says NoSuchKey, HeadObject only 404)
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
#: what a conditional PutObject answers when the key exists already
_EXISTS = frozenset({"PreconditionFailed", "412"})
#: ... and while another conditional write of the same key is in flight (S3 says: retry)
_CONFLICT = frozenset({"ConditionalRequestConflict", "409"})
#: conditional writes tried before a conflict that does not clear is the store's failure
_ATTEMPTS = 3


def _code(exc: Exception) -> str:
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code or str(status or "")


def _said(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__


class S3ObjectStore:
    """Objects in `bucket` of an S3-compatible service, reached through `client` (a boto3 S3 client)."""

    def __init__(
        self, client: S3Client, bucket: str, prefix: str = "", max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.max_object_bytes = max_object_bytes

    def key(self, sha256: str) -> str:
        return self.prefix + relative_name(sha256)

    def _unavailable(self, what: str, exc: Exception) -> ObjectStoreUnavailableError:
        return ObjectStoreUnavailableError(f"the S3 bucket {self.bucket!r} {what}: {_said(exc)}")

    def put(self, data: bytes) -> str:
        refuse_too_large(data, self.max_object_bytes)
        name = sha256_hex(data)
        if self.exists(name):
            return name  # content-addressed: the same name is the same bytes; never rewritten
        self.put_new(name, data)
        return name

    def put_new(self, name: str, data: bytes) -> None:
        """The conditional write of `data` under `name`, its SHA-256 (``If-None-Match: *``): a key written
        meanwhile is left as it is."""
        from botocore.exceptions import BotoCoreError, ClientError

        checksum = base64.b64encode(bytes.fromhex(name)).decode()  # the name is the SHA-256: not hashed again
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.key(name),
                    Body=data,
                    IfNoneMatch="*",
                    ChecksumSHA256=checksum,
                    ContentType="application/octet-stream",
                )
                return
            except ClientError as exc:
                code = _code(exc)
                if code in _EXISTS:
                    return  # another writer got there first: theirs stays
                if code in _CONFLICT and attempt < _ATTEMPTS:
                    if self.exists(name):  # the other write won meanwhile
                        return
                    continue
                raise self._unavailable(f"refused to store {name}", exc) from exc
            except BotoCoreError as exc:
                raise self._unavailable(f"could not be reached to store {name}", exc) from exc

    def get(self, sha256: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.key(sha256)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
            body = answer["Body"]
            try:
                length = answer.get("ContentLength")
                if length is not None and length > self.max_object_bytes:
                    raise stored_too_large(sha256, self.max_object_bytes)
                data = body.read(self.max_object_bytes + 1)
            finally:
                body.close()
        except ClientError as exc:
            if _code(exc) in _MISSING:
                raise ObjectMissingError(f"evidence object {sha256} is missing") from exc
            raise self._unavailable(f"refused to read {sha256}", exc) from exc
        except BotoCoreError as exc:
            raise self._unavailable(f"could not be read for {sha256}", exc) from exc
        if len(data) > self.max_object_bytes:
            raise stored_too_large(sha256, self.max_object_bytes)
        return checked(sha256, data)

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            raise self._unavailable(f"refused to say whether it holds {sha256}", exc) from exc
        except BotoCoreError as exc:
            raise self._unavailable(f"could not be reached to look for {sha256}", exc) from exc
        return True

    def delete(self, sha256: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))
        except (ClientError, BotoCoreError) as exc:
            raise self._unavailable(f"refused to delete {sha256}", exc) from exc
