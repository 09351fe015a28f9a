"""What the figures need to know of each site besides its estimate: name, status, languages, content types,
and the share of its catalogue that is the associations' works.

Read in one query and passed around: a report computes thirteen months of figures, and the
collector every scrape, from one read of the sites rather than one per month.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.crawls.models import SiteCrawl, WorkFound
from cases.sites.models import Site, SiteContentType, SiteLanguage
from exporters.figures.languages import normalise_content_type, normalise_language
from exporters.figures.model import OTHER, UNDETERMINED_LANGUAGE


@dataclass(frozen=True)
class SiteAttributes:
    """What the figures need to know of one site besides its estimate."""

    name: str
    status: str
    languages: tuple[str, ...]
    content_types: tuple[str, ...]


@dataclass
class SiteFacts:
    """Every site's attributes, read once (a report computes thirteen months from one read)."""

    sites: dict[int, SiteAttributes] = field(default_factory=dict)
    #: per site, the share of its catalogue that is the associations' works (absent: unknown)
    content_shares: dict[int, float] = field(default_factory=dict)


def content_shares(session: Session) -> dict[int, float]:
    """Per site, distinct works found on it ÷ the catalogue titles of its newest crawl that counted them.

    The share of a site's visits that concern the associations' works is taken to be the share of
    its titles that are theirs (every title read as often as any other). A site with no sitemap
    count (or a count of 0) has no share: the damage model prices it at the coefficients' fallback.
    More works found than titles counted (a sitemap that lists only part) caps the share at 1.
    """
    newest = (
        sa.select(
            col(SiteCrawl.site_id),
            col(SiteCrawl.catalogue_titles),
            sa.func.row_number()
            .over(
                partition_by=col(SiteCrawl.site_id),
                order_by=[col(SiteCrawl.started_at).desc(), col(SiteCrawl.id).desc()],
            )
            .label("n"),
        )
        .where(col(SiteCrawl.catalogue_titles).is_not(None), col(SiteCrawl.catalogue_titles) > 0)
        .subquery()
    )
    found = (
        sa.select(col(WorkFound.site_id), sa.func.count(sa.distinct(col(WorkFound.work_id))).label("works"))
        .group_by(col(WorkFound.site_id))
        .subquery()
    )
    rows = session.connection().execute(
        sa.select(newest.c.site_id, newest.c.catalogue_titles, sa.func.coalesce(found.c.works, 0))
        .outerjoin(found, found.c.site_id == newest.c.site_id)
        .where(newest.c.n == 1)
    )
    return {site_id: min(1.0, works / titles) for site_id, titles, works in rows}


def load_site_facts(session: Session) -> SiteFacts:
    """Names, statuses, languages and content types of every site (one query), and the content shares (one)."""
    languages = (
        sa.select(col(SiteLanguage.site_id), sa.func.aggregate_strings(col(SiteLanguage.language), "\t").label("tags"))
        .group_by(col(SiteLanguage.site_id))
        .subquery()
    )
    types = (
        sa.select(
            col(SiteContentType.site_id),
            sa.func.aggregate_strings(col(SiteContentType.content_type), "\t").label("tags"),
        )
        .group_by(col(SiteContentType.site_id))
        .subquery()
    )
    rows = session.connection().execute(
        sa.select(col(Site.id), col(Site.name), col(Site.status), languages.c.tags, types.c.tags)
        .outerjoin(languages, languages.c.site_id == col(Site.id))
        .outerjoin(types, types.c.site_id == col(Site.id))
    )
    site_facts = SiteFacts()
    for site_id, name, status, site_languages, site_types in rows:
        site_facts.sites[site_id] = SiteAttributes(
            name=name,
            status=str(status),
            languages=tuple(sorted({normalise_language(t) for t in (site_languages or "").split("\t") if t}))
            or (UNDETERMINED_LANGUAGE,),
            content_types=tuple(sorted({normalise_content_type(t) for t in (site_types or "").split("\t") if t}))
            or (OTHER,),
        )
    site_facts.content_shares = content_shares(session)
    return site_facts
