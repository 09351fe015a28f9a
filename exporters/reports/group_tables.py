"""The report's tables of visits by group: by site language (with its largest sites), audience country, content type.

They share one shape (:func:`_group_table`: each group's visits, share of the total, change on the
month before and on a year before), so they live together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from exporters.figures.languages import home_country
from exporters.figures.model import OTHER, UNKNOWN_COUNTRY, Band, MonthFigures
from exporters.reports.history import History, top3_share
from exporters.reports.i18n import t
from exporters.reports.table import UNKNOWN, Column, Kind, Table, change, names
from exporters.reports.visit_columns import band_cells, band_columns, source_note


def _ordered(groups: dict[str, Band]) -> list[str]:
    return sorted(groups, key=lambda k: (k == OTHER, -groups[k].central, k))


def _group_table(
    history: History,
    slug: str,
    title: str,
    key: str,
    groups_of: Callable[[MonthFigures], dict[str, Band]],
    extra: Sequence[Column] = (),
    key_kind: Kind = "text",
) -> Table:
    current = history.current
    columns = [
        Column(key, key.replace("_", " "), key_kind),  # the heading is a catalogue message
        *extra,
        *band_columns("visits", "visits"),
        Column("share", "share of all visits", "share"),
        Column("mom_change", "change on previous month", "change"),
        Column("yoy_change", "change on a year before", "change"),
    ]
    table = Table(slug, t(title), source_note(current), columns)

    def groups(figures: MonthFigures | None) -> dict[str, Band]:
        return groups_of(figures) if figures is not None else {}

    now, before, year_ago = groups(current), groups(history.get(1)), groups(history.get(12))
    total = current.total.central
    for name in _ordered(now):
        band = now[name]
        table.rows.append(
            [
                name,
                *[None] * len(extra),
                *band_cells(band),
                band.central / total if total else None,
                change(band.central, before[name].central if name in before else None),
                change(band.central, year_ago[name].central if name in year_ago else None),
            ]
        )
    return table


def language_table(history: History) -> Table:
    """Visits by site language, with each language's home-country (domestic) share and top-3 concentration."""
    current = history.current
    table = _group_table(
        history,
        "by_language",
        "Visits by site language",
        "language",
        lambda f: f.by_language,
        key_kind="language",
        extra=[
            Column("home_country", "home country", "country"),
            Column("home_share", "share from the home country", "share"),
            Column("top3_share", "top-3 share", "share"),
        ],
    )
    table.caption += " " + t(
        "A site in n languages counts 1/n of its visits in each. Domestic share: visits from the language's home"
        " country over the language's visits whose audience country is known."
    )
    for row in table.rows:
        language = str(row[0])
        band = current.by_language.get(language, Band())
        home = current.by_language_home.get(language)
        located = current.by_language_located.get(language, Band())
        members = [s for s in current.sites if language in s.languages]
        weight = {s.site_id: 1.0 / len(s.languages) for s in members}
        row[1] = home_country(language) or ""
        if home is not None:
            # a language with a home country whose sites' audiences are all unknown: unknown, not 0 %
            row[2] = home.central / located.central if located.central else UNKNOWN
        row[3] = top3_share(members, band.central, weight) if language != OTHER else None
        unknown = [s.name for s in members if UNKNOWN_COUNTRY in s.countries] if row[1] else []
        if unknown:
            table.notes.append(
                t(
                    "{language}: left out of the domestic share, audience countries unknown: {sites} (among the "
                    "exported sites).",
                    language=language,
                    sites=names(unknown),
                )
            )
    return table


def country_table(history: History) -> Table:
    """Visits by audience country."""
    table = _group_table(
        history, "by_country", "Visits by audience country", "country", MonthFigures.by_country, key_kind="country"
    )
    table.caption += " " + t(
        "Countries are each site's top five; `other` is the rest of a site's audience and countries beyond the"
        " exported ones; `unknown` is sites with no country breakdown."
    )
    return table


def content_type_table(history: History) -> Table:
    """Visits by content type."""
    table = _group_table(
        history,
        "by_content_type",
        "Visits by content type",
        "content_type",
        MonthFigures.by_content_type,
        key_kind="term",
    )
    table.caption += " " + t("A site of n content types counts 1/n of its visits in each.")
    return table
