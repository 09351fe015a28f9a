"""The crawl job: crawl a site's current domain, then store the crawl, its hop and the works found.

Everything a crawl learns is written in one transaction (with the scheduler's next due time, when
the scheduler runs it), so a crawl killed half-way stores nothing and simply runs again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from cases.audit.services import Actor, updated
from cases.audit.services import record as audit
from cases.counters.services import add_counts
from cases.crawls.models import WorkFound
from cases.crawls.schemas import CrawlIn, MatchIn
from cases.crawls.services import record_crawl, record_works_found
from cases.db import transaction, utcnow
from cases.errors import NotFoundError
from cases.infra.services import add_event
from cases.intake.services import adopt_found_works
from cases.sites.models import Domain, DomainStatus
from cases.sites.services import attach_domain, legitimate_destination
from cases.takedown.drafting import draft_first_notices
from cases.works.queries import every_title
from common.hosts import NormalizationError, normalize_host
from common.text import UnsafeTextError, normalize_url
from crawlers.config import CrawlerSettings
from crawlers.crawl import CrawlOutcome, crawl_site
from crawlers.extract import site_of
from crawlers.works import FoundText, SoughtTitle, match_titles
from piratewatch.jobs.counts import crawl_counts
from piratewatch.jobs.families import link_families

#: Called inside the transaction that stores the crawl (the scheduler sets the next due time).
OnStored = Callable[[Session, int], None]


@dataclass
class CrawlSummary:
    """What one crawl job did."""

    site_id: int
    start_url: str
    crawl_id: int | None = None
    ok: bool = False
    hop_to: str | None = None
    #: how the hop was announced: http-301, http-302, meta-refresh, js, notice
    hop_via: str | None = None
    works_found: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    #: family proposals made or confirmed by this crawl
    families: list[int] = field(default_factory=list)
    #: notices drafted for the works this crawl found
    notices_drafted: int = 0
    #: (association id, URL) of each match this crawl stored for the first time, in the order found
    new_matches: list[tuple[int, str]] = field(default_factory=list)
    #: the captures made of those URLs after the crawl was stored (see ``Services.crawl``), one per URL
    captures: list[Any] = field(default_factory=list)


def crawl_domain(session: Session, site_id: int) -> Domain:
    """The domain a site is crawled at: the newest active one (a hop's target is where it lives now)."""
    domain = session.scalars(
        sa.select(Domain)
        .where(col(Domain.site_id) == site_id, col(Domain.is_ip).is_(False))
        .order_by(sa.case((col(Domain.status) == DomainStatus.ACTIVE, 0), else_=1), sa.desc(col(Domain.first_seen_at)))
        .limit(1)
    ).first()
    if domain is None:
        raise NotFoundError(f"site {site_id} has no domain to crawl")
    return domain


def crawl_in(outcome: CrawlOutcome, domain_id: int, started: dt.datetime) -> CrawlIn:
    """The store's view of a crawl child's profile (a failed child is a failed crawl, still recorded)."""
    p = outcome.profile
    problems = list(p.get("problems", []))
    if outcome.error:
        problems.append({"kind": "crawl-failed", "url": outcome.start_url, "detail": outcome.error[-500:]})
    return CrawlIn(
        domain_id=domain_id,
        started_at=dt.datetime.fromisoformat(p["started_at"]) if "started_at" in p else started,
        finished_at=dt.datetime.fromisoformat(p["finished_at"]) if "finished_at" in p else utcnow(),
        start_url=outcome.start_url,
        final_url=p.get("final_url"),
        ok=bool(p.get("ok")),
        title=(p.get("title") or None) and str(p["title"])[:500],
        language=(p.get("language") or None) and str(p["language"])[:35],
        catalogue_titles=p.get("catalogue_titles"),
        catalogue_chapters=p.get("catalogue_chapters"),
        title_urls=p.get("title_urls", []),
        view_counters=p.get("view_counters", {}),
        analytics_ids=p.get("analytics_ids", []),
        ad_networks=p.get("ad_networks", []),
        payment_links=p.get("payment_links", []),
        favicon_sha256=p.get("favicon_sha256"),
        mirror_links=p.get("mirror_links", []),
        redirects=p.get("redirects", []),
        pages=int(p.get("pages", 0)),
        bytes_read=int(p.get("bytes_read", 0)),
        problems=problems,
    )


def hop_via(hops: list[dict[str, str]], fqdn: str) -> str | None:
    """How the home page left `fqdn`'s registrable domain: the first hop that crossed to another one."""
    own = site_of(fqdn)
    for hop in hops:
        target = site_of(urlsplit(hop.get("to", "")).hostname or "")
        if target and target != own:
            return hop.get("via") or None
    return None


def record_hop(
    session: Session, actor: Actor, domain: Domain, final_url: str | None, via: str | None = None
) -> str | None:
    """A home page that ended on another registrable domain is a hop: the new domain joins the site.

    Every kind of hop (HTTP or meta-refresh redirect, JavaScript redirect, "we moved" notice) is the
    same ``redirects_to_domain`` event on the timeline; the audit trail keeps how it was announced.
    """
    final_host = urlsplit(final_url or "").hostname or ""
    if not final_host or site_of(final_host) == site_of(domain.fqdn):
        return None
    try:
        host = normalize_host(final_host)
    except NormalizationError:
        return None
    if legitimate_destination(session, host):
        # the domain now forwards to a rights holder's own site (seized or given up): a takedown, not a hop
        add_event(session, domain.site_id, domain.id, "redirects_to_legitimate_site", domain.fqdn, host.fqdn)
        return None
    target, _ = attach_domain(session, actor, domain.site_id, host, via="crawler")
    if domain.redirects_to_id != target.id:
        audit(
            session,
            actor,
            [
                updated("domain", domain.id or 0, "redirects_to", domain.redirects_to_id, target.fqdn),
                updated("domain", domain.id or 0, "status", domain.status, DomainStatus.REDIRECTING.value),
                *([updated("domain", domain.id or 0, "redirects_via", None, via)] if via else []),
            ],
        )
        domain.redirects_to_id = target.id
        domain.status = DomainStatus.REDIRECTING
        add_event(session, domain.site_id, domain.id, "redirects_to_domain", domain.fqdn, target.fqdn)
    if target.site_id != domain.site_id:
        add_event(session, domain.site_id, domain.id, "linked_to_other_site", None, str(target.site_id))
    return target.fqdn


def crawl_and_record(
    factory: sessionmaker[Session],
    config: CrawlerSettings,
    site_id: int,
    actor: Actor,
    on_stored: OnStored | None = None,
) -> CrawlSummary:
    """Crawl the site now and store what was found (blocking: the crawl runs in a child process)."""
    with factory() as session:
        domain = crawl_domain(session, site_id)
        domain_id, host = domain.id or 0, domain.fqdn
        sought = [SoughtTitle(*row) for row in every_title(session)]
    url = config.start_url_template.format(host=host)
    started = utcnow()
    outcome = crawl_site(url, config, config.host_overrides)
    crawl = crawl_in(outcome, domain_id, started)
    found = [
        FoundText(t["url"], t["text"], t["sha256"], tuple(t.get("names", ())))
        for t in outcome.profile.get("titles_found", [])
    ]
    matches = match_titles(found, sought, config.match_threshold)
    summary = CrawlSummary(site_id, url, ok=crawl.ok, problems=crawl.problems)
    with transaction(factory) as session:
        row = record_crawl(session, actor, site_id, crawl)
        summary.crawl_id = row.id
        current = session.get(Domain, domain_id)
        if current is not None and crawl.ok:
            summary.hop_via = hop_via(outcome.profile.get("hops", []), current.fqdn)
            summary.hop_to = record_hop(session, actor, current, crawl.final_url, summary.hop_via)
            if summary.hop_to is None:
                summary.hop_via = None
            current.last_seen_at = row.finished_at
        stored = [
            MatchIn(
                work_id=m.work_id,
                association_id=m.association_id,
                url=page_url,
                title_found=m.title_found,
                title_matched=m.title_matched,
                score=m.score,
                captured_at=row.finished_at,
                content_sha256=m.content_sha256,
            )
            for m in matches
            if (page_url := _safe_url(m.url)) is not None
        ]
        summary.works_found = record_works_found(session, actor, site_id, row.id, stored)
        summary.new_matches = _new_matches(session, site_id, row.id) if summary.works_found else []
        # An association whose works were found here but never submitted the site gets a submission
        # of its own, so that it sees the site its notices are about (the one tenant rule).
        adopt_found_works(session, actor, site_id, host, [(m.association_id, m.work_id, m.url) for m in stored])
        summary.families = [p.id or 0 for p in link_families(session, actor, site_id, config.family_merge_confidence)]
        add_counts(session, crawl_counts(crawl))
        if summary.works_found:
            # new evidence: associations get a notice for it at the site's first ladder step
            summary.notices_drafted = len(draft_first_notices(session, actor, site_id))
        if on_stored is not None:
            on_stored(session, site_id)
    return summary


def _new_matches(session: Session, site_id: int, crawl_id: int | None) -> list[tuple[int, str]]:
    """The matches first stored by this crawl (a known one keeps the crawl that found it first);
    by site first, which an index serves."""
    query = (
        sa.select(col(WorkFound.association_id), col(WorkFound.url))
        .where(col(WorkFound.site_id) == site_id, col(WorkFound.crawl_id) == crawl_id)
        .order_by(col(WorkFound.id))
    )
    return [(int(a), str(u)) for a, u in session.execute(query)]


def _safe_url(url: str) -> str | None:
    """A crawled page's URL as stored and notified (normalised), or None where it cannot be one."""
    try:
        return normalize_url(url)
    except UnsafeTextError:
        return None
