"""What every table of visits shares: a band as three columns and three cells, and the source caption.

Every number of the report's tables is *visits* (sessions, not users) or money derived from visits,
with its band; shares and changes are fractions in the CSV files and percentages in the HTML. One
place for these parts, so that every table names its band columns and states its sources the same way.
"""

from __future__ import annotations

from exporters.figures.model import Band, MonthFigures
from exporters.reports.i18n import t
from exporters.reports.table import Column


def band_columns(prefix: str, heading: str, **args: str) -> list[Column]:
    """A band's three columns (low, central, high), named `prefix`_… under the group heading `heading`
    (a catalogue message, its placeholders filled from `args`)."""
    return [
        Column(f"{prefix}_low", "low", "visits", heading, dict(args)),
        Column(f"{prefix}_central", "central", "visits", heading, dict(args)),
        Column(f"{prefix}_high", "high", "visits", heading, dict(args)),
    ]


def band_cells(band: Band | None) -> list[float | None]:
    """A band's three cells; three empty cells when there is no band."""
    return [band.low, band.central, band.high] if band is not None else [None, None, None]


def source_note(figures: MonthFigures) -> str:
    """Which sources the month's estimates come from, for every caption."""
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(figures.sites_by_source.items())) or t("none")
    return t(
        "Visits (sessions), not users. Source: piratewatch traffic estimates for {month} ({sites} sites; by "
        "source: {kinds}); band low–high from the estimates.",
        month=figures.month,
        sites=figures.sites_estimated,
        kinds=kinds,
    )
