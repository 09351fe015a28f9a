"""Sites as the API shows them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from cases.infra.schemas import EventPublic, InfraPublic


class DomainPublic(BaseModel):
    id: int
    fqdn: str
    fqdn_unicode: str
    registrable_domain: str
    is_ip: bool
    status: str
    redirects_to: str | None = None
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime


class SiteSummary(BaseModel):
    id: int
    name: str
    status: str
    languages: list[str]
    content_types: list[str]
    domains: list[str]
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime


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


class SiteDetail(SiteSummary):
    domain_details: list[DomainPublic]
    submissions: list[SubmissionDetail]
    infrastructure: list[InfraPublic] = Field(default_factory=list)
    timeline: list[EventPublic] = Field(default_factory=list)


class SiteFilters(BaseModel):
    status: str | None = None
    language: str | None = None
    content_type: str | None = None
    association: str | None = None
    q: str | None = None
