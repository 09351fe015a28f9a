"""What a submission looks like on the wire (API JSON, and CSV rows once parsed).

Validation happens here, field by field, so that a 422 answer lists every bad field with its
location (``sites[3].domains[0]``) instead of stopping at the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from cases.fields import Line, Text
from cases.works.kinds import ContentType
from common.hosts import NormalizationError, NormalizedHost, normalize_host
from common.text import UnsafeTextError, normalize_url

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_HTTP_SCHEME = re.compile(r"https?://", re.IGNORECASE)
MAX_URL_LENGTH = 2000


def _host(value: str) -> str:
    try:
        return normalize_host(value).fqdn
    except NormalizationError as exc:
        raise ValueError(str(exc)) from exc


def _http_url(value: str) -> str:
    # Stored as normalised: the form the re-check's and every other HTTP client accept.
    text = value.strip()
    if len(text) > MAX_URL_LENGTH:
        raise ValueError(f"URL too long: {len(text)} characters (at most {MAX_URL_LENGTH})")
    if not _HTTP_SCHEME.match(text):
        raise ValueError("must be an http:// or https:// URL")
    try:
        url = normalize_url(text)
        normalize_host(url)
    except UnsafeTextError as exc:
        raise ValueError(str(exc)) from exc
    except NormalizationError as exc:
        raise ValueError(f"bad host in URL: {exc}") from exc
    return url


def _language(value: str) -> str:
    tag = value.strip().lower().replace("_", "-")
    if not _LANGUAGE.match(tag):
        raise ValueError(f"{value!r} is not a BCP 47 language tag such as 'ja', 'en' or 'ja-latn'")
    return tag


HostStr = Annotated[str, AfterValidator(_host)]
UrlStr = Annotated[str, AfterValidator(_http_url)]
LanguageStr = Annotated[str, AfterValidator(_language)]
Ref = Annotated[Line, Field(min_length=1, max_length=200)]


def content_ref(prefix: str, data: Any) -> str:
    """A stable reference derived from content, for rows that came without one."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return f"{prefix}:{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"


class WorkIn(BaseModel):
    """A work of the association's catalogue, named in a submission."""

    model_config = ConfigDict(extra="forbid")

    ref: Ref | None = Field(default=None, description="The association's own identifier of the work.")
    titles: dict[LanguageStr, Annotated[Line, Field(min_length=1, max_length=500)]] = Field(
        description="Titles by BCP 47 language tag, e.g. {'ja': 'ワンピース', 'en': 'One Piece'}.",
        min_length=1,
    )
    content_type: ContentType
    rights_holder: Annotated[Line, Field(max_length=300)] | None = None
    official_url: UrlStr | None = None

    def effective_ref(self) -> str:
        if self.ref:
            return self.ref
        return content_ref("auto", {"t": self.titles, "c": self.content_type.value})


class EvidenceIn(BaseModel):
    """A URL where a work is infringed."""

    model_config = ConfigDict(extra="forbid")

    url: UrlStr
    work_ref: Ref | None = Field(default=None, description="`ref` of a work in this site's `works` or the catalogue.")
    note: Annotated[Text, Field(max_length=2000)] | None = None
    captured_at: dt.datetime | None = None

    @field_validator("captured_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        # A capture time without a zone is read as UTC (what capture tools write).
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class SiteIn(BaseModel):
    """One pirate site in a submission: its domains or URLs, and the evidence against it."""

    # The schema says what the validator below checks: a site needs a domain or a URL.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["domains"], "properties": {"domains": {"minItems": 1}}},
                {"required": ["urls"], "properties": {"urls": {"minItems": 1}}},
            ]
        },
    )

    source_ref: Ref | None = Field(
        default=None,
        description="Your reference for this report. Sending the same reference again changes nothing.",
    )
    domains: list[HostStr] = Field(default_factory=list, max_length=100)
    urls: list[UrlStr] = Field(default_factory=list, max_length=100, description="Pages of the site.")
    languages: list[LanguageStr] = Field(default_factory=list, max_length=20)
    content_types: list[ContentType] = Field(default_factory=list, max_length=9)
    works: list[WorkIn] = Field(default_factory=list, max_length=1000)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=5000)
    note: Annotated[Text, Field(max_length=5000)] | None = None

    @model_validator(mode="after")
    def _has_a_host(self) -> SiteIn:
        if not self.domains and not self.urls:
            raise ValueError("give at least one domain or URL of the site")
        return self

    def hosts(self) -> list[NormalizedHost]:
        """The site's hosts from `domains` and `urls`, deduplicated, in the order given."""
        seen: dict[str, NormalizedHost] = {}
        for raw in [*self.domains, *self.urls]:
            host = normalize_host(raw)
            seen.setdefault(host.fqdn, host)
        return list(seen.values())

    def effective_source_ref(self) -> str:
        if self.source_ref:
            return self.source_ref
        return content_ref("auto", self.model_dump(mode="json", exclude={"source_ref"}))


class SubmissionBatchIn(BaseModel):
    """``POST /api/v1/submissions``: one or many sites."""

    model_config = ConfigDict(extra="forbid")

    sites: list[SiteIn] = Field(min_length=1)


class DomainOut(BaseModel):
    fqdn: str
    fqdn_unicode: str
    registrable_domain: str
    is_ip: bool
    created: bool


class SiteResultOut(BaseModel):
    """What happened to one site of a submission."""

    index: int
    status: Literal["created", "matched"] = Field(
        description="created: a new submission; matched: this source_ref was already submitted."
    )
    submission_id: int
    source_ref: str
    site_id: int
    site_created: bool
    domains: list[DomainOut]
    evidence_added: int
    warnings: list[str] = Field(default_factory=list)


class SubmissionBatchOut(BaseModel):
    results: list[SiteResultOut]


class EvidencePublic(BaseModel):
    id: int
    url: str
    work_ref: str | None
    note: str | None
    captured_at: dt.datetime | None


class SubmissionPublic(BaseModel):
    id: int
    association: str
    source_ref: str
    via: str
    site_id: int
    created_at: dt.datetime
    evidence_count: int


class SubmissionDetail(SubmissionPublic):
    evidence: list[EvidencePublic]
