"""Settings of evidence; nested in piratewatch's settings as ``evidence`` (``PIRATEWATCH_EVIDENCE__TSA_URL=...``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class EvidenceSettings(BaseModel):
    """Where evidence objects are kept, which TSA stamps them, and how long unused evidence is kept."""

    #: the object store's directory (default: ``evidence/`` in the data directory)
    store_dir: Path | None = None
    #: the RFC 3161 Time-Stamping Authority's URL (empty: captures are not timestamped, and say so)
    tsa_url: str = ""
    #: PEM files of the TSA's root (and intermediate) certificates: tokens are verified against them
    tsa_certificates: list[Path] = Field(default_factory=list)
    #: seconds to wait for the TSA's answer to one timestamp request
    tsa_timeout: float = Field(default=15.0, gt=0)
    #: capture every URL of the approved notices a send is about to try (with the pre-send re-check)
    capture_before_send: bool = False
    #: capture the URLs a crawl matches a work at for the first time (trigger ``crawl``), after the crawl is stored
    capture_on_crawl: bool = False
    #: at most this many such captures per crawl (the first new matches, in the order they were found)
    crawl_capture_limit: int = Field(default=20, ge=0, le=1000)
    #: days a capture is kept; past it, captures no open case cites may be pruned (None: kept for ever)
    retention_days: int | None = Field(default=None, ge=1)
