"""This checkout's CSV import against another commit's, alternated, in-process, on SQLite.

``python -m benchmarks.intake.ab COMMIT`` (ROWS, default 20,000; REPEATS, default 3). Each run is a
child process in a tree (this checkout, or COMMIT exported with ``git archive``) that imports the
same file into a fresh SQLite store with ``cases.intake.csv_import.import_csv``; the time and CPU
are of that call alone (no interpreter start-up, imports or migration), CPU beside the rate.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import Sample, alternate, session, settings_line, summary
from benchmarks.intake.run import make_csv

ROWS = int(os.environ.get("ROWS", "20000"))
REPEATS = int(os.environ.get("REPEATS", "3"))
_CHILD = """
import sys, time
from pathlib import Path
from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.migrations import upgrade
from cases.tenants.services import create_association
from cases.intake.csv_import import import_csv
url, csv = sys.argv[1], Path(sys.argv[2])
upgrade(url)
factory = session_factory(make_engine(url))
with transaction(factory) as session:
    association = create_association(session, "Bench", Actor("bench"))
start, cpu = time.perf_counter(), time.process_time()
summary = import_csv(csv, factory, Actor("bench"), association.id)
assert not summary.errors, summary.errors[:3]
print(time.perf_counter() - start, time.process_time() - cpu)
"""


def one(tree: Path, csv: Path, work: Path) -> Sample:
    store = work / f"ab-{os.urandom(4).hex()}.db"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, f"sqlite:///{store}", str(csv)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    store.unlink()
    # time and CPU (every thread of the child: the writer's too) of import_csv alone, not of the
    # child's imports and migration
    seconds, cpu = (float(x) for x in done.stdout.strip().splitlines()[-1].split())
    return Sample(ROWS, seconds, cpu)


def main(commit: str) -> None:
    here = Path(__file__).resolve().parents[2]
    with session("intake a/b"), tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        old = work / "old"
        old.mkdir()
        archive = subprocess.run(["git", "archive", commit], cwd=here, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        csv = work / "sites.csv"
        make_csv(csv, ROWS)
        print(f"  {ROWS:,} rows imported in-process into SQLite, {REPEATS} runs each, alternated")
        print(settings_line({}) + " (import_csv called directly: no command-line start-up in the rate)")
        samples = alternate(
            {
                commit[:10]: functools.partial(one, old, csv, work),
                "this checkout": functools.partial(one, here, csv, work),
            },
            REPEATS,
        )
        for name, runs in samples.items():
            print(summary(f"{name:13}", runs, "row"))


if __name__ == "__main__":
    main(sys.argv[1])
