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
  the top N by visits, the top N by visits from the market, the top N of the sites mainly for the
  market (:mod:`exporters.figures.markets`), or the top K of a language or content type.
- Events are counted in the month's calendar window, in its time zone.

This module adds the visits up and joins them with the events; what it adds up is read by its
siblings: the sites' attributes by :mod:`exporters.figures.site_facts`, their estimates by
:mod:`exporters.figures.estimates`, the month's events by :mod:`exporters.figures.events`.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from exporters.figures.calendar import Month
from exporters.figures.estimates import ParseCache, current_estimates
from exporters.figures.events import month_events
from exporters.figures.languages import home_country
from exporters.figures.markets import classify
from exporters.figures.model import (
    MONTH_EVENTS,
    OTHER,
    SHARE_KNOWN,
    SHARE_UNKNOWN,
    UNKNOWN_COUNTRY,
    Band,
    MonthFigures,
    SiteFigures,
    WorkVisits,
)
from exporters.figures.site_facts import SiteFacts, load_site_facts


@dataclass(frozen=True)
class FigureRules:
    """How many sites, languages and countries get figures of their own, and which market is "domestic"."""

    top_sites: int = 200
    top_per_group: int = 10
    max_languages: int = 50
    max_countries: int = 60
    market: str = "JP"


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


def _work_bands(
    acc: Mapping[tuple[str, str, str, str], list[float]], kept: set[str]
) -> dict[tuple[str, str, str, str], WorkVisits]:
    out: dict[tuple[str, str, str, str], WorkVisits] = {}
    for (content_type, country, share, distribution), v in sorted(acc.items()):
        key = (content_type, country if country in kept else OTHER, share, distribution)
        cell = WorkVisits(Band(*v[0:3]), Band(*v[3:6]), Band(*v[6:9]))
        out[key] = out[key] + cell if key in out else cell
    return out


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
    audience: dict[str, dict[str, list[float]]] = {}  # content type -> country -> band
    works: dict[tuple[str, str, str], dict[str, list[float]]] = {}  # (type, share, distribution) -> country -> cell
    source_kinds: Counter[tuple[str, ...]] = Counter()  # per set of source kinds: sets repeat over sites
    central: dict[int, float] = {}
    from_market: dict[int, float] = {}
    for_market: dict[int, float] = {}  # visits of the sites mainly for the market (the report's market table)
    by_language_members: dict[str, dict[int, float]] = defaultdict(dict)
    by_type_members: dict[str, dict[int, float]] = defaultdict(dict)
    homes: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}  # each language with its home country
    market = rules.market
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
        source_kinds[estimate.sources] += 1
        central[site_id] = mid
        from_market[site_id] = mid * shares.get(market, 0.0)
        # the market rules run once per (audience, languages) seen, not once per site and month
        basis, distribution = classify(estimate.reading(), attributes.languages, market)
        if basis is not None:
            for_market[site_id] = mid
        located = UNKNOWN_COUNTRY not in shares
        weight = 1.0 / len(attributes.languages)
        site_homes = homes.get(attributes.languages)
        if site_homes is None:
            site_homes = homes[attributes.languages] = [(lang, home_country(lang)) for lang in attributes.languages]
        for language, home in site_homes:
            part = (low * weight, mid * weight, high * weight)
            _add(languages, language, *part)
            if home is not None:
                share = shares.get(home, 0.0)
                _add(language_home, language, part[0] * share, part[1] * share, part[2] * share)
            if located:
                _add(language_located, language, *part)
            by_language_members[language][site_id] = mid
        weight = 1.0 / len(attributes.content_types)
        content_share = site_facts.content_shares.get(site_id)
        share_key = SHARE_UNKNOWN if content_share is None else SHARE_KNOWN
        work_factor = 1.0 if content_share is None else content_share
        seconds = None if estimate.minutes_per_visit is None else estimate.minutes_per_visit * 60.0
        for content_type in attributes.content_types:
            # per content type (and cell), dicts keyed by country: no key tuple built per country and site
            by_country = audience.get(content_type)
            if by_country is None:
                by_country = audience[content_type] = {}
            cells_key = (content_type, share_key, distribution)
            cells = works.get(cells_key)
            if cells is None:
                cells = works[cells_key] = {}
            for country, share in shares.items():  # in country order (audience_shares)
                factor = weight * share
                acc = by_country.get(country)
                if acc is None:
                    by_country[country] = [low * factor, mid * factor, high * factor]
                else:  # inline: this runs a million times for a year of 10,000 sites
                    acc[0] += low * factor
                    acc[1] += mid * factor
                    acc[2] += high * factor
                # the damage model's cell: visits times the content share, and the measured visit-seconds
                # (nine floats: visits, timed visits, timed seconds; each low, central, high)
                wf = factor * work_factor
                lw, mw, hw = low * wf, mid * wf, high * wf
                cell = cells.get(country)
                if cell is None:
                    cell = cells[country] = [0.0] * 9
                cell[0] += lw
                cell[1] += mw
                cell[2] += hw
                if seconds is not None:
                    cell[3] += lw
                    cell[4] += mw
                    cell[5] += hw
                    cell[6] += lw * seconds
                    cell[7] += mw * seconds
                    cell[8] += hw * seconds
            by_type_members[content_type][site_id] = mid
    by_source: Counter[str] = Counter()
    for kinds, count in source_kinds.items():
        for kind in kinds:
            by_source[kind] += count

    by_language = _capped(_bands(languages), rules.max_languages)
    by_language_home = {k: v for k, v in _bands(language_home).items() if k in by_language}
    # the base of each home share: only languages with a home country need it
    located_bands = _bands(language_located)
    by_language_located = {k: located_bands.get(k, Band()) for k in by_language_home}

    audience_bands = _bands({(t, c): v for t, by_country in audience.items() for c, v in by_country.items()})
    country_totals: dict[str, Band] = {}
    for (_, country), band in sorted(audience_bands.items()):
        country_totals[country] = country_totals.get(country, Band()) + band
    kept = set(_capped(country_totals, rules.max_countries, always=(UNKNOWN_COUNTRY, rules.market)))
    capped_audience: dict[tuple[str, str], Band] = {}
    for (content_type, country), band in sorted(audience_bands.items()):
        key = (content_type, country if country in kept else OTHER)
        capped_audience[key] = capped_audience.get(key, Band()) + band
    work_visits = _work_bands(
        {(t, c, share, d): v for (t, share, d), cells in works.items() for c, v in cells.items()}, kept
    )

    chosen = set(_top(central, rules.top_sites)) | set(_top(from_market, rules.top_sites))
    chosen |= set(_top(for_market, rules.top_sites))
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
        work_visits=work_visits,
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
