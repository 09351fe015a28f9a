"""Multi-year comparisons: the report month against the same month one, two and three years before.

The published series ("monthly accesses to the top 10 sites for Japan, about 120 M a month, and its
trend over years"; "damage five times 2019") compare one month's figures across years. For each of
those months the table gives the visits to all sites, to the market's top N (that month's own top N)
and to each large language's top N, each with its ratio to a year before and to a base year (the
oldest month shown, or the one asked for). Months the source has no figures for show as missing.
"""

from __future__ import annotations

from collections.abc import Mapping

from exporters.figures.model import OTHER, MonthFigures
from exporters.reports.history import YEARS_BACK, History
from exporters.reports.i18n import current as lang
from exporters.reports.i18n import t
from exporters.reports.numbers import language_name
from exporters.reports.site_lists import market_sites
from exporters.reports.table import Cell, Column, Table
from exporters.reports.visit_columns import source_note


def _language_top(figures: MonthFigures, language: str, count: int) -> float:
    members = sorted(
        (s for s in figures.sites if language in s.languages), key=lambda s: (-s.visits.central, s.site_id)
    )
    return sum(s.visits.central for s in members[:count])


def _ratio(now: float | None, before: float | None) -> float | None:
    return now / before if now is not None and before else None


def years_table(
    history: History,
    top_sites: int,
    per_language: int,
    per_language_by: Mapping[str, int],
    languages: int = 3,
    base_year: int | None = None,
) -> Table:
    """The same month over up to four years: all sites, the market's top N, each large language's top N."""
    current = history.current
    shown = [k for k in sorted(current.by_language, key=lambda k: (-current.by_language[k].central, k)) if k != OTHER]
    groups: list[tuple[str, str, int]] = [
        ("all", t("all sites"), 0),
        ("market", t("top {n} for {market}", n=top_sites, market=current.market), top_sites),
    ]
    for language in shown[:languages]:
        count = per_language_by.get(language, per_language)
        groups.append((language, t("top {n}, {language}", n=count, language=language_name(language, lang())), 0))
    months = [history.month.shift(-12 * k) for k in range(YEARS_BACK, -1, -1)]
    present = [m for m in months if history.figures.get(m.label) is not None]
    base = next((m for m in present if base_year is not None and m.year == base_year), present[0] if present else None)
    columns = [Column("month", "month")]
    for key, heading, _ in groups:
        columns += [
            Column(f"{key}_visits", "visits", "visits", heading),
            Column(f"{key}_vs_year_before", "× year before", "ratio", heading),
            Column(f"{key}_vs_base", "× {month}", "ratio", heading, {"month": base.label if base else "–"}),
        ]
    table = Table(
        "years",
        t("{month} against the same month of earlier years", month=current.month),
        source_note(current)
        + " "
        + t(
            "Each month's own top lists. Ratios: × the same month a year before, and × the base month {base}; – when "
            "that month has no figures.",
            base=base.label if base else t("(none)"),
        ),
        columns,
    )

    def values(figures: MonthFigures | None) -> dict[str, float | None]:
        if figures is None:
            return {key: None for key, _, _ in groups}
        out: dict[str, float | None] = {
            "all": figures.total.central,
            "market": sum(s.visits.central for s in market_sites(figures)[:top_sites]),
        }
        for key, _, _ in groups[2:]:
            out[key] = _language_top(figures, key, per_language_by.get(key, per_language))
        return out

    base_values = values(history.figures.get(base.label) if base else None)
    for month in months:
        now = values(history.figures.get(month.label))
        before = values(history.figures.get(month.shift(-12).label))
        row: list[Cell] = [month.label]
        for key, _, _ in groups:
            row += [now[key], _ratio(now[key], before[key]), _ratio(now[key], base_values[key])]
        table.rows.append(row)
    missing = [m.label for m in months if m not in present]
    if missing:
        table.notes.append(
            t("No figures for {months}: the store or Prometheus holds no estimates then.", months=", ".join(missing))
        )
    return table
