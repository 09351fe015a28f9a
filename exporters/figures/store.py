"""A month's figures, computed from the store.

Rules (``docs/reports.md`` explains them):

- A site's visits for a month are its newest estimate for that month; merged sites are left out
  (their traffic is counted under the site they joined).
- A site in n languages counts 1/n of its visits in each language, and likewise for content types,
  so every table adds up to the total.
- Audience countries are the estimate's top five and ``other``; a remainder of the shares counts as
  ``other``; a site with no breakdown counts as ``unknown``.
- Label sets stay bounded: languages and countries beyond the largest ``max_languages`` and
  ``max_countries`` are summed as ``other``; sites get figures of their own only when they are among
  the top N by visits, the top N by visits from the market, or the top K of a language or content type.
- Events are counted in the month's calendar window, in its time zone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.audit.models import AuditEvent
from cases.infra.models import InfraEvent, ResolutionSnapshot
from cases.sites.models import Domain, Site, SiteContentType, SiteLanguage, SiteStatus
from cases.takedown.models import Notice, NoticeState
from cases.traffic.models import TrafficEstimate
from exporters.figures.calendar import Month
from exporters.figures.languages import home_country, normalise_content_type, normalise_language
from exporters.figures.model import (
    MONTH_EVENTS,
    OTHER,
    UNDETERMINED_LANGUAGE,
    UNKNOWN_COUNTRY,
    Band,
    MonthFigures,
    SiteFigures,
)

SOURCE_KINDS = frozenset({"traffic-api", "counters", "rank"})
#: infrastructure changes that count as a move of host (a domain's first resolution does not)
HOST_CHANGE_KINDS = ("new_host", "new_cdn", "cdn_gone")
CLOSED_STATUSES = (SiteStatus.CLOSED.value, SiteStatus.SEIZED.value)
GONE_DOMAIN_STATUSES = ("seized", "expired", "unreachable")
# Shares that add up to 1 within this are taken as complete (the estimators round them).
_SHARE_SLACK = 1e-9


@dataclass(frozen=True)
class FigureRules:
    """How many sites, languages and countries get figures of their own, and which market is "domestic"."""

    top_sites: int = 200
    top_per_group: int = 10
    max_languages: int = 50
    max_countries: int = 60
    market: str = "JP"


@dataclass(frozen=True)
class SiteAttributes:
    """What the figures need to know of one site besides its estimate."""

    name: str
    status: str
    languages: tuple[str, ...]
    content_types: tuple[str, ...]


@dataclass
class Catalogue:
    """Every site's attributes, read once (a report computes thirteen months from one read)."""

    sites: dict[int, SiteAttributes] = field(default_factory=dict)


def load_catalogue(session: Session) -> Catalogue:
    """Names, statuses, languages and content types of every site."""
    languages: dict[int, set[str]] = defaultdict(set)
    for site_id, language in session.execute(sa.select(col(SiteLanguage.site_id), col(SiteLanguage.language))):
        languages[site_id].add(normalise_language(language))
    content_types: dict[int, set[str]] = defaultdict(set)
    for site_id, content_type in session.execute(
        sa.select(col(SiteContentType.site_id), col(SiteContentType.content_type))
    ):
        content_types[site_id].add(normalise_content_type(content_type))
    catalogue = Catalogue()
    for site_id, name, status in session.execute(sa.select(col(Site.id), col(Site.name), col(Site.status))):
        catalogue.sites[site_id] = SiteAttributes(
            name=name,
            status=str(status),
            languages=tuple(sorted(languages.get(site_id, ()))) or (UNDETERMINED_LANGUAGE,),
            content_types=tuple(sorted(content_types.get(site_id, ()))) or (OTHER,),
        )
    return catalogue


def audience_shares(raw: Iterable[Mapping[str, Any]] | None) -> dict[str, float]:
    """An estimate's country shares, cleaned: codes upper-cased, the remainder as ``other``."""
    shares: dict[str, float] = {}
    for entry in raw or ():
        code = str(entry.get("country", "")).strip()
        try:
            share = float(entry.get("share") or 0.0)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(share) or share <= 0:
            continue
        key = code.upper() if len(code) == 2 and code.isalpha() else OTHER
        shares[key] = shares.get(key, 0.0) + share
    if not shares:
        return {UNKNOWN_COUNTRY: 1.0}
    total = sum(shares.values())
    if total > 1 + _SHARE_SLACK:
        return {k: v / total for k, v in shares.items()}
    if total < 1 - _SHARE_SLACK:
        shares[OTHER] = shares.get(OTHER, 0.0) + (1.0 - total)
    return shares


@dataclass(frozen=True)
class _Estimate:
    visits: Band
    countries: dict[str, float]
    sources: tuple[str, ...]


def _source_kind(source: str) -> str:
    kind = str(source).split(":", 1)[0]
    return kind if kind in SOURCE_KINDS else OTHER


def current_estimates(session: Session, month: str) -> dict[int, _Estimate]:
    """Each site's newest estimate of `month` (merged sites left out)."""
    ranked = (
        sa.select(
            col(TrafficEstimate.site_id),
            col(TrafficEstimate.visits_low),
            col(TrafficEstimate.visits_central),
            col(TrafficEstimate.visits_high),
            col(TrafficEstimate.countries),
            col(TrafficEstimate.sources),
            sa.func.row_number()
            .over(
                partition_by=col(TrafficEstimate.site_id),
                order_by=[col(TrafficEstimate.computed_at).desc(), col(TrafficEstimate.id).desc()],
            )
            .label("n"),
        )
        .where(col(TrafficEstimate.month) == month)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            ranked.c.site_id,
            ranked.c.visits_low,
            ranked.c.visits_central,
            ranked.c.visits_high,
            ranked.c.countries,
            ranked.c.sources,
        )
        .join(Site, col(Site.id) == ranked.c.site_id)
        .where(ranked.c.n == 1, col(Site.status) != SiteStatus.MERGED.value)
    )
    return {
        site_id: _Estimate(
            Band(float(low), float(central), float(high)),
            audience_shares(countries),
            tuple(sorted({_source_kind(s) for s in sources or ()})),
        )
        for site_id, low, central, high, countries, sources in rows
    }


def _top(values: Mapping[int, float], n: int) -> list[int]:
    """The `n` keys with the largest values (ties: the smaller site id first); zeros left out."""
    ranked = sorted((k for k, v in values.items() if v > 0), key=lambda k: (-values[k], k))
    return ranked[:n]


def _capped(acc: Mapping[str, Band], keep: int, always: Iterable[str] = ()) -> dict[str, Band]:
    """`acc` with every key beyond the `keep` largest (by central visits) summed into ``other``."""
    fixed = set(always)
    ranked = sorted((k for k in acc if k not in fixed and k != OTHER), key=lambda k: (-acc[k].central, k))
    kept = set(ranked[:keep]) | (fixed & set(acc))
    out: dict[str, Band] = {}
    for key in sorted(acc):
        target = key if key in kept else OTHER
        out[target] = out.get(target, Band()) + acc[key]
    return out


def _window(month: Month) -> tuple[dt.datetime, dt.datetime]:
    return month.start.astimezone(dt.UTC), month.end.astimezone(dt.UTC)


def month_events(session: Session, month: Month) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """The month's events over all sites, and per site."""
    start, end = _window(month)
    totals: Counter[str] = Counter()
    per_site: dict[int, Counter[str]] = defaultdict(Counter)

    def within(column: Any) -> sa.ColumnElement[bool]:
        return sa.and_(column >= start, column < end)

    totals["sites_new"] = int(
        session.execute(
            sa.select(sa.func.count()).select_from(Site).where(within(col(Site.first_seen_at)))
        ).scalar_one()
    )
    closed = {
        int(entity_id)
        for (entity_id,) in session.execute(
            sa.select(col(AuditEvent.entity_id))
            .where(
                col(AuditEvent.entity_type) == "site",
                col(AuditEvent.field) == "status",
                col(AuditEvent.new_value).in_(CLOSED_STATUSES),
                within(col(AuditEvent.at)),
            )
            .distinct()
        )
        if str(entity_id).isdigit()
    }
    totals["sites_closed"] = len(closed)
    for site_id in closed:
        per_site[site_id]["closed"] = 1

    hops = [
        site_id
        for (site_id,) in session.execute(
            sa.select(col(InfraEvent.site_id)).where(
                col(InfraEvent.kind) == "redirects_to_domain", within(col(InfraEvent.at))
            )
        )
    ]
    totals["domain_hops"] = len(hops)
    totals["sites_hopped"] = len(set(hops))
    for site_id in hops:
        per_site[site_id]["domain_hops"] += 1

    earlier = (
        sa.select(col(ResolutionSnapshot.id))
        .where(
            col(ResolutionSnapshot.domain_id) == col(InfraEvent.domain_id),
            col(ResolutionSnapshot.resolved_at) < col(InfraEvent.at),
        )
        .exists()
    )
    for (site_id,) in session.execute(
        sa.select(col(InfraEvent.site_id)).where(
            col(InfraEvent.kind).in_(HOST_CHANGE_KINDS), within(col(InfraEvent.at)), earlier
        )
    ):
        totals["host_changes"] += 1
        per_site[site_id]["host_changes"] += 1

    gone: set[tuple[int, int]] = set()
    for site_id, domain_id, addresses in session.execute(
        sa.select(col(InfraEvent.site_id), col(InfraEvent.domain_id), col(ResolutionSnapshot.addresses))
        .join(ResolutionSnapshot, col(ResolutionSnapshot.id) == col(InfraEvent.snapshot_id))
        .where(col(InfraEvent.kind) == "ip_gone", within(col(InfraEvent.at)))
    ):
        if not addresses and domain_id is not None:  # the domain stopped resolving altogether
            gone.add((site_id, domain_id))
    set_gone = [
        int(entity_id)
        for (entity_id,) in session.execute(
            sa.select(col(AuditEvent.entity_id)).where(
                col(AuditEvent.entity_type) == "domain",
                col(AuditEvent.field) == "status",
                col(AuditEvent.new_value).in_(GONE_DOMAIN_STATUSES),
                within(col(AuditEvent.at)),
            )
        )
        if str(entity_id).isdigit()
    ]
    if set_gone:
        gone |= {
            (site_id, domain_id)
            for domain_id, site_id in session.execute(
                sa.select(col(Domain.id), col(Domain.site_id)).where(col(Domain.id).in_(set_gone))
            )
        }
    totals["domains_gone"] = len({domain_id for _, domain_id in gone})
    for site_id, _ in gone:
        per_site[site_id]["domains_gone"] += 1

    for (site_id,) in session.execute(sa.select(col(Notice.site_id)).where(within(col(Notice.sent_at)))):
        totals["notices_sent"] += 1
        per_site[site_id]["notices_sent"] += 1
    for (site_id,) in session.execute(
        sa.select(col(Notice.site_id)).where(
            col(Notice.state) == NoticeState.ACTIONED.value, within(col(Notice.closed_at))
        )
    ):
        totals["notices_actioned"] += 1
        per_site[site_id]["notices_actioned"] += 1
    return dict(totals), {site_id: dict(c) for site_id, c in per_site.items()}


def month_figures(
    session: Session, month: Month, rules: FigureRules, catalogue: Catalogue | None = None
) -> MonthFigures:
    """The figures of `month` as the store knows them now."""
    catalogue = catalogue or load_catalogue(session)
    estimates = current_estimates(session, month.label)
    total = Band()
    languages: dict[str, Band] = {}
    language_home: dict[str, Band] = {}
    language_located: dict[str, Band] = {}
    audience: dict[tuple[str, str], Band] = {}
    by_source: Counter[str] = Counter()
    central: dict[int, float] = {}
    from_market: dict[int, float] = {}
    by_language_members: dict[str, dict[int, float]] = defaultdict(dict)
    by_type_members: dict[str, dict[int, float]] = defaultdict(dict)
    for site_id in sorted(estimates):
        estimate = estimates[site_id]
        attributes = catalogue.sites.get(site_id)
        if attributes is None:  # a site created after the catalogue was read
            continue
        visits, shares = estimate.visits, estimate.countries
        total = total + visits
        by_source.update(estimate.sources)
        central[site_id] = visits.central
        from_market[site_id] = visits.central * shares.get(rules.market, 0.0)
        language_weight = 1.0 / len(attributes.languages)
        for language in attributes.languages:
            part = visits.scaled(language_weight)
            languages[language] = languages.get(language, Band()) + part
            home = home_country(language)
            if home is not None:
                language_home[language] = language_home.get(language, Band()) + part.scaled(shares.get(home, 0.0))
            if UNKNOWN_COUNTRY not in shares:
                language_located[language] = language_located.get(language, Band()) + part
            by_language_members[language][site_id] = visits.central
        type_weight = 1.0 / len(attributes.content_types)
        for content_type in attributes.content_types:
            for country, share in sorted(shares.items()):
                key = (content_type, country)
                audience[key] = audience.get(key, Band()) + visits.scaled(type_weight * share)
            by_type_members[content_type][site_id] = visits.central

    by_language = _capped(languages, rules.max_languages)
    by_language_home = {k: v for k, v in language_home.items() if k in by_language}
    # the base of each home share: only languages with a home country need it
    by_language_located = {k: language_located.get(k, Band()) for k in by_language_home}

    country_totals: dict[str, Band] = {}
    for (_, country), band in sorted(audience.items()):
        country_totals[country] = country_totals.get(country, Band()) + band
    kept = set(_capped(country_totals, rules.max_countries, always=(UNKNOWN_COUNTRY, rules.market)))
    capped_audience: dict[tuple[str, str], Band] = {}
    for (content_type, country), band in sorted(audience.items()):
        key = (content_type, country if country in kept else OTHER)
        capped_audience[key] = capped_audience.get(key, Band()) + band

    chosen = set(_top(central, rules.top_sites)) | set(_top(from_market, rules.top_sites))
    # Only languages with series of their own get their top sites exported: languages are free text.
    groups = [m for lang, m in by_language_members.items() if lang in by_language and lang != OTHER]
    for members in [*groups, *by_type_members.values()]:
        chosen |= set(_top(members, rules.top_per_group))
    events, site_events = month_events(session, month)
    sites = [
        SiteFigures(
            site_id=site_id,
            name=catalogue.sites[site_id].name,
            status=catalogue.sites[site_id].status,
            languages=catalogue.sites[site_id].languages,
            content_types=catalogue.sites[site_id].content_types,
            sources=estimates[site_id].sources,
            visits=estimates[site_id].visits,
            countries=dict(sorted(estimates[site_id].countries.items())),
            events=dict(sorted(site_events.get(site_id, {}).items())),
        )
        for site_id in sorted(chosen, key=lambda s: (-central[s], s))
    ]
    return MonthFigures(
        month=month.label,
        timezone=str(month.tz.key),
        market=rules.market,
        top_sites=rules.top_sites,
        top_per_group=rules.top_per_group,
        max_languages=rules.max_languages,
        max_countries=rules.max_countries,
        sites_estimated=len(central),
        sites_by_source=dict(sorted(by_source.items())),
        total=total,
        by_language=by_language,
        by_language_home=dict(sorted(by_language_home.items())),
        by_language_located=dict(sorted(by_language_located.items())),
        audience=capped_audience,
        sites=sites,
        events={name: events.get(name, 0) for name in MONTH_EVENTS},
    )
