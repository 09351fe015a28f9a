"""The object store the settings choose: the directory store by default, an S3-compatible bucket with ``store = "s3"``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cases.evidence.config import EvidenceSettings, StoreKind
from cases.evidence.objects import DirectoryObjectStore, ObjectStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def configured_store(settings: EvidenceSettings, data_dir: Path) -> ObjectStore:
    """The store `settings` name (``evidence/`` under `data_dir` when no directory is set)."""
    if settings.store == StoreKind.S3:
        from cases.evidence.s3 import S3ObjectStore

        return S3ObjectStore(s3_client(settings), settings.s3_bucket, settings.s3_prefix, settings.max_object_bytes)
    return DirectoryObjectStore(settings.store_dir or data_dir / "evidence", settings.max_object_bytes)


def s3_client(settings: EvidenceSettings) -> S3Client:
    """A boto3 S3 client for the settings' endpoint, region and credentials."""
    import boto3
    from botocore.config import Config

    config = Config(
        region_name=settings.s3_region,
        connect_timeout=settings.s3_timeout,
        read_timeout=settings.s3_timeout,
        retries={"mode": "standard", "max_attempts": 3},
        s3={"addressing_style": "path" if settings.s3_path_style else "virtual"},
        # the store sends the object's SHA-256 itself (x-amz-checksum-sha256); no extra checksum trailers,
        # which some S3-compatible servers refuse
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    secret = settings.s3_secret_access_key.get_secret_value()
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=secret or None,
        config=config,
    )
