"""The object store's contract, on both stores: the directory store and the S3 store on a real
S3-compatible server (moto's, on loopback). Same names, never an overwrite, every read hashed
again, a cap on what is stored and read back, and only the store's own errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cases.evidence.config import EvidenceSettings
from cases.evidence.objects import (
    DirectoryObjectStore,
    ObjectAlteredError,
    ObjectMissingError,
    ObjectStoreError,
    ObjectStoreUnavailableError,
    ObjectTooLargeError,
    sha256_hex,
)
from cases.evidence.s3 import S3ObjectStore
from cases.evidence.stores import configured_store, s3_client

from .conftest import S3Lab, StoreUnderTest, store_under_test

CAP = 64 * 1024


@pytest.fixture
def under_test(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> StoreUnderTest:
    if store_kind == "directory":
        return store_under_test("directory", DirectoryObjectStore(tmp_path / "evidence", max_object_bytes=CAP))
    lab: S3Lab = request.getfixturevalue("s3_lab")
    settings = EvidenceSettings.model_validate(lab.evidence_settings(lab.new_bucket(), max_object_bytes=CAP))
    store = configured_store(settings, tmp_path)
    assert isinstance(store, S3ObjectStore)
    return store_under_test("s3", store, lab)


def test_an_object_is_named_by_its_sha256_and_read_back(under_test: StoreUnderTest) -> None:
    store = under_test.store
    data = b"<html>page one</html>"
    name = store.put(data)
    assert name == sha256_hex(data)
    assert store.exists(name)
    assert store.get(name) == data
    assert store.put(data) == name  # the same bytes, the same object
    empty = store.put(b"")
    assert store.get(empty) == b""
    other = sha256_hex(b"never stored")
    assert not store.exists(other)


def test_an_existing_object_is_never_overwritten(under_test: StoreUnderTest) -> None:
    store = under_test.store
    data = b"the capture as it was"
    name = store.put(data)
    under_test.tamper(name, b"rewritten behind the store's back")
    assert store.put(data) == name  # a put never writes over a name that exists...
    with pytest.raises(ObjectAlteredError, match="altered"):
        store.get(name)  # ...so the alteration stays visible, never papered over


def test_an_altered_object_is_detected_never_served(under_test: StoreUnderTest) -> None:
    store = under_test.store
    data = bytes(range(256)) * 16
    name = store.put(data)
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01  # one bit
    under_test.tamper(name, bytes(changed))
    with pytest.raises(ObjectAlteredError, match=f"{name} was altered: its bytes hash to {sha256_hex(bytes(changed))}"):
        store.get(name)
    with pytest.raises(ValueError, match="altered"):  # what the API and the UI turn into 409
        store.get(name)


def test_a_missing_object_is_detected(under_test: StoreUnderTest) -> None:
    store = under_test.store
    name = store.put(b"soon gone")
    under_test.remove(name)
    assert not store.exists(name)
    with pytest.raises(ObjectMissingError, match="missing"):
        store.get(name)
    with pytest.raises(LookupError):  # what the API and the UI turn into 404
        store.get(sha256_hex(b"never stored"))


def test_delete_removes_and_a_second_delete_is_harmless(under_test: StoreUnderTest) -> None:
    store = under_test.store
    keep, doomed = store.put(b"keep"), store.put(b"doomed")
    store.delete(doomed)
    store.delete(doomed)
    assert not store.exists(doomed)
    assert store.get(keep) == b"keep"


def test_objects_over_the_cap_are_refused_in_and_out(under_test: StoreUnderTest) -> None:
    store = under_test.store
    with pytest.raises(ObjectTooLargeError, match=f"larger than the store's cap of {CAP}"):
        store.put(b"x" * (CAP + 1))
    assert store.get(store.put(b"y" * CAP)) == b"y" * CAP  # the cap itself is allowed
    name = store.put(b"small")
    under_test.tamper(name, b"z" * (CAP * 4))  # replaced by something huge
    with pytest.raises(ObjectTooLargeError, match="it was replaced"):
        store.get(name)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "ab/cd", "", "0" * 63 + "/"])
def test_a_name_that_is_not_a_sha256_is_refused(under_test: StoreUnderTest, bad: str) -> None:
    store = under_test.store
    for call in (store.get, store.exists, store.delete):
        with pytest.raises(ValueError, match="not a SHA-256 name"):
            call(bad)


def test_concurrent_puts_of_the_same_bytes_make_one_object(under_test: StoreUnderTest) -> None:
    store = under_test.store
    data = b"raced" * 1000
    names: list[str] = []
    errors: list[BaseException] = []

    def put() -> None:
        try:
            names.append(store.put(data))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=put) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert names == [sha256_hex(data)] * 8
    assert store.get(names[0]) == data


# -- what only the S3 store has: the conditional write, the service's own failures, the settings


def test_the_conditional_write_leaves_an_object_written_meanwhile(s3_lab: S3Lab, tmp_path: Path) -> None:
    """The race ``put`` cannot see: the key appears between its HeadObject and its PutObject. The
    server refuses the write (``If-None-Match: *`` → 412) and what was there stays."""
    settings = EvidenceSettings.model_validate(s3_lab.evidence_settings(s3_lab.new_bucket()))
    store = configured_store(settings, tmp_path)
    assert isinstance(store, S3ObjectStore)
    data = b"ours"
    name = sha256_hex(data)
    raw = s3_lab.client()
    raw.put_object(Bucket=store.bucket, Key=store.key(name), Body=b"theirs, written first")
    store.put_new(name, data)  # no error: the name is taken, hence (for a genuine writer) the same bytes
    kept = raw.get_object(Bucket=store.bucket, Key=store.key(name))["Body"].read()
    assert kept == b"theirs, written first"
    fresh = b"nobody else wrote this"
    store.put_new(sha256_hex(fresh), fresh)
    assert store.get(sha256_hex(fresh)) == fresh
    # the object's key is the prefix and the directory store's layout
    assert store.key(name) == f"evidence/{name[:2]}/{name[2:4]}/{name}"


def test_an_unreachable_service_or_a_missing_bucket_is_the_stores_own_error(s3_lab: S3Lab, tmp_path: Path) -> None:
    name = sha256_hex(b"x")
    # nothing listens on port 9: connection refused, after the client's retries
    dead = EvidenceSettings.model_validate(
        {**s3_lab.evidence_settings("evidence"), "s3_endpoint_url": "http://127.0.0.1:9", "s3_timeout": 1.0}
    )
    missing_bucket = EvidenceSettings.model_validate(s3_lab.evidence_settings("no-such-bucket-here"))
    for settings, calls in (
        (dead, ("put", "get", "exists", "delete")),
        # HeadObject answers a bare 404 for a missing bucket as for a missing key: `exists` can only say no
        (missing_bucket, ("put", "get", "delete")),
    ):
        store = configured_store(settings, tmp_path)
        for call in calls:
            with pytest.raises(ObjectStoreUnavailableError, match="the S3 bucket") as caught:
                getattr(store, call)(b"x" if call == "put" else name)
            assert isinstance(caught.value, ObjectStoreError)
            assert not isinstance(caught.value, (LookupError, ValueError))  # neither "missing" nor "altered"
    assert not configured_store(missing_bucket, tmp_path).exists(name)


def test_a_directory_that_cannot_be_written_is_the_stores_own_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    store = DirectoryObjectStore(blocker)
    with pytest.raises(ObjectStoreUnavailableError, match="cannot be written"):
        store.put(b"x")


def test_the_settings_choose_the_store(s3_lab: S3Lab, tmp_path: Path) -> None:
    assert isinstance(configured_store(EvidenceSettings(), tmp_path), DirectoryObjectStore)
    assert configured_store(EvidenceSettings(), tmp_path).root == tmp_path / "evidence"  # type: ignore[attr-defined]
    s3 = configured_store(EvidenceSettings.model_validate(s3_lab.evidence_settings("b")), tmp_path)
    assert isinstance(s3, S3ObjectStore)
    assert (s3.bucket, s3.prefix) == ("b", "evidence/")
    with pytest.raises(ValueError, match="needs a bucket"):
        EvidenceSettings.model_validate({"store": "s3"})
    with pytest.raises(ValueError, match="set together"):
        EvidenceSettings.model_validate({"store": "s3", "s3_bucket": "b", "s3_access_key_id": "only-the-id"})
    with pytest.raises(ValueError, match="'directory' or 's3'"):
        EvidenceSettings.model_validate({"store": "ftp"})
    client = s3_client(EvidenceSettings.model_validate(s3_lab.evidence_settings("b", s3_region="eu-west-3")))
    assert client.meta.region_name == "eu-west-3"
    assert client.meta.endpoint_url == s3_lab.endpoint


def test_the_write_carries_the_precondition_and_the_objects_sha256(s3_lab: S3Lab, tmp_path: Path) -> None:
    """What S3 checks on the way in: ``If-None-Match: *`` and ``x-amz-checksum-sha256`` (the server here,
    moto, does not verify the checksum itself; Amazon S3 refuses a write whose bytes do not match it)."""
    import base64
    import hashlib

    store = configured_store(EvidenceSettings.model_validate(s3_lab.evidence_settings(s3_lab.new_bucket())), tmp_path)
    assert isinstance(store, S3ObjectStore)
    sent: list[dict[str, str]] = []
    store.client.meta.events.register(
        "before-send.s3.PutObject",
        lambda request, **_: sent.append(
            {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        ),
    )
    data = b"a page"
    store.put(data)
    store.put(data)  # exists: no second write at all
    [headers] = sent
    assert headers["If-None-Match"] == "*"
    assert headers["x-amz-checksum-sha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
