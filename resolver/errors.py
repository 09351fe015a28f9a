"""Every exception the resolver lets a caller see. Most problems are data, not exceptions: they are
recorded as failures on the profile instead::

    ResolverError
    ├── InvalidDomainError        the argument is not a host name under a public suffix (also a ValueError)
    ├── CdnCatalogueRefreshError  a provider's published list is empty or shrank too much
    ├── BlockedAddressError       an address the SSRF guard refuses (not public, not allow-listed)
    └── RdapFormatError           an RDAP answer without the shape RFC 9083 gives it (also a ValueError;
                                  recorded as a failure, not raised past the resolver)
"""

from __future__ import annotations


class ResolverError(Exception):
    """Base of the exceptions the resolver raises to its caller."""


class InvalidDomainError(ResolverError, ValueError):
    """Raised by :meth:`Resolver.resolve` when the argument is not a host name with a public suffix."""


class CdnCatalogueRefreshError(ResolverError):
    """Raised by the CDN catalogue's refresh when a published list is empty or shrank too much."""


class BlockedAddressError(ResolverError):
    """Raised by :meth:`AddressGuard.check` when an address is not public and not allow-listed."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"refusing to connect to {address}: {reason}")
        self.address = address
        self.reason = reason


class RdapFormatError(ResolverError, ValueError):
    """Raised when an RDAP answer does not have the shape RFC 9083 gives it."""
