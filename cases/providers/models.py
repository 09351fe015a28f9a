"""Providers: the companies a notice can be sent to, with their abuse channels."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import JSONType, UTCDateTime, utcnow


class ProviderKind(enum.StrEnum):
    """What a provider does for a site; also the steps of the escalation ladder."""

    HOST = "host"
    CDN = "cdn"
    REGISTRAR = "registrar"
    REGISTRY = "registry"
    SEARCH_ENGINE = "search_engine"
    PLATFORM = "platform"
    PAYMENT = "payment"
    ADS = "ads"
    LEGAL = "legal"


class Provider(SQLModel, table=True):
    """One provider and how it takes abuse reports (e-mail, web form, API)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(300), unique=True)
    kind: ProviderKind = Field(sa_type=sa.String(16), index=True)
    country: str | None = Field(default=None, sa_type=sa.String(2))
    abuse_email: str | None = Field(default=None, sa_type=sa.String(320))
    abuse_form_url: str | None = Field(default=None, sa_type=sa.String(2000))
    abuse_api_url: str | None = Field(default=None, sa_type=sa.String(2000))
    #: the agent a US service provider designated to receive DMCA notices (17 U.S.C. §512(c)(2)), as the
    #: Copyright Office's directory of designated agents lists it; DMCA notices go there, not to abuse@
    dmca_agent_email: str | None = Field(default=None, sa_type=sa.String(320))
    #: template names this provider accepts (see ``cases.takedown.templates``)
    accepted_formats: list[str] = Field(default_factory=list, sa_type=JSONType)
    expected_response_days: int = Field(default=7, ge=0)
    #: the names crawls give this service on a site (``site_crawl.ad_networks``, a payment link's service:
    #: ``adsterra``, ``paypal``): an ads or payment step goes to the provider named by what the crawl found
    crawl_names: list[str] = Field(default_factory=list, sa_type=JSONType)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
