"""Run benchmarks: ``python -m benchmarks`` runs all, ``python -m benchmarks intake`` one."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from benchmarks.machine import describe


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    available = sorted(p.name for p in here.iterdir() if (p / "run.py").exists())
    wanted = argv or available
    unknown = [w for w in wanted if w not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    print(f"machine: {describe()}")
    for name in wanted:
        print(f"\n### {name}")
        importlib.import_module(f"benchmarks.{name}.run").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
