"""Settings of evidence; nested in piratewatch's settings as ``evidence`` (``PIRATEWATCH_EVIDENCE__TSA_URL=...``)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, Field, SecretStr, model_validator

from cases.evidence.objects import DEFAULT_MAX_OBJECT_BYTES


class StoreKind(enum.StrEnum):
    """Which object store keeps the evidence objects."""

    DIRECTORY = "directory"
    S3 = "s3"


class EvidenceSettings(BaseModel):
    """Where evidence objects are kept, which TSA stamps them, and how long unused evidence is kept."""

    #: the object store: "directory" (files under STORE_DIR) or "s3" (a bucket of an S3-compatible service, the S3_* settings)
    store: StoreKind = StoreKind.DIRECTORY
    #: the object store's directory (default: ``evidence/`` in the data directory)
    store_dir: Path | None = None
    #: the S3-compatible service's endpoint URL, e.g. https://minio.internal:9000 (empty: Amazon S3's own for S3_REGION)
    s3_endpoint_url: str = ""
    #: the bucket objects are kept in (it must exist; Object Lock on it makes them write-once at the service too)
    s3_bucket: str = ""
    #: a prefix of every object's key in the bucket (e.g. ``evidence/``), so a bucket can hold other things too
    s3_prefix: str = ""
    #: the bucket's region (the request signature, AWS Signature Version 4, names it)
    s3_region: str = "us-east-1"
    #: the access key ID (empty: boto3 looks for credentials itself: AWS_* variables, ~/.aws, an instance role)
    s3_access_key_id: str = ""
    #: the secret access key that goes with S3_ACCESS_KEY_ID
    s3_secret_access_key: SecretStr = SecretStr("")
    #: path-style requests (endpoint/bucket/key), which most S3-compatible servers expect; false: virtual-hosted style
    s3_path_style: bool = True
    #: seconds to wait to connect to the S3 service, and for each read of its answer
    s3_timeout: float = Field(default=30.0, gt=0)
    #: the largest object, in bytes, the store keeps or reads back (a larger one read back was replaced: refused)
    max_object_bytes: int = Field(default=DEFAULT_MAX_OBJECT_BYTES, ge=1)
    #: the RFC 3161 Time-Stamping Authority's URL (empty: captures are not timestamped, and say so)
    tsa_url: str = ""
    #: PEM files of the TSA's root (and intermediate) certificates: tokens are verified against them
    tsa_certificates: list[Path] = Field(default_factory=list)
    #: seconds to wait for the TSA's answer to one timestamp request
    tsa_timeout: float = Field(default=15.0, gt=0)
    #: print each evidence package's summary to PDF too (summary.pdf, by headless Chromium: PIRATEWATCH_CAPTURE__CHROMIUM)
    summary_pdf: bool = True
    #: capture every URL of the approved notices a send is about to try (with the pre-send re-check)
    capture_before_send: bool = False
    #: capture the URLs a crawl matches a work at for the first time (trigger ``crawl``), after the crawl is stored
    capture_on_crawl: bool = True
    #: at most this many such captures per crawl (the first new matches, in the order they were found)
    crawl_capture_limit: int = Field(default=20, ge=0, le=1000)
    #: days a capture is kept; past it, captures no open case cites may be pruned (None: kept for ever)
    retention_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _store_is_complete(self) -> Self:
        if self.store == StoreKind.S3 and not self.s3_bucket:
            raise ValueError("the S3 object store needs a bucket (PIRATEWATCH_EVIDENCE__S3_BUCKET)")
        if bool(self.s3_access_key_id) != bool(self.s3_secret_access_key.get_secret_value()):
            raise ValueError("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together, or neither")
        return self
