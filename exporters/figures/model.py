"""A month's figures, as plain data both sources of the report produce.

Visits are *visits* (sessions), never people, each with its band: low, central, high.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BANDS = ("low", "central", "high")

#: a site's audience with no country breakdown at all
UNKNOWN_COUNTRY = "unknown"
#: countries outside a site's top five, and countries beyond the exported ones
OTHER = "other"
#: a site with no language given
UNDETERMINED_LANGUAGE = "und"

#: What happened in a month, counted over all sites (and, for the exported sites, per site).
MONTH_EVENTS = (
    "sites_new",  # first seen this month
    "sites_closed",  # an operator set them closed or seized
    "sites_hopped",  # moved to a new domain (a redirect seen by the resolver or a crawl)
    "domain_hops",  # such moves, counted one per domain
    "host_changes",  # a new host or CDN (not a domain's first resolution)
    "domains_gone",  # a domain stopped resolving, or was set seized, expired or unreachable
    "notices_sent",
    "notices_actioned",  # the recipient took the content down
)
#: The same events as they concern one site.
SITE_EVENTS = ("domain_hops", "host_changes", "domains_gone", "notices_sent", "notices_actioned", "closed")


@dataclass(frozen=True)
class Band:
    """Monthly visits with their uncertainty band."""

    low: float = 0.0
    central: float = 0.0
    high: float = 0.0

    def __add__(self, other: Band) -> Band:
        return Band(self.low + other.low, self.central + other.central, self.high + other.high)

    def scaled(self, factor: float) -> Band:
        return Band(self.low * factor, self.central * factor, self.high * factor)

    def get(self, band: str) -> float:
        """The value of one band by name (``low``, ``central``, ``high``)."""
        value: float = getattr(self, band)
        return value


#: whether a site's content share (works found against its catalogue) is known: see :class:`WorkVisits`
SHARE_KNOWN, SHARE_UNKNOWN = "known", "unknown"
CONTENT_SHARES = (SHARE_KNOWN, SHARE_UNKNOWN)


@dataclass(frozen=True)
class WorkVisits:
    """What the damage model needs of a (content type, audience country, content share known?) cell.

    For sites whose content share is known, `visits` are their visits times that share (the visits
    that concern the associations' works); for the others, their whole visits, which the damage
    model multiplies by the coefficients' fallback share. `timed` is the part of `visits` whose
    estimate measured the visit duration, `timed_seconds` the visit-seconds it measured.
    """

    visits: Band = field(default_factory=Band)
    timed: Band = field(default_factory=Band)
    timed_seconds: Band = field(default_factory=Band)

    def __add__(self, other: WorkVisits) -> WorkVisits:
        return WorkVisits(
            self.visits + other.visits, self.timed + other.timed, self.timed_seconds + other.timed_seconds
        )


@dataclass(frozen=True)
class SiteFigures:
    """One exported site's figures for the month."""

    site_id: int
    name: str
    status: str
    languages: tuple[str, ...]
    content_types: tuple[str, ...]
    #: the source kinds of its estimate (``traffic-api``, ``counters``, ``rank``)
    sources: tuple[str, ...]
    visits: Band
    #: audience shares: the top five countries and ``other`` (or ``unknown`` alone)
    countries: dict[str, float]
    #: :data:`SITE_EVENTS` that happened this month (absent: none)
    events: dict[str, int] = field(default_factory=dict)

    def visits_from(self, country: str) -> float:
        """Central visits from `country`."""
        return self.visits.central * self.countries.get(country, 0.0)


@dataclass(frozen=True)
class MonthFigures:
    """Everything the report needs about one month (and what ``/metrics`` exports for the current one)."""

    month: str
    timezone: str
    market: str
    #: the exporter's selection rules, so a reader knows which sites it may find in ``sites``
    top_sites: int
    top_per_group: int
    max_languages: int
    max_countries: int
    #: sites with an estimate this month, in all and by source kind
    sites_estimated: int
    sites_by_source: dict[str, int]
    total: Band
    #: a site in several languages counts 1/n of its visits in each (so the rows add up to the total)
    by_language: dict[str, Band]
    #: visits of each language's sites from the language's home country (``ja``: JP, ``vi``: VN, ...)
    by_language_home: dict[str, Band]
    #: visits of those languages' sites whose audience countries are known (the base of the home share)
    by_language_located: dict[str, Band]
    #: visits by (content type, audience country); a site of n content types counts 1/n in each
    audience: dict[tuple[str, str], Band]
    #: the exported sites, largest first
    sites: list[SiteFigures]
    events: dict[str, int]
    #: the damage model's inputs, by (content type, audience country, :data:`CONTENT_SHARES`, the site's
    #: distribution type: :data:`exporters.figures.markets.DISTRIBUTIONS`); empty for figures written
    #: before they existed (then :meth:`damage_inputs` derives them from `audience`)
    work_visits: dict[tuple[str, str, str, str], WorkVisits] = field(default_factory=dict)

    def damage_inputs(self) -> dict[tuple[str, str, str, str], WorkVisits]:
        """`work_visits`, or, when the figures have none, every visit with an unknown share, duration and type."""
        if self.work_visits:
            return self.work_visits
        return {
            (ct, country, SHARE_UNKNOWN, "unknown"): WorkVisits(band)
            for (ct, country), band in sorted(self.audience.items())
        }

    def by_country(self) -> dict[str, Band]:
        """Visits by audience country (summed over content types, in a fixed order)."""
        out: dict[str, Band] = {}
        for (_, country), band in sorted(self.audience.items()):
            out[country] = out.get(country, Band()) + band
        return out

    def by_content_type(self) -> dict[str, Band]:
        """Visits by content type (summed over countries, in a fixed order)."""
        out: dict[str, Band] = {}
        for (content_type, _), band in sorted(self.audience.items()):
            out[content_type] = out.get(content_type, Band()) + band
        return out
