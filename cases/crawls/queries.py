"""Reading crawls, works found and the catalogue to match, with the tenant rule applied."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.crawls.models import SiteCrawl, WorkFound
from cases.crawls.schemas import CrawlPublic, WorkFoundPublic
from cases.tenants.services import Principal
from cases.works.models import Work


def crawl_public(row: SiteCrawl) -> CrawlPublic:
    """The API view of a stored crawl."""
    return CrawlPublic.model_validate(row, from_attributes=True)


def site_crawls(session: Session, site_id: int, limit: int = 20) -> list[CrawlPublic]:
    """The site's newest crawls, newest first."""
    rows = session.scalars(
        sa.select(SiteCrawl)
        .where(col(SiteCrawl.site_id) == site_id)
        .order_by(sa.desc(col(SiteCrawl.started_at)), sa.desc(col(SiteCrawl.id)))
        .limit(limit)
    )
    return [crawl_public(r) for r in rows]


def works_found(session: Session, principal: Principal, site_id: int) -> list[WorkFoundPublic]:
    """Works matched on the site: a submitter sees only its own association's works."""
    query = (
        sa.select(WorkFound, col(Work.ref))
        .join(Work, col(Work.id) == col(WorkFound.work_id))
        .where(col(WorkFound.site_id) == site_id)
        .order_by(col(WorkFound.id))
    )
    if not principal.sees_everything:
        query = query.where(col(WorkFound.association_id) == principal.association_id)
    return [
        WorkFoundPublic(
            id=w.id or 0,
            work_ref=ref,
            url=w.url,
            title_found=w.title_found,
            title_matched=w.title_matched,
            score=w.score,
            captured_at=w.captured_at,
            content_sha256=w.content_sha256,
        )
        for w, ref in session.execute(query)
    ]
