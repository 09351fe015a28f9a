"""``./run demo`` end to end: wall time, CPU and the peak memory of its whole process tree.

Runs ``piratewatch demo --no-serve`` (what ``./run demo`` runs once the virtualenv exists, without
staying up to serve the UI afterwards) on a fresh data directory, REPEATS times. While it runs, the
tree (the demo and every child it starts: lab servers, crawl children, Chromium if it prints a
PDF) is sampled every 0.1 s with psutil: PSS summed (each shared page counted once, split among
the processes sharing it) and RSS summed (shared pages counted in every process), and the peak of
each is kept. CPU is the tree's user + system time, waited-for children included.
Run: ``python -m benchmarks demo`` (REPEATS=3).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from benchmarks.common import Sample, alternate, children_cpu, session, settings_line, spread

REPEATS = int(os.environ.get("REPEATS", "3"))


def tree_memory(root: psutil.Process) -> tuple[float, float, int]:
    """PSS and RSS (MB) summed over `root` and its descendants, and how many processes there are."""
    pss = rss = 0.0
    processes = [root]
    try:
        processes += root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0, 0.0, 0
    counted = 0
    for p in processes:
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        pss += info.pss / 2**20
        rss += info.rss / 2**20
        counted += 1
    return pss, rss, counted


def one_run() -> tuple[Sample, float, float, int]:
    """One demo on a fresh data directory: its sample (1 unit), peak PSS and RSS (MB), most processes at once."""
    with tempfile.TemporaryDirectory() as tmp:
        before = children_cpu()
        start = time.perf_counter()
        demo = subprocess.Popen(
            [sys.executable, "-m", "piratewatch", "demo", "--no-serve", "--data-dir", str(Path(tmp) / "demo")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        peaks = [0.0, 0.0, 0]
        done = threading.Event()

        def sample() -> None:
            root = psutil.Process(demo.pid)
            while not done.is_set():
                pss, rss, count = tree_memory(root)
                peaks[0], peaks[1], peaks[2] = max(peaks[0], pss), max(peaks[1], rss), max(int(peaks[2]), count)
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, errors = demo.communicate(timeout=600)
        done.set()
        sampler.join()
        elapsed = time.perf_counter() - start
        if demo.returncode != 0:
            raise SystemExit(f"  the demo failed (exit {demo.returncode}): {errors.decode(errors='replace')[-2000:]}")
        cpu = children_cpu() - before
    return Sample(units=1, seconds=elapsed, cpu=cpu, peak_mb=peaks[0]), peaks[0], peaks[1], int(peaks[2])


def main() -> None:
    with session("demo"):
        print(settings_line({"the UI after the demo": ("served until interrupted", "not served (--no-serve)")}))
        extra: list[tuple[float, float, int]] = []

        def run() -> Sample:
            sample, pss, rss, count = one_run()
            extra.append((pss, rss, count))
            return sample

        runs = alternate({"demo": run}, REPEATS)["demo"]
        print(
            f"  piratewatch demo --no-serve, end to end: {spread([s.seconds for s in runs], ',.1f')} s wall, "
            f"{spread([s.cpu for s in runs], ',.1f')} s CPU (the whole tree)"
        )
        print(
            f"  peak memory of the process tree: PSS {spread([e[0] for e in extra])} MB, RSS summed "
            f"{spread([e[1] for e in extra])} MB; up to {max(e[2] for e in extra)} processes at once"
        )
