"""What the resolver finds out about a site: plain pydantic models that round-trip through JSON.

Failures are data: a timeout, an NXDOMAIN, a malformed RDAP answer or a 429 storm is a
:class:`Failure` on the profile, never an exception that ends the run.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

FailureKind = Literal[
    "nxdomain",
    "servfail",
    "timeout",
    "no_answer",
    "refused",
    "cname_loop",
    "cname_too_deep",
    "malformed",
    "http_error",
    "rate_limited",
    "quota_warning",
    "blocked_address",
    "unsupported",
    "network_error",
    "too_large",
    "internal_error",
]


class Failure(BaseModel):
    """Something that could not be found out, and why."""

    stage: str  # dns, cymru, rdap_domain, rdap_registrar, rdap_ip, whois, probe, origin
    target: str
    kind: FailureKind
    message: str


class DnsRecord(BaseModel):
    type: str
    value: str
    ttl: int


class DnsResult(BaseModel):
    """The DNS view of one host name."""

    name: str
    cname_chain: list[str] = Field(default_factory=list)  # the names the CNAMEs led through
    a: list[DnsRecord] = Field(default_factory=list)
    aaaa: list[DnsRecord] = Field(default_factory=list)
    ns: list[DnsRecord] = Field(default_factory=list)
    mx: list[DnsRecord] = Field(default_factory=list)
    txt: list[DnsRecord] = Field(default_factory=list)
    soa: DnsRecord | None = None
    spf_ip4: list[str] = Field(default_factory=list)
    spf_ip6: list[str] = Field(default_factory=list)

    @property
    def addresses(self) -> list[str]:
        return [r.value for r in [*self.a, *self.aaaa]]


class AbuseContact(BaseModel):
    """A way to complain to one party."""

    party: Literal["host", "cdn", "registrar", "registry"]
    organisation: str | None = None
    kind: Literal["email", "form", "api", "phone"]
    value: str
    source: str  # where it came from: an RDAP URL, "catalogue", "whois:<server>"


class Hosting(BaseModel):
    """Who announces and who holds one IP address."""

    ip: str
    asns: list[int] = Field(default_factory=list)
    prefix: str | None = None
    country: str | None = None
    registry: str | None = None
    as_name: str | None = None
    network_name: str | None = None
    network_handle: str | None = None
    network_cidr: str | None = None
    organisation: str | None = None
    rdap_url: str | None = None


class CdnMatch(BaseModel):
    """A CDN or protection service in front of the site, with the signals that named it."""

    provider: str
    kind: str
    signals: list[str]
    confidence: float


class OriginCandidate(BaseModel):
    """An address that may be the origin server behind a CDN, and whether it was confirmed."""

    ip: str
    source: str  # mx, spf, subdomain:<name>, history
    confirmed: bool = False
    detail: str | None = None


class Registration(BaseModel):
    """Registrar and registry facts of a registrable domain."""

    domain: str
    source: Literal["rdap", "whois"]
    registry_url: str | None = None
    registrar: str | None = None
    registrar_iana_id: str | None = None
    registrar_url: str | None = None
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    expires: dt.datetime | None = None
    statuses: list[str] = Field(default_factory=list)
    nameservers: list[str] = Field(default_factory=list)


class RedirectHop(BaseModel):
    url: str
    status: int
    location: str | None = None


class TlsCertificate(BaseModel):
    subject: str | None = None
    issuer: str | None = None
    sans: list[str] = Field(default_factory=list)
    not_after: dt.datetime | None = None


class HttpProbe(BaseModel):
    """What the site's home page answered: the redirect chain, status, headers, certificate."""

    start_url: str
    final_url: str | None = None
    status: int | None = None
    chain: list[RedirectHop] = Field(default_factory=list)
    headers: dict[str, str] = Field(default_factory=dict)
    tls: TlsCertificate | None = None
    #: registrable domains the site redirected to (a domain hop)
    hops_to: list[str] = Field(default_factory=list)
    body_sha256: str | None = None
    title: str | None = None


class SiteProfile(BaseModel):
    """Everything the resolver learnt about one host name at one time."""

    domain: str
    registrable_domain: str
    resolved_at: dt.datetime
    dns: DnsResult
    hosting: list[Hosting] = Field(default_factory=list)
    cdn: CdnMatch | None = None
    registration: Registration | None = None
    http: HttpProbe | None = None
    #: other registrable domains seen for this site (certificate SANs, redirect targets)
    siblings: list[str] = Field(default_factory=list)
    abuse_contacts: list[AbuseContact] = Field(default_factory=list)
    origin_candidates: list[OriginCandidate] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
