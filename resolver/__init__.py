"""Where a site lives: DNS, hosting, CDN, registrar and the abuse channel of each.

A standalone async library (it imports nothing else of piratewatch)::

    async with Resolver(ResolverSettings(nameservers=["127.0.0.1"], dns_port=5353)) as r:
        profile = await r.resolve("example.com")

Most problems are data, not exceptions: NXDOMAIN, SERVFAIL, timeouts, malformed RDAP answers,
429 storms and blocked addresses become :class:`Failure` entries on the profile. The exceptions
that do reach the caller::

    ResolverError
    ├── InvalidDomainError     the argument is not a host name under a public suffix
    └── CatalogueRefreshError  a provider's published list is empty or shrank too much
    BlockedAddressError        (from resolver.ssrf) an address the SSRF guard refuses
"""

from resolver.catalogue import Catalogue, Provider, detect, load_catalogue
from resolver.core import Resolver, registrable_domain
from resolver.diff import InfraChange, diff_profiles
from resolver.errors import BlockedAddressError, CatalogueRefreshError, InvalidDomainError, ResolverError
from resolver.http import guarded_transport
from resolver.models import (
    AbuseContact,
    CdnMatch,
    DnsRecord,
    DnsResult,
    Failure,
    Hosting,
    Registration,
    SiteProfile,
)
from resolver.settings import RateLimit, ResolverSettings
from resolver.ssrf import AddressGuard
from resolver.stats import ResolverStats

__all__ = [
    "AbuseContact",
    "AddressGuard",
    "BlockedAddressError",
    "Catalogue",
    "CatalogueRefreshError",
    "CdnMatch",
    "DnsRecord",
    "DnsResult",
    "Failure",
    "Hosting",
    "InfraChange",
    "InvalidDomainError",
    "Provider",
    "RateLimit",
    "Registration",
    "Resolver",
    "ResolverError",
    "ResolverSettings",
    "ResolverStats",
    "SiteProfile",
    "detect",
    "diff_profiles",
    "guarded_transport",
    "load_catalogue",
    "registrable_domain",
]
