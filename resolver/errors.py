"""The resolver's exceptions. Most problems are recorded as failures on the profile instead."""

from __future__ import annotations

from resolver.ssrf import BlockedAddressError


class ResolverError(Exception):
    """Base of the exceptions the resolver raises to its caller."""


class InvalidDomainError(ResolverError, ValueError):
    """Raised by :meth:`Resolver.resolve` when the argument is not a host name with a public suffix."""


class CatalogueRefreshError(ResolverError):
    """Raised by the provider refresh when a published list is empty or shrank too much."""


__all__ = ["BlockedAddressError", "CatalogueRefreshError", "InvalidDomainError", "ResolverError"]
