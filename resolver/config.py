"""The resolver's settings: plain data, built by the caller (nothing is read from the environment here)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class RateLimit(BaseModel):
    """At most `requests` per `per_seconds` towards one server."""

    requests: float = 5
    per_seconds: float = 1.0


class ResolverSettings(BaseModel):
    """How to reach DNS, RDAP and WHOIS, and how hard to push them."""

    #: Recursive resolvers to ask (empty: the system's). The lab and tests name their own server.
    nameservers: list[str] = Field(default_factory=list)
    dns_port: int = 53
    dns_timeout: float = 2.0  # per attempt
    dns_lifetime: float = 6.0  # per question, retries included
    cname_max_depth: int = 10
    #: Which DNS client asks the questions: "c-ares" (aiodns/pycares, the fast path; the resolver
    #: benchmark measures it) or "dnspython" (pure Python). Both record the same answers and the
    #: same failures; nameservers that are not plain addresses (DNS over HTTPS, ...) always use
    #: dnspython.
    dns_client: Literal["c-ares", "dnspython"] = "c-ares"

    #: Team Cymru's IP-to-ASN zones (names are settings so the lab can serve its own).
    cymru_origin_zone: str = "origin.asn.cymru.com"
    cymru_origin6_zone: str = "origin6.asn.cymru.com"
    cymru_asn_zone: str = "asn.cymru.com"

    #: IANA's RDAP bootstrap files; a local file overrides or extends them (tests, the lab, TLDs
    #: missing from IANA's list). Entries of the local file win.
    rdap_bootstrap_dns_url: str = "https://data.iana.org/rdap/dns.json"
    rdap_bootstrap_ipv4_url: str = "https://data.iana.org/rdap/ipv4.json"
    rdap_bootstrap_ipv6_url: str = "https://data.iana.org/rdap/ipv6.json"
    rdap_bootstrap_files: list[Path] = Field(default_factory=list)
    #: When True, only the local bootstrap files are used (no fetch of IANA's).
    rdap_bootstrap_offline: bool = False
    bootstrap_cache_dir: Path | None = None
    bootstrap_refresh_seconds: float = 7 * 24 * 3600

    http_timeout: float = 10.0
    http_retries: int = 2
    user_agent: str = "piratewatch-resolver/0.1 (+abuse reporting; contact via the operator)"
    #: RDAP servers answering 429 are waited on per Retry-After, up to this long in total.
    max_retry_after_seconds: float = 30.0
    #: One RDAP read, request to last byte and redirects included, must end within this long.
    rdap_read_deadline_seconds: float = 15.0
    #: An RDAP answer larger than this (decoded) is not read further.
    rdap_max_bytes: int = 4 * 1024 * 1024
    #: Redirects (RFC 7480 §5.2) followed per RDAP read.
    rdap_max_redirects: int = 3

    #: WHOIS servers by TLD ("jp": "whois.jprs.jp" or "host:port"), for TLDs without RDAP.
    whois_servers: dict[str, str] = Field(default_factory=dict)
    whois_port: int = 43
    whois_timeout: float = 10.0

    #: Networks the SSRF guard lets us connect to although they are not public (tests, the lab).
    allow_networks: list[str] = Field(default_factory=list)

    #: Requests per server; the default applies to every server not named.
    rate_limits: dict[str, RateLimit] = Field(
        default_factory=lambda: {"rdap.lacnic.net": RateLimit(requests=10, per_seconds=60)}
    )
    default_rate_limit: RateLimit = Field(default_factory=RateLimit)
    #: A Redis URL: the limits above hold across every process using it (several workers, several
    #: machines), not per process. Empty: each process keeps its own limits.
    shared_limits_url: str = ""
    shared_limits_prefix: str = "piratewatch:ratelimit"

    #: Reverse DNS (PTR) of each address, a CDN signal (e.g. *.deploy.static.akamaitechnologies.com).
    reverse_dns: bool = True
    #: Probing a site's home page: ports (the lab serves sites on high ports), limits.
    probe: bool = True
    probe_http_port: int = 80
    probe_https_port: int = 443
    probe_max_redirects: int = 10
    probe_max_bytes: int = 512 * 1024
    #: Looking for the origin server behind a CDN.
    find_origin: bool = True
    origin_subdomains: list[str] = Field(
        default_factory=lambda: ["mail", "direct", "ftp", "cpanel", "origin", "dev", "webmail", "server"]
    )

    cache_ttl_seconds: float = 24 * 3600
    #: A provider catalogue that replaces the packaged one (written by `providers refresh`).
    catalogue_path: Path | None = None
