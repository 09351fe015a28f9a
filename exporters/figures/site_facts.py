"""What the figures need to know of each site besides its estimate: name, status, languages, content types.

Read in one query and passed around: a report computes thirteen months of figures, and the
collector every scrape, from one read of the sites rather than one per month.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col

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


def load_site_facts(session: Session) -> SiteFacts:
    """Names, statuses, languages and content types of every site (one query)."""
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
    return site_facts
