"""A small data set for the published tables: twelve sites of three languages over 37 months.

Every number is written out here so the tests can compute the tables by hand: each site's central
visits in the report month are its ``visits``; a year before, half of it; two years before, a
quarter; three years before, an eighth (constant within each year counted back from the report
month). The band is half and twice the central value. Some sites have no audience breakdown at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction, utcnow
from cases.sites.models import Domain, Site, SiteContentType, SiteLanguage
from cases.traffic.schemas import CountryShare, EstimateIn
from cases.traffic.services import record_estimate
from exporters.config import MetricsSettings
from exporters.figures.calendar import Month, zone

MONTHS = 37
METRICS = MetricsSettings(timezone="UTC", market="JP", top_sites=8, top_per_group=4)
M = 1_000_000.0


@dataclass(frozen=True)
class Published:
    name: str
    language: str
    content_type: str
    #: central visits in the report month
    visits: float
    #: audience shares (empty: unknown)
    countries: dict[str, float]

    def central(self, years_back: int) -> float:
        return self.visits / 2**years_back


SITES = [
    Published("mangaraw.test", "ja", "manga", 40 * M, {"JP": 0.9, "US": 0.05}),
    Published("rawkuma.test", "ja", "manga", 30 * M, {"JP": 0.8, "KR": 0.1}),
    Published("hidden-ja.test", "ja", "manga", 11 * M, {}),
    Published("smallraw.test", "ja", "manga", 5 * M, {"JP": 0.7, "TW": 0.2}),
    Published("mangafire.test", "en", "manga", 120 * M, {"US": 0.4, "GB": 0.1, "PH": 0.1, "JP": 0.05}),
    Published("animejp.test", "en", "anime", 20 * M, {"JP": 0.45, "US": 0.3}),
    Published("scans.test", "en", "manga", 60 * M, {"US": 0.5, "CA": 0.1}),
    Published("en-unknown.test", "en", "film", 8 * M, {}),
    Published("truyenqq.test", "vi", "manga", 100 * M, {"VN": 0.98, "US": 0.01}),
    Published("nettruyen.test", "vi", "manga", 80 * M, {"VN": 0.96, "JP": 0.02}),
    Published("blogtruyen.test", "vi", "manga", 33 * M, {"VN": 0.95}),
    Published("vi-unknown.test", "vi", "manga", 20 * M, {}),
]


def by_name(name: str) -> Published:
    return next(s for s in SITES if s.name == name)


def report_month(now: dt.datetime | None = None) -> Month:
    """The last complete month (UTC)."""
    return Month.containing(now or utcnow(), zone("UTC")).shift(-1)


def build(url: str, month: Month) -> None:
    """The sites and 37 months of estimates ending with `month`, in the migrated store at `url`."""
    factory = session_factory(make_engine(url))
    actor = Actor("test:published")
    months = month.span(MONTHS)
    first_seen = months[0].start.astimezone(dt.UTC) - dt.timedelta(days=10)
    with transaction(factory) as session:
        for spec in SITES:
            site = Site(name=spec.name, first_seen_at=first_seen)
            session.add(site)
            session.flush()
            site_id = site.id or 0
            session.add(
                Domain(
                    site_id=site_id,
                    fqdn=spec.name,
                    fqdn_unicode=spec.name,
                    registrable_domain=spec.name,
                    first_seen_at=first_seen,
                )
            )
            session.add(SiteLanguage(site_id=site_id, language=spec.language))
            session.add(SiteContentType(site_id=site_id, content_type=spec.content_type))
            for k, m in enumerate(months):
                c = spec.central((MONTHS - 1 - k) // 12)
                record_estimate(
                    session,
                    actor,
                    site_id,
                    EstimateIn(
                        month=m.label,
                        visits_low=c * 0.5,
                        visits_central=c,
                        visits_high=c * 2,
                        countries=[CountryShare(country=code, share=share) for code, share in spec.countries.items()],
                        sources=["traffic-api"],
                    ),
                )
