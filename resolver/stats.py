"""What a :class:`~resolver.Resolver` did, as plain numbers.

The resolver exports no metrics itself (it is a standalone library); a caller reads
:meth:`Resolver.stats` before and after a batch and turns the difference into whatever it keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class ResolverStats:
    """Cumulative counts since the resolver was made."""

    dns_queries: int = 0
    rdap_requests: int = 0
    whois_requests: int = 0
    #: RDAP (domain, network) and Team Cymru lookups answered from the cache / that had to ask
    cache_hits: int = 0
    cache_misses: int = 0
    #: requests that waited for our own per-server limiter, and for how long
    local_waits: int = 0
    local_wait_seconds: float = 0.0
    #: waits a server asked for (429 with Retry-After), and for how long
    server_waits: int = 0
    server_wait_seconds: float = 0.0

    def __sub__(self, other: ResolverStats) -> ResolverStats:
        """What happened between `other` (earlier) and this snapshot."""
        return ResolverStats(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})
