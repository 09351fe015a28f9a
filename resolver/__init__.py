"""Where a site lives: DNS, hosting, CDN, registrar and the abuse channel of each.

A standalone async library (of piratewatch it imports only the shared rules of ``common``)::

    async with Resolver(ResolverSettings(nameservers=["127.0.0.1"], dns_port=5353)) as r:
        profile = await r.resolve("example.com")

Most problems are data, not exceptions: NXDOMAIN, SERVFAIL, timeouts, malformed RDAP answers,
429 storms and blocked addresses become :class:`Failure` entries on the profile. The exceptions
that do reach the caller are drawn in :mod:`resolver.errors` (``ResolverError`` and its children).
"""

from resolver.cdn_catalogue import CdnCatalogue, Provider, detect, load_cdn_catalogue
from resolver.config import RateLimit, ResolverSettings
from resolver.core import Resolver, registrable_domain
from resolver.diff import InfraChange, diff_profiles
from resolver.errors import BlockedAddressError, CdnCatalogueRefreshError, InvalidDomainError, ResolverError
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
from resolver.ssrf import AddressGuard
from resolver.stats import ResolverStats

__all__ = [
    "AbuseContact",
    "AddressGuard",
    "BlockedAddressError",
    "CdnCatalogue",
    "CdnCatalogueRefreshError",
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
    "load_cdn_catalogue",
    "registrable_domain",
]
