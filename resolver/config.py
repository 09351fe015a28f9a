"""The resolver's settings: plain data, built by the caller (nothing is read from the environment here)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class RateLimit(BaseModel):
    """At most `requests` per `per_seconds` towards one server."""

    #: requests allowed per window
    requests: float = 5
    #: the window, in seconds
    per_seconds: float = 1.0


class ResolverSettings(BaseModel):
    """How to reach DNS, RDAP and WHOIS, and how hard to push them."""

    #: Recursive resolvers to ask (empty: the system's). The lab and tests name their own server.
    nameservers: list[str] = Field(default_factory=list)
    #: the port of the nameservers above
    dns_port: int = 53
    #: seconds to wait for one DNS answer (per attempt)
    dns_timeout: float = 2.0  # per attempt
    #: seconds one DNS question may take in all, retries included
    dns_lifetime: float = 6.0  # per question, retries included
    #: CNAME chains longer than this are cut (a loop, or a hostile zone)
    cname_max_depth: int = 10
    #: Which DNS client asks the questions: "c-ares" (aiodns/pycares, the fast path; the resolver
    #: benchmark measures it) or "dnspython" (pure Python). Both record the same answers and the
    #: same failures; nameservers that are not plain addresses (DNS over HTTPS, ...) always use
    #: dnspython.
    dns_client: Literal["c-ares", "dnspython"] = "c-ares"

    #: Team Cymru's IP-to-ASN zones (names are settings so the lab can serve its own).
    cymru_origin_zone: str = "origin.asn.cymru.com"
    #: Team Cymru's IPv6 origin zone
    cymru_origin6_zone: str = "origin6.asn.cymru.com"
    #: Team Cymru's zone naming each AS
    cymru_asn_zone: str = "asn.cymru.com"

    #: IANA's RDAP bootstrap files; a local file overrides or extends them (tests, the lab, TLDs
    #: missing from IANA's list). Entries of the local file win.
    rdap_bootstrap_dns_url: str = "https://data.iana.org/rdap/dns.json"
    #: IANA's RDAP bootstrap of IPv4 ranges
    rdap_bootstrap_ipv4_url: str = "https://data.iana.org/rdap/ipv4.json"
    #: IANA's RDAP bootstrap of IPv6 ranges
    rdap_bootstrap_ipv6_url: str = "https://data.iana.org/rdap/ipv6.json"
    #: local bootstrap files (IANA's format) read besides IANA's; their entries win
    rdap_bootstrap_files: list[Path] = Field(default_factory=list)
    #: When True, only the local bootstrap files are used (no fetch of IANA's).
    rdap_bootstrap_offline: bool = False
    #: where IANA's bootstrap files are kept between runs (default: the data directory's rdap-bootstrap)
    bootstrap_cache_dir: Path | None = None
    #: the cached bootstrap files are fetched again after this long (default a week)
    bootstrap_refresh_seconds: float = 7 * 24 * 3600

    #: seconds for one RDAP or HTTP request (connect and read)
    http_timeout: float = 10.0
    #: retries of an RDAP request that failed for a passing reason (timeout, 5xx)
    http_retries: int = 2
    #: the User-Agent of RDAP requests and home-page probes
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
    #: the port of a WHOIS server named without one
    whois_port: int = 43
    #: seconds for one WHOIS query
    whois_timeout: float = 10.0

    #: Networks the SSRF guard lets us connect to although they are not public (tests, the lab).
    allow_networks: list[str] = Field(default_factory=list)

    #: Requests per server; the default applies to every server not named.
    rate_limits: dict[str, RateLimit] = Field(
        default_factory=lambda: {"rdap.lacnic.net": RateLimit(requests=10, per_seconds=60)}
    )
    #: the limit of every server not named in rate_limits
    default_rate_limit: RateLimit = Field(default_factory=RateLimit)
    #: A Redis URL: the limits above hold across every process using it (several workers, several
    #: machines), not per process. Empty: each process keeps its own limits.
    shared_limits_url: str = ""
    #: the Redis key prefix of the shared limits (two deployments on one Redis need different ones)
    shared_limits_prefix: str = "piratewatch:ratelimit"

    #: Reverse DNS (PTR) of each address, a CDN signal (e.g. *.deploy.static.akamaitechnologies.com).
    reverse_dns: bool = True
    #: Probing a site's home page: ports (the lab serves sites on high ports), limits.
    probe: bool = True
    #: the port of the plain-HTTP home-page probe
    probe_http_port: int = 80
    #: the port of the HTTPS home-page probe (certificate, server headers, redirects)
    probe_https_port: int = 443
    #: redirects a probe follows before it stops
    probe_max_redirects: int = 10
    #: bytes of a home page a probe reads at most
    probe_max_bytes: int = 512 * 1024
    #: Looking for the origin server behind a CDN.
    find_origin: bool = True
    #: subdomains tried when looking for an origin server that bypasses the CDN
    origin_subdomains: list[str] = Field(
        default_factory=lambda: ["mail", "direct", "ftp", "cpanel", "origin", "dev", "webmail", "server"]
    )

    #: how long RDAP and Team Cymru answers are reused (default a day)
    cache_ttl_seconds: float = 24 * 3600
    #: A provider catalogue that replaces the packaged one (written by `providers refresh`).
    catalogue_path: Path | None = None
