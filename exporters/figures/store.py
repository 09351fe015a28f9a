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
import heapq
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
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


def audience_shares(raw: Iterable[Mapping[str, Any]] | None) -> dict[str, float]:
    """An estimate's country shares, cleaned: codes upper-cased, the remainder as ``other``."""
    shares: dict[str, float] = {}
    for entry in raw or ():
        try:
            share = float(entry.get("share") or 0.0)
        except (TypeError, ValueError, AttributeError):
            continue
        if not share > 0 or share == math.inf:  # also drops NaN
            continue
        code = entry.get("country")
        key = code.upper() if isinstance(code, str) and len(code) == 2 and code.isalpha() else OTHER
        shares[key] = shares.get(key, 0.0) + share
    if not shares:
        return {UNKNOWN_COUNTRY: 1.0}
    total = sum(shares.values())
    if total > 1 + _SHARE_SLACK:
        shares = {k: v / total for k, v in shares.items()}
    elif total < 1 - _SHARE_SLACK:
        shares[OTHER] = shares.get(OTHER, 0.0) + (1.0 - total)
    return dict(sorted(shares.items()))  # in country order: sums over countries always run the same way


@dataclass(frozen=True)
class _Estimate:
    visits: Band
    countries: dict[str, float]
    sources: tuple[str, ...]


def _source_kind(source: str) -> str:
    kind = str(source).split(":", 1)[0]
    return kind if kind in SOURCE_KINDS else OTHER


class ParseCache:
    """Estimates' JSON as text, parsed once per distinct text (a report reads thirteen months of them).

    Source lists repeat across nearly every site, and a site's audience often repeats from one
    month to the next: reading the columns as text and keeping what each text parsed to avoids
    most of the JSON decoding and share cleaning.
    """

    def __init__(self) -> None:
        self.shares: dict[str, dict[str, float]] = {}
        self.kinds: dict[str, tuple[str, ...]] = {}

    def shares_of(self, text: str | None) -> dict[str, float]:
        key = text or ""
        found = self.shares.get(key)
        if found is None:
            found = self.shares[key] = audience_shares(_json_list(text))
        return found

    def kinds_of(self, text: str | None) -> tuple[str, ...]:
        key = text or ""
        found = self.kinds.get(key)
        if found is None:
            found = self.kinds[key] = tuple(sorted({_source_kind(s) for s in _json_list(text)}))
        return found


def _json_list(text: str | None) -> list[Any]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def current_estimates(session: Session, month: str, cache: ParseCache | None = None) -> dict[int, _Estimate]:
    """Each site's newest estimate of `month` (merged sites left out)."""
    cache = cache or ParseCache()
    ranked = (
        sa.select(
            col(TrafficEstimate.site_id),
            col(TrafficEstimate.visits_low),
            col(TrafficEstimate.visits_central),
            col(TrafficEstimate.visits_high),
            # as text on both stores (JSONB arrives parsed otherwise): parsed once per distinct text
            sa.cast(col(TrafficEstimate.countries), sa.Text).label("countries"),
            sa.cast(col(TrafficEstimate.sources), sa.Text).label("sources"),
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
    rows = session.connection().execute(
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
            Band(float(low), float(central), float(high)), cache.shares_of(countries), cache.kinds_of(sources)
        )
        for site_id, low, central, high, countries, sources in rows
    }


def _top(values: Mapping[int, float], n: int) -> list[int]:
    """The `n` keys with the largest values (ties: the smaller site id first); zeros left out."""
    return [k for _, k in heapq.nsmallest(n, ((-v, k) for k, v in values.items() if v > 0))]


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


def _bands(acc: dict[Any, list[float]]) -> dict[Any, Band]:
    return {k: Band(v[0], v[1], v[2]) for k, v in acc.items()}


def _add(acc: dict[Any, list[float]], key: Any, low: float, central: float, high: float) -> None:
    found = acc.get(key)
    if found is None:
        acc[key] = [low, central, high]
    else:
        found[0] += low
        found[1] += central
        found[2] += high


def visit_figures(
    session: Session,
    month: Month,
    rules: FigureRules,
    site_facts: SiteFacts | None = None,
    cache: ParseCache | None = None,
) -> MonthFigures:
    """The month's visits, the exported sites and their attributes: everything but the events."""
    site_facts = site_facts or load_site_facts(session)
    estimates = current_estimates(session, month.label, cache)
    total = [0.0, 0.0, 0.0]
    languages: dict[str, list[float]] = {}
    language_home: dict[str, list[float]] = {}
    language_located: dict[str, list[float]] = {}
    audience: dict[tuple[str, str], list[float]] = {}
    by_source: Counter[str] = Counter()
    central: dict[int, float] = {}
    from_market: dict[int, float] = {}
    by_language_members: dict[str, dict[int, float]] = defaultdict(dict)
    by_type_members: dict[str, dict[int, float]] = defaultdict(dict)
    # Plain float lists in the loop (10,000 sites x 6 countries): Band objects only at the end.
    for site_id in sorted(estimates):
        estimate = estimates[site_id]
        attributes = site_facts.sites.get(site_id)
        if attributes is None:  # a site created after the site facts were read
            continue
        low, mid, high = estimate.visits.low, estimate.visits.central, estimate.visits.high
        shares = estimate.countries
        total[0] += low
        total[1] += mid
        total[2] += high
        by_source.update(estimate.sources)
        central[site_id] = mid
        from_market[site_id] = mid * shares.get(rules.market, 0.0)
        located = UNKNOWN_COUNTRY not in shares
        weight = 1.0 / len(attributes.languages)
        for language in attributes.languages:
            part = (low * weight, mid * weight, high * weight)
            _add(languages, language, *part)
            home = home_country(language)
            if home is not None:
                share = shares.get(home, 0.0)
                _add(language_home, language, part[0] * share, part[1] * share, part[2] * share)
            if located:
                _add(language_located, language, *part)
            by_language_members[language][site_id] = mid
        weight = 1.0 / len(attributes.content_types)
        for content_type in attributes.content_types:
            for country, share in shares.items():  # in country order (audience_shares)
                factor = weight * share
                key = (content_type, country)
                acc = audience.get(key)
                if acc is None:
                    audience[key] = [low * factor, mid * factor, high * factor]
                else:  # inline: this runs a million times for a year of 10,000 sites
                    acc[0] += low * factor
                    acc[1] += mid * factor
                    acc[2] += high * factor
            by_type_members[content_type][site_id] = mid

    by_language = _capped(_bands(languages), rules.max_languages)
    by_language_home = {k: v for k, v in _bands(language_home).items() if k in by_language}
    # the base of each home share: only languages with a home country need it
    located_bands = _bands(language_located)
    by_language_located = {k: located_bands.get(k, Band()) for k in by_language_home}

    audience_bands = _bands(audience)
    country_totals: dict[str, Band] = {}
    for (_, country), band in sorted(audience_bands.items()):
        country_totals[country] = country_totals.get(country, Band()) + band
    kept = set(_capped(country_totals, rules.max_countries, always=(UNKNOWN_COUNTRY, rules.market)))
    capped_audience: dict[tuple[str, str], Band] = {}
    for (content_type, country), band in sorted(audience_bands.items()):
        key = (content_type, country if country in kept else OTHER)
        capped_audience[key] = capped_audience.get(key, Band()) + band

    chosen = set(_top(central, rules.top_sites)) | set(_top(from_market, rules.top_sites))
    # Only languages with series of their own get their top sites exported: languages are free text.
    groups = [m for lang, m in by_language_members.items() if lang in by_language and lang != OTHER]
    for members in [*groups, *by_type_members.values()]:
        chosen |= set(_top(members, rules.top_per_group))
    sites = [
        SiteFigures(
            site_id=site_id,
            name=site_facts.sites[site_id].name,
            status=site_facts.sites[site_id].status,
            languages=site_facts.sites[site_id].languages,
            content_types=site_facts.sites[site_id].content_types,
            sources=estimates[site_id].sources,
            visits=estimates[site_id].visits,
            countries=dict(sorted(estimates[site_id].countries.items())),
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
        total=Band(total[0], total[1], total[2]),
        by_language=by_language,
        by_language_home=dict(sorted(by_language_home.items())),
        by_language_located=dict(sorted(by_language_located.items())),
        audience=capped_audience,
        sites=sites,
        events={},
    )


def with_events(
    figures: MonthFigures, totals: Mapping[str, int], per_site: Mapping[int, Mapping[str, int]]
) -> MonthFigures:
    """`figures` with the month's events, over all sites and on each exported site."""
    return replace(
        figures,
        events={name: totals.get(name, 0) for name in MONTH_EVENTS},
        sites=[replace(s, events=dict(sorted(per_site.get(s.site_id, {}).items()))) for s in figures.sites],
    )


def month_figures(
    session: Session,
    month: Month,
    rules: FigureRules,
    site_facts: SiteFacts | None = None,
    cache: ParseCache | None = None,
) -> MonthFigures:
    """The figures of `month` as the store knows them now."""
    return with_events(visit_figures(session, month, rules, site_facts, cache), *month_events(session, month))
