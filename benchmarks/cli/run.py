"""CLI start-up: ``piratewatch --help`` against a bare ``python -c "import typer"``, alternated.

Both are whole processes started the same way (the interpreter of this venv), run A/B/A/B so that a
busy moment of the machine hits both; the median and the spread of each are printed, their ratio,
CPU time (user + system of the child) and peak memory (the child's max RSS).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROUNDS = int(os.environ.get("CLI_BENCH_ROUNDS", "15"))
PIRATEWATCH = str(Path(sys.executable).parent / "piratewatch")
COMMANDS = {
    "import typer": [sys.executable, "-c", "import typer"],
    "piratewatch --help": [PIRATEWATCH, "--help"],
    "piratewatch notices --help": [PIRATEWATCH, "notices", "--help"],
}


def _once(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and max RSS (KiB) of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss


def main() -> None:
    print(f"load average at start: {os.getloadavg()}")
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():
        _once(argv)  # warm the page cache and bytecode
    for _ in range(ROUNDS):
        for name, argv in COMMANDS.items():
            runs[name].append(_once(argv))
    base = statistics.median(w for w, _, _ in runs["import typer"])
    print(f"{ROUNDS} rounds, alternated; wall median (min-max), CPU median, max RSS of the children so far")
    for name, samples in runs.items():
        walls = [w for w, _, _ in samples]
        cpus = [c for _, c, _ in samples]
        wall = statistics.median(walls)
        print(
            f"  {name:28} {wall * 1000:6.0f} ms ({min(walls) * 1000:.0f}-{max(walls) * 1000:.0f})  "
            f"CPU {statistics.median(cpus) * 1000:4.0f} ms  ratio to import typer {wall / base:4.1f}x"
        )
    print(f"max RSS of any child: {max(r for s in runs.values() for _, _, r in s) / 1024:.0f} MiB")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
