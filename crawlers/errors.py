"""Every exception the crawlers let a caller see. A crawl's problems (a page over its size, a blocked
address, a redirect loop) are recorded in the crawl's outcome, not raised::

    CrawlerError
    └── TrafficApiError   the traffic API answered something other than data or "unknown site"
"""

from __future__ import annotations


class CrawlerError(Exception):
    """The root of the crawlers' exceptions."""


class TrafficApiError(CrawlerError):
    """Raised by :class:`TrafficApiClient` when the API answers something other than data or 404."""
