"""The one rule every benchmark follows, in one place.

- The machine and its load are printed at the start and at the end (:func:`session`): a figure
  taken while other work ran says so.
- Every variant is run several times, alternated A/B/A/B (:func:`alternate`), so a change of load
  during the run hits every variant alike; each figure is the median with its spread (min-max, n).
- CPU per unit of work is printed beside each rate (:class:`Sample`): a rate taken under load falls,
  the CPU a unit costs much less.
- Every setting that differs from production is printed beside the figure (:func:`settings_line`).
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from benchmarks.machine import describe


def load() -> str:
    """The load averages (1, 5, 15 minutes) and the core count they are to be read against."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


@contextmanager
def session(name: str) -> Iterator[None]:
    """Print the machine and its load before and after the benchmark `name`."""
    print(f"  [{name}] machine: {describe()}")
    print(f"  [{name}] at start: {load()}")
    try:
        yield
    finally:
        print(f"  [{name}] at end: {load()}")


@dataclass
class Sample:
    """One measured run: how much work, how long it took, and the CPU it cost (seconds).

    ``cpu`` is what the caller could count (the process, its children, a database's backends);
    ``parts`` names the pieces of it.
    """

    units: int
    seconds: float
    cpu: float
    parts: dict[str, float] = field(default_factory=dict)
    peak_mb: float | None = None

    @property
    def rate(self) -> float:
        return self.units / self.seconds if self.seconds > 0 else float("inf")

    @property
    def cpu_per_unit_ms(self) -> float:
        return self.cpu / self.units * 1000 if self.units else 0.0


def children_cpu() -> float:
    """CPU seconds of this process's waited-for children so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    return time.process_time()


def alternate(variants: dict[str, Callable[[], Sample]], repeats: int) -> dict[str, list[Sample]]:
    """Run each variant `repeats` times, A/B/A/B (not AAA then BBB), and return their samples."""
    samples: dict[str, list[Sample]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, run in variants.items():
            samples[name].append(run())
    return samples


def spread(values: list[float], fmt: str = ",.0f") -> str:
    """``median (min-max, n=N)``."""
    if len(values) == 1:
        return f"{values[0]:{fmt}} (n=1)"
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}}, n={len(values)})"


def summary(label: str, samples: list[Sample], unit: str, rate_fmt: str = ",.0f") -> str:
    """One line: the rate's median and spread (`rate_fmt`: decimals for slow rates), CPU per unit (and its parts), peak memory."""
    parts = sorted({p for s in samples for p in s.parts})
    cpu = f"CPU {spread([s.cpu_per_unit_ms * 1000 for s in samples])} µs/{unit}"
    if parts:
        cpu += (
            " (" + ", ".join(f"{p} {spread([s.parts.get(p, 0) / s.units * 1e6 for s in samples])}" for p in parts) + ")"
        )
    peak = [s.peak_mb for s in samples if s.peak_mb is not None]
    mem = f"; peak RSS {spread(peak)} MB" if peak else ""
    return f"  {label}: {spread([s.rate for s in samples], rate_fmt)} {unit}s/s; {cpu}{mem}"


def settings_line(differs: dict[str, tuple[object, object]]) -> str:
    """``settings that differ from production: name bench (production prod), ...``."""
    if not differs:
        return "  settings: as in production"
    shown = ", ".join(f"{name} {bench} (production {prod})" for name, (prod, bench) in differs.items())
    return f"  settings that differ from production: {shown}"
