"""The report's lists of sites, the tables analysts quote: a market's top sites and each language's top sites.

- **For a market** (the Japanese IP Strategic Program's "top 10 pirate sites for Japan"): the N largest
  sites whose audience is mainly that country (:func:`exporters.figures.markets.market_basis`), their
  whole monthly visits (visits, not users) with the band, and a total row; twelve months of each
  site's visits, and the total of each month's own top N, so the total's trend is the published one.
- **Per language** ("the 3 major Vietnamese-language sites, 97 % from inside Vietnam"): each
  language's N largest sites, then their total and their visit-weighted domestic share (the share
  of their visits from the language's home country, over the listed sites whose audience is known),
  then the language as a whole.

A share that cannot be known (a site with no audience breakdown) is written ``unknown``, never 0;
each table's notes name the sites it leaves out and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from exporters.figures.languages import home_country
from exporters.figures.markets import audience_known, market_basis
from exporters.figures.model import OTHER, Band, MonthFigures, SiteFigures
from exporters.reports.history import TREND_MONTHS, History
from exporters.reports.i18n import t
from exporters.reports.table import UNKNOWN, Cell, Column, Table, names
from exporters.reports.visit_columns import band_cells, band_columns, source_note

_BASIS = {"audience": "audience", "language": "language (audience unknown)"}  # catalogue messages


def _largest(sites: Sequence[SiteFigures]) -> list[SiteFigures]:
    return sorted(sites, key=lambda s: (-s.visits.central, s.site_id))


def market_sites(figures: MonthFigures) -> list[SiteFigures]:
    """The month's exported sites that are mainly for its market, largest first."""
    return _largest([s for s in figures.sites if market_basis(s.countries, s.languages, figures.market)])


def market_top_sites(history: History, count: int) -> list[SiteFigures]:
    """The `count` largest sites mainly for the market in the report month."""
    return market_sites(history.current)[:count]


def _share(site: SiteFigures, country: str | None) -> Cell:
    """The site's share from `country`: None when there is no country to ask about, unknown when unknown."""
    if country is None:
        return None
    return site.countries.get(country, 0.0) if audience_known(site.countries) else UNKNOWN


def _weighted_share(sites: Sequence[SiteFigures], country: str | None) -> Cell:
    """Visit-weighted share from `country` over the sites whose audience is known (unknown when none is)."""
    if country is None:
        return None
    located = [s for s in sites if audience_known(s.countries)]
    base = sum(s.visits.central for s in located)
    if not base:
        return UNKNOWN
    return sum(s.visits_from(country) for s in located) / base


def _sum(sites: Sequence[SiteFigures]) -> Band:
    out = Band()
    for site in sites:
        out = out + site.visits
    return out


def market_table(history: History, count: int) -> Table:
    """The market's top sites with their whole monthly visits, a total row, and twelve months of each."""
    current = history.current
    market = current.market
    months = history.months(TREND_MONTHS)
    candidates = market_sites(current)
    top = candidates[:count]
    columns = [
        Column("rank", "rank", "int"),
        Column("site", "site"),
        Column("languages", "languages", "language"),
        Column("content_types", "content types", "term"),
        Column("sources", "sources"),
        Column("basis", "for {market} by", args={"market": market}),
        Column("market_share", "share of visits from {market}", "share", args={"market": market}),
        *band_columns("visits", "visits, {month}", month=current.month),
        *[Column(f"visits_{m.label}", m.label, "visits", "visits by month (central)") for m in months],
    ]
    title = (
        t("Top {n} sites for {market}: monthly visits (not users)", n=len(top), market=market)
        if len(top) != 1
        else t("Top site for {market}: monthly visits (not users)", market=market)
    )
    table = Table(
        "market_top_sites",
        title,
        source_note(current)
        + " "
        + t(
            "Sites whose audience is mainly {market} (the largest country of their audience; a site with no audience "
            "breakdown when all its languages are mainly spoken in {market}), ranked by all their visits in {month}. "
            "A month shows – when the site was not among the exported sites then; the total row of each month is "
            "that month's own top {count}.",
            market=market,
            month=current.month,
            count=count,
        ),
        columns,
    )
    for rank, site in enumerate(top, start=1):
        series: list[Cell] = []
        for month in months:
            figures = history.figures.get(month.label)
            found = next((s for s in figures.sites if s.site_id == site.site_id), None) if figures else None
            series.append(found.visits.central if found else None)
        table.rows.append(
            [
                rank,
                site.name,
                " ".join(site.languages),
                " ".join(site.content_types),
                " ".join(site.sources),
                t(_BASIS[market_basis(site.countries, site.languages, market) or "audience"]),
                _share(site, market),
                *band_cells(site.visits),
                *series,
            ]
        )
    totals: list[Cell] = []
    for month in months:
        figures = history.figures.get(month.label)
        totals.append(sum(s.visits.central for s in market_sites(figures)[:count]) if figures else None)
    table.add_total(
        [
            "",
            t("total, top {n}", n=len(top)),
            "",
            "",
            "",
            "",
            _weighted_share(top, market),
            *band_cells(_sum(top)),
            *totals,
        ]
    )
    _market_notes(table, current, candidates, top)
    return table


def _market_notes(
    table: Table, current: MonthFigures, candidates: Sequence[SiteFigures], top: Sequence[SiteFigures]
) -> None:
    market = current.market
    listed = {s.site_id for s in candidates}
    if len(candidates) > len(top):
        rest = candidates[len(top) :]
        below = t(
            "Below the top {n}: 1 more site mainly for {market} ({visits} visits)."
            if len(rest) == 1
            else "Below the top {n}: {count} more sites mainly for {market} ({visits} visits).",
            n=len(top),
            count=len(rest),
            market=market,
            visits=f"{sum(s.visits.central for s in rest):,.0f}",
        )
        table.notes.append(below)
    unknown = [s.name for s in _largest(current.sites) if s.site_id not in listed and not audience_known(s.countries)]
    if unknown:
        table.notes.append(
            t(
                "Left out, audience countries unknown and languages not mainly spoken in {market}: {sites}.",
                market=market,
                sites=names(unknown),
            )
        )
    by_language = [s.name for s in top if market_basis(s.countries, s.languages, market) == "language"]
    if by_language:
        table.notes.append(
            t(
                "Counted for {market} by language, their audience countries unknown: {sites}; they are left out of "
                "the total's share from the market.",
                market=market,
                sites=names(by_language),
            )
        )
    elsewhere = [s for s in current.sites if s.site_id not in listed and audience_known(s.countries)]
    reaching = _largest([s for s in elsewhere if s.visits_from(market) > 0])
    if reaching:
        table.notes.append(
            t(
                "Left out, mainly for other countries though visited from {market}: {sites} ({visits} visits from "
                "{market}).",
                market=market,
                sites=names([s.name for s in reaching]),
                visits=f"{sum(s.visits_from(market) for s in reaching):,.0f}",
            )
        )


def language_sites_table(
    history: History, languages: int, per_language: int, per_language_by: Mapping[str, int] | None = None
) -> Table:
    """Each large language's top sites, their total and visit-weighted domestic share, and the whole language."""
    current = history.current
    market = current.market
    lengths = dict(per_language_by or {})
    columns = [
        Column("language", "language", "language"),
        Column("rank", "rank", "int"),
        Column("site", "site"),
        *band_columns("visits", "visits"),
        Column("home_share", "share from the home country", "share"),
        Column("market_share", "share from {market}", "share", args={"market": market}),
    ]
    table = Table(
        "language_top_sites",
        t("The largest sites of each language, their total and domestic share"),
        source_note(current)
        + " "
        + t(
            "Whole sites: a site in several languages is listed under each, with all its visits. The total's shares "
            "are visit-weighted over the listed sites whose audience countries are known. The language's own line "
            "counts a site in n languages 1/n in each. Top lengths: {n} by default{by_language}.",
            n=per_language,
            by_language="".join(f", {k} {v}" for k, v in sorted(lengths.items())),
        ),
        columns,
    )
    shown = [lang for lang in sorted(current.by_language, key=lambda k: (-current.by_language[k].central, k))]
    for language in [lang for lang in shown if lang != OTHER][:languages]:
        count = lengths.get(language, per_language)
        members = _largest([s for s in current.sites if language in s.languages])
        listed = members[:count]
        home = home_country(language)
        for rank, site in enumerate(listed, start=1):
            table.rows.append(
                [language, rank, site.name, *band_cells(site.visits), _share(site, home), _share(site, market)]
            )
        table.add_total(
            [
                language,
                "",
                t("total, top {n}", n=len(listed)),
                *band_cells(_sum(listed)),
                _weighted_share(listed, home),
                _weighted_share(listed, market),
            ]
        )
        band = current.by_language.get(language, Band())
        located = current.by_language_located.get(language, Band())
        home_band = current.by_language_home.get(language)
        whole: Cell = None
        if home is not None:
            whole = home_band.central / located.central if home_band is not None and located.central else UNKNOWN
        table.add_total([language, "", t("all sites of the language"), *band_cells(band), whole, None])
        unknown = [s.name for s in listed if not audience_known(s.countries)]
        if unknown:
            table.notes.append(
                t(
                    "{language}: left out of the total's shares, audience countries unknown: {sites}.",
                    language=language,
                    sites=names(unknown),
                )
            )
    return table
