"""The chart of the multi-year comparison: each series of the years table against its base month.

The series differ by orders of magnitude (all sites against a language's top three), so the chart
draws each as a multiple of its own value in the base month (the table's ``× base`` column): every
line starts from the same 1 at the base, and "five times 2019" reads off the axis. The visits
themselves are in the table beside it and on each point's tooltip.

Drawn here as plain SVG (a few lines and labels; no chart library needed, nothing fetched), from
the table's own cells, so the chart cannot disagree with the table. Each point carries its values
(``data-series``, ``data-month``, ``data-ratio``, ``data-visits``) for readers and tests.
"""

from __future__ import annotations

import math
from html import escape

from exporters.reports.charts import Chart
from exporters.reports.i18n import current, t
from exporters.reports.numbers import visits_text
from exporters.reports.table import Cell, Table

_WIDTH, _HEIGHT = 720, 340
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 230, 48, 48  # the right margin holds the series' names
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
_FONTS = 'system-ui, "DejaVu Sans", "Noto Sans CJK JP", "Noto Sans JP", sans-serif'


def _number(cell: Cell) -> float | None:
    """A cell's number (None for no value: a month without figures, a ratio without a base)."""
    if isinstance(cell, int | float) and math.isfinite(cell):
        return float(cell)
    return None


def _series(table: Table) -> list[tuple[str, str, list[float | None], list[float | None]]]:
    """Per group of the table: its key, its heading, and per month its ratio to the base and its visits."""
    out = []
    for column in table.columns:
        if not column.name.endswith("_vs_base"):
            continue
        key = column.name.removesuffix("_vs_base")
        ratio_at = table.columns.index(column)
        visits_at = next(i for i, c in enumerate(table.columns) if c.name == f"{key}_visits")
        ratios = [_number(row[ratio_at]) for row in table.rows]
        visits = [_number(row[visits_at]) for row in table.rows]
        out.append((key, column.shown_group, ratios, visits))
    return out


def _ticks(top: float) -> list[float]:
    """Round ticks from 0 to at least `top` (about five of them)."""
    raw = max(top, 1.0) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(math.ceil(max(top, 1.0) / step) + 1)]


def _ratio_text(value: float) -> str:
    return f"×{value:.2f}" if value < 10 else f"×{value:.1f}"


def years_chart(table: Table) -> Chart:
    """The years table's series as multiples of their base month (the one its ``× base`` columns name)."""
    lang = current()
    base = next((c.args.get("month", "–") for c in table.columns if c.name.endswith("_vs_base")), "–")
    months = [str(row[0]) for row in table.rows]
    series = _series(table)
    values = [r for _, _, ratios, _ in series for r in ratios if r is not None]
    ticks = _ticks(max(values, default=1.0))
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM

    def x(i: int) -> float:
        return _LEFT + (plot_w * (i + 0.5) / len(months) if months else 0.0)

    def y(value: float) -> float:
        return _TOP + plot_h * (1 - value / ticks[-1])

    title = t("Visits against the base month {base}, by series", base=base)
    subtitle = t("visits (not users), each series as a multiple of its own visits in {base}", base=base)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" font-family=\'{_FONTS}\' font-size="12">',
        f"<title>{escape(title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{_LEFT}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="{_LEFT}" y="33" font-size="11" fill="#555">{escape(subtitle)}</text>',
    ]
    for tick in ticks:
        style = 'stroke="#555" stroke-dasharray="4 3"' if tick == 1 else 'stroke="#ddd"'
        parts.append(f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" {style}/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{_ratio_text(tick)}</text>')
    if 1.0 not in ticks:  # the base line, where every series starts
        parts.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(1.0):.1f}" y2="{y(1.0):.1f}" stroke="#555" '
            'stroke-dasharray="4 3"/>'
        )
    for i, month in enumerate(months):
        parts.append(f'<text x="{x(i):.1f}" y="{_TOP + plot_h + 18}" text-anchor="middle">{escape(month)}</text>')
    axis = t("× {month}", month=base)
    parts.append(
        f'<text x="14" y="{_TOP + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_TOP + plot_h / 2:.1f})">{escape(axis)}</text>'
    )
    for n, (key, heading, ratios, visits) in enumerate(series):
        colour = _COLOURS[n % len(_COLOURS)]
        points = [(i, r) for i, r in enumerate(ratios) if r is not None]
        # a month without figures breaks the line rather than being drawn as zero
        runs: list[list[tuple[int, float]]] = []
        for i, r in points:
            if runs and runs[-1][-1][0] == i - 1:
                runs[-1].append((i, r))
            else:
                runs.append([(i, r)])
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{x(i):.1f},{y(r):.1f}" for i, r in run)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, r in points:
            shown = visits[i]
            tip = f"{heading}, {months[i]}: {_ratio_text(r)}" + (
                f" ({visits_text(shown, lang, 3)})" if shown is not None else ""
            )
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(r):.1f}" r="4" fill="{colour}" data-series="{escape(key)}" '
                f'data-month="{escape(months[i])}" data-ratio="{r!r}" data-visits="{shown!r}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        if points:
            last_r = points[-1][1]
            label = f"{heading} {_ratio_text(last_r)}"
            parts.append(
                f'<text x="{_LEFT + plot_w + 8}" y="{_TOP + 14 + 18 * n}" fill="{colour}">■ {escape(label)}</text>'
            )
    parts.append("</svg>")
    return Chart(
        "years",
        title,
        t(
            "Visits (not users) in {month} and the same month of earlier years, each series as a multiple of its "
            "own visits in the base month {base}: all sites, the top sites for the market and the top sites of the "
            "largest languages, each month's own top lists. A month without figures leaves a gap. The visits are "
            "in the table below.",
            month=months[-1] if months else "",
            base=base,
        ),
        "\n".join(parts).encode("utf-8"),
    )
