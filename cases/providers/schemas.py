"""Wire models of the provider directory."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cases.providers.models import ProviderKind


class ProviderUpdate(BaseModel):
    """Fields an operator may change (only those given are changed)."""

    model_config = ConfigDict(extra="forbid")

    kind: ProviderKind | None = None
    country: Annotated[str, Field(min_length=2, max_length=2)] | None = None
    abuse_email: Annotated[str, Field(max_length=320)] | None = None
    abuse_form_url: Annotated[str, Field(max_length=2000)] | None = None
    abuse_api_url: Annotated[str, Field(max_length=2000)] | None = None
    #: the DMCA designated agent's e-mail (§512(c)(2)), from the Copyright Office's directory
    dmca_agent_email: Annotated[str, Field(max_length=320)] | None = None
    accepted_formats: list[str] | None = None
    expected_response_days: Annotated[int, Field(ge=0, le=365)] | None = None
    #: the names crawls give this service (an ad network's, a payment link's: ``adsterra``, ``paypal``)
    crawl_names: (
        Annotated[list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]], Field(max_length=20)] | None
    ) = None


class ProviderCreate(ProviderUpdate):
    """A new provider."""

    name: Annotated[str, Field(min_length=1, max_length=300)]
    kind: ProviderKind  # required on creation


class ProviderPublic(BaseModel):
    """A provider as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    country: str | None
    abuse_email: str | None
    abuse_form_url: str | None
    abuse_api_url: str | None
    dmca_agent_email: str | None = None
    accepted_formats: list[str]
    expected_response_days: int
    crawl_names: list[str] = []
