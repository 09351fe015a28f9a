"""Reading sites with the tenant rule applied: what each caller may see of a site.

The rule: a submitter sees only the sites its association submitted, and only its own submissions
and evidence on them; operators and admins see everything. A site the caller may not see is "not
found", never "forbidden", so its existence does not leak.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.base import table_of
from cases.errors import NotFoundError
from cases.infra.services import site_infrastructure, site_timeline
from cases.intake.models import EvidenceItem, Submission
from cases.intake.schemas import EvidencePublic, SubmissionDetail
from cases.messages import said
from cases.pagination import Page, decode_cursor, encode_cursor
from cases.portfolio.schemas import DomainPublic, SiteDetail, SiteFilters, SiteSummary
from cases.sites.models import Domain, Site, SiteContentType, SiteLanguage
from cases.tenants.models import Association
from cases.tenants.services import Principal
from cases.works.models import Work
from cases.works.queries import work_titles

# Core tables: the page query is plain SQL, so SQLAlchemy skips its ORM layer (a third of the CPU
# of a page request).
_SITE = table_of(Site)
_SUBMISSION = table_of(Submission)
_SITE_LANGUAGE = table_of(SiteLanguage)
_SITE_CONTENT_TYPE = table_of(SiteContentType)
_DOMAIN = table_of(Domain)
_ASSOCIATION = table_of(Association)


def _visible_sites(principal: Principal) -> sa.ColumnElement[bool]:
    """The tenant filter on ``site``: true for every site the caller may see."""
    if principal.sees_everything:
        return sa.true()
    return sa.exists().where(
        _SUBMISSION.c.site_id == _SITE.c.id,
        _SUBMISSION.c.association_id == principal.association_id,
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Joins the values of one site in a page query. Never inside a language tag, a content type or a
# normalised host name (normalisation refuses whitespace).
_SEPARATOR = "\n"


def _summary_columns() -> list[sa.Label[str | None]]:
    """A site's languages, content types and domains, each joined into one string by the database.

    Selected with the site itself, so a page of 50 sites is one query, not four. Domains carry their
    id (``"12 example.com"``) so that they can be put back in the order they were added.
    """
    return [
        sa.select(sa.func.aggregate_strings(_SITE_LANGUAGE.c.language, _SEPARATOR))
        .where(_SITE_LANGUAGE.c.site_id == _SITE.c.id)
        .scalar_subquery()
        .label("languages"),
        sa.select(sa.func.aggregate_strings(_SITE_CONTENT_TYPE.c.content_type, _SEPARATOR))
        .where(_SITE_CONTENT_TYPE.c.site_id == _SITE.c.id)
        .scalar_subquery()
        .label("content_types"),
        sa.select(
            sa.func.aggregate_strings(sa.cast(_DOMAIN.c.id, sa.String) + " " + _DOMAIN.c.fqdn_unicode, _SEPARATOR)
        )
        .where(_DOMAIN.c.site_id == _SITE.c.id)
        .scalar_subquery()
        .label("domains"),
    ]


@functools.cache
def _summary_query() -> sa.Select[*tuple[Any, ...]]:
    # Built once: building it cost more CPU than running it (statements are immutable; filters
    # make new ones from it).
    return sa.select(
        _SITE.c.id,
        _SITE.c.name,
        _SITE.c.status,
        _SITE.c.first_seen_at,
        _SITE.c.last_seen_at,
        *_summary_columns(),
    )


def _split(joined: str | None) -> list[str]:
    return joined.split(_SEPARATOR) if joined else []


def _domains_in_order(joined: str | None) -> list[str]:
    numbered = [d.split(" ", 1) for d in _split(joined)]
    if len(numbered) > 1:
        numbered.sort(key=lambda d: int(d[0]))
    return [fqdn for _, fqdn in numbered]


def _summaries(rows: Iterable[sa.Row[Any]]) -> list[SiteSummary]:
    out = []
    for row in rows:
        out.append(
            SiteSummary(
                id=row.id,
                name=row.name,
                status=row.status,
                languages=sorted(_split(row.languages)),
                content_types=sorted(_split(row.content_types)),
                domains=_domains_in_order(row.domains),
                first_seen_at=row.first_seen_at,
                last_seen_at=row.last_seen_at,
            )
        )
    return out


def list_sites(
    session: Session, principal: Principal, filters: SiteFilters, cursor: str | None, limit: int
) -> Page[SiteSummary]:
    """A page of sites, newest first (one query: the sites with their tags and domains)."""
    query = _summary_query().where(_visible_sites(principal))
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(_SITE.c.id < after)
    if filters.status:
        query = query.where(_SITE.c.status == filters.status)
    if filters.language:
        query = query.where(
            sa.exists().where(
                _SITE_LANGUAGE.c.site_id == _SITE.c.id, _SITE_LANGUAGE.c.language == filters.language.lower()
            )
        )
    if filters.content_type:
        query = query.where(
            sa.exists().where(
                _SITE_CONTENT_TYPE.c.site_id == _SITE.c.id,
                _SITE_CONTENT_TYPE.c.content_type == filters.content_type,
            )
        )
    if filters.association:
        # Submitters can only name their own association; naming another shows nothing. The id is
        # looked up first (a scalar subquery), so the planner probes (association_id, site_id)
        # instead of joining every submission to its association.
        association_id = (
            sa.select(_ASSOCIATION.c.id).where(_ASSOCIATION.c.name == filters.association).scalar_subquery()
        )
        if not principal.sees_everything:
            # Without this, the visibility rule and the filter together would tell a submitter which
            # of its own sites another association submitted too.
            query = query.where(association_id == principal.association_id)
        query = query.where(
            sa.exists().where(_SUBMISSION.c.site_id == _SITE.c.id, _SUBMISSION.c.association_id == association_id)
        )
    if filters.q:
        pattern = f"%{_like_escape(filters.q.strip().lower())}%"
        query = query.where(
            sa.exists().where(
                _DOMAIN.c.site_id == _SITE.c.id,
                sa.or_(_DOMAIN.c.fqdn.like(pattern, escape="\\"), _DOMAIN.c.fqdn_unicode.like(pattern, escape="\\")),
            )
        )
    rows = list(session.execute(query.order_by(sa.desc(_SITE.c.id)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=_summaries(rows), next_cursor=encode_cursor(rows[-1].id) if more else None)


def summarize(session: Session, sites: Sequence[Site]) -> list[SiteSummary]:
    """Summaries of `sites` with their languages, content types and domains (one query)."""
    ids = [s.id for s in sites]
    if not ids:
        return []
    by_id = {row.id: row for row in session.execute(_summary_query().where(_SITE.c.id.in_(ids)))}
    return _summaries(by_id[i] for i in ids if i in by_id)


def get_visible_site(session: Session, principal: Principal, site_id: int) -> Site:
    """The site, if the caller may see it; otherwise :class:`NotFoundError`."""
    site = session.scalars(sa.select(Site).where(col(Site.id) == site_id, _visible_sites(principal))).first()
    if site is None:
        raise NotFoundError(said("site {site} not found", site=site_id))
    return site


def site_detail(session: Session, principal: Principal, site_id: int) -> SiteDetail:
    """A site with its domains and the submissions and evidence the caller may see."""
    site = get_visible_site(session, principal, site_id)
    summary = summarize(session, [site])[0]
    domain_rows = list(
        session.scalars(sa.select(Domain).where(col(Domain.site_id) == site_id).order_by(col(Domain.id)))
    )
    by_id = {d.id: d.fqdn for d in domain_rows}
    sub_query = (
        sa.select(Submission, col(Association.name))
        .join(Association, col(Association.id) == col(Submission.association_id))
        .where(col(Submission.site_id) == site_id)
        .order_by(col(Submission.id))
    )
    if not principal.sees_everything:
        sub_query = sub_query.where(col(Submission.association_id) == principal.association_id)
    subs = list(session.execute(sub_query))
    evidence: dict[int, list[EvidencePublic]] = defaultdict(list)
    sub_ids = [s.id for s, _ in subs]
    if sub_ids:
        ev_rows = session.execute(
            sa.select(EvidenceItem, col(Work.ref))
            .outerjoin(Work, col(Work.id) == col(EvidenceItem.work_id))
            .where(col(EvidenceItem.submission_id).in_(sub_ids))
            .order_by(col(EvidenceItem.id))
        )
        for ev, ref in ev_rows:
            evidence[ev.submission_id].append(
                EvidencePublic(id=ev.id or 0, url=ev.url, work_ref=ref, note=ev.note, captured_at=ev.captured_at)
            )
    return SiteDetail(
        **summary.model_dump(),
        infrastructure=site_infrastructure(session, site_id),
        timeline=site_timeline(session, site_id),
        domain_details=[
            DomainPublic(
                id=d.id or 0,
                fqdn=d.fqdn,
                fqdn_unicode=d.fqdn_unicode,
                registrable_domain=d.registrable_domain,
                is_ip=d.is_ip,
                status=d.status,
                redirects_to=by_id.get(d.redirects_to_id) if d.redirects_to_id else None,
                first_seen_at=d.first_seen_at,
                last_seen_at=d.last_seen_at,
            )
            for d in domain_rows
        ],
        submissions=[
            SubmissionDetail(
                id=s.id or 0,
                association=name,
                source_ref=s.source_ref,
                via=s.via,
                site_id=s.site_id,
                created_at=s.created_at,
                evidence_count=len(evidence[s.id or 0]),
                evidence=evidence[s.id or 0],
            )
            for s, name in subs
        ],
    )


def evidence_work_titles(session: Session, evidence_ids: Sequence[int]) -> dict[int, str]:
    """The display title of the work each evidence item names (its first title, else its ref), by item id."""
    if not evidence_ids:
        return {}
    rows = session.execute(
        sa.select(col(EvidenceItem.id), col(EvidenceItem.work_id)).where(
            col(EvidenceItem.id).in_(sorted(set(evidence_ids))), col(EvidenceItem.work_id).is_not(None)
        )
    ).all()
    titles = work_titles(session, [work_id for _, work_id in rows])
    return {item_id: titles[work_id] for item_id, work_id in rows if work_id in titles}
