"""Past months' figures as OpenMetrics files, for ``promtool tsdb create-blocks-from openmetrics``.

A Prometheus started today holds no history, yet the monthly report reads a year and more of it.
The store keeps every month's estimates, so each past month's figures can be written as they
would have been scraped at the month's end: one sample per series, stamped one millisecond before
the month ends, in one file per month. One file per month because promtool reads its whole input
once per two-hour block it writes: a file spanning a year would be read 4,380 times, a file
spanning one instant once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from exporters.figures.calendar import Month
from exporters.figures.series import FAMILIES, Sample, month_samples
from exporters.figures.site_facts import load_site_facts
from exporters.figures.store import FigureRules, month_figures

_ONE_MS = dt.timedelta(milliseconds=1)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    """A sample value, exactly (``repr`` of a float reads back as the same float)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _labels(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def stamp_of(month: Month, now: dt.datetime) -> dt.datetime:
    """When a month's figures are stamped: a millisecond before its end (or now, for a month still running)."""
    end = month.end.astimezone(dt.UTC) - _ONE_MS
    stamp = min(end, now.astimezone(dt.UTC))
    return stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)


def openmetrics(samples: Iterable[Sample], at: dt.datetime, extra: Mapping[str, str]) -> str:
    """`samples` in the OpenMetrics text format, family by family, each stamped `at`."""
    seconds = f"{round(at.timestamp() * 1000) / 1000:.3f}"
    by_family: dict[str, list[Sample]] = {}
    for sample in samples:
        by_family.setdefault(sample.name, []).append(sample)
    lines: list[str] = []
    for family in FAMILIES:
        members = by_family.get(family.name)
        if not members:
            continue
        lines.append(f"# HELP {family.name} {_escape(family.help)}")
        lines.append(f"# TYPE {family.name} gauge")
        for s in members:
            lines.append(f"{s.name}{_labels({**extra, **s.labels})} {_number(s.value)} {seconds}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def write_history(
    factory: sessionmaker[Session],
    months: Iterable[Month],
    rules: FigureRules,
    directory: Path,
    now: dt.datetime,
    extra_labels: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write one ``<month>.om`` file per month into `directory`; returns their paths.

    `extra_labels` (``job``, ``instance``) are added to every series, so the history joins the
    series Prometheus scrapes from then on.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    with factory() as session:
        site_facts = load_site_facts(session)
        for month in months:
            if month.start.astimezone(dt.UTC) > now:
                raise ValueError(f"{month.label} has not started yet")
            figures = month_figures(session, month, rules, site_facts)
            path = directory / f"{month.label}.om"
            path.write_text(openmetrics(month_samples(figures), stamp_of(month, now), extra_labels or {}), "utf-8")
            written.append(path)
    return written
