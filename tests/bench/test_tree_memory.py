"""The demo benchmark's memory of a process tree: every descendant counted, PSS and RSS summed."""

from __future__ import annotations

import subprocess
import sys

import psutil

from benchmarks.demo.run import tree_memory

# A parent whose child holds 60 MB of its own (touched, so resident and not shared).
_TREE = (
    "import subprocess, sys, time; "
    "child = subprocess.Popen([sys.executable, '-c', "
    "'import time; x = bytearray(60_000_000); print(1, flush=True); time.sleep(30)'], stdout=subprocess.PIPE); "
    "child.stdout.readline(); print(1, flush=True); time.sleep(30)"
)


def test_the_memory_of_a_tree_counts_its_children() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _TREE], stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        parent.stdout.readline()  # the child has its 60 MB
        pss, rss, count = tree_memory(psutil.Process(parent.pid))
        alone, _, _ = tree_memory(psutil.Process(psutil.Process(parent.pid).children()[0].pid))
    finally:
        for child in psutil.Process(parent.pid).children(recursive=True):
            child.kill()
        parent.kill()
        parent.wait(timeout=10)
    assert count == 2
    assert alone >= 57 and pss >= alone + 5  # the child's 60 MB (57 MiB), and the parent's own on top
    assert rss >= pss
