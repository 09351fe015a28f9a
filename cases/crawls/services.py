"""Recording crawls and works found (each with its audit event)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.audit.services import Actor, created, record
from cases.base import table_of
from cases.crawls.models import SiteCrawl, WorkFound
from cases.crawls.schemas import CrawlIn, MatchIn
from cases.errors import NotFoundError
from cases.messages import said
from cases.sites.models import Site
from cases.sqlutil import insert_ignore, one_of
from common.keys import url_key


def previous_crawl(session: Session, site_id: int) -> SiteCrawl | None:
    """The newest successful crawl of the site."""
    return session.scalars(
        sa.select(SiteCrawl)
        .where(col(SiteCrawl.site_id) == site_id, col(SiteCrawl.ok).is_(True))
        .order_by(sa.desc(col(SiteCrawl.started_at)), sa.desc(col(SiteCrawl.id)))
        .limit(1)
    ).first()


def record_crawl(session: Session, actor: Actor, site_id: int, crawl: CrawlIn) -> SiteCrawl:
    """Store one crawl of `site_id`; catalogue growth is counted against the previous crawl."""
    if session.get(Site, site_id) is None:
        raise NotFoundError(said("site {site} not found", site=site_id))
    before = previous_crawl(session, site_id)
    growth = None
    if before is not None and before.catalogue_titles is not None and crawl.catalogue_titles is not None:
        growth = crawl.catalogue_titles - before.catalogue_titles
    row = SiteCrawl(
        site_id=site_id,
        **crawl.model_dump(),
        catalogue_growth=growth,
        views_total=sum(crawl.view_counters.values()) if crawl.view_counters else None,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    record(
        session,
        actor,
        [
            created(
                "site_crawl",
                row.id,
                {"site_id": site_id, "ok": row.ok, "pages": row.pages, "catalogue_titles": row.catalogue_titles},
            )
        ],
    )
    return row


def record_works_found(
    session: Session, actor: Actor, site_id: int, crawl_id: int | None, matches: Sequence[MatchIn]
) -> int:
    """Store matches not stored before (same work and URL: kept once); returns how many are new."""
    rows: list[dict[str, Any]] = [
        {
            "association_id": m.association_id,
            "work_id": m.work_id,
            "site_id": site_id,
            "crawl_id": crawl_id,
            "url": m.url,
            "url_sha256": url_key(m.url),
            "title_found": m.title_found[:500],
            "title_matched": m.title_matched[:500],
            "score": m.score,
            "captured_at": m.captured_at,
            "content_sha256": m.content_sha256,
        }
        for m in matches
    ]
    if not rows:
        return 0
    keys = [r["url_sha256"] for r in rows]
    known = {
        (work_id, key)
        for work_id, key in session.execute(
            sa.select(col(WorkFound.work_id), col(WorkFound.url_sha256)).where(
                one_of(session, col(WorkFound.url_sha256), keys)
            )
        )
    }
    fresh = [r for r in rows if (r["work_id"], r["url_sha256"]) not in known]
    insert_ignore(session, table_of(WorkFound), fresh, ["work_id", "url_sha256"])
    record(
        session,
        actor,
        [
            created(
                "work_found",
                f"{r['work_id']}:{str(r['url_sha256'])[:16]}",
                {"site_id": site_id, "url": r["url"], "score": r["score"]},
            )
            for r in fresh
        ],
    )
    return len(fresh)
