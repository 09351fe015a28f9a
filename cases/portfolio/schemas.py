"""Sites as the API shows them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from cases.infra.schemas import EventPublic, InfraPublic
from cases.intake.schemas import SubmissionDetail


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
