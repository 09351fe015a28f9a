"""The rows of a CSV file seen so far, by fingerprint, with the line each was first seen on.

An import reports a repeated row as "duplicate of line N", so it must remember every row's
fingerprint and first line. A dict of a million int keys and int values takes about 117 MB, most of
a million-row import's memory. :class:`SeenRows` keeps the newest rows in a small dict and the
older ones in sorted NumPy arrays (12 bytes a row), merged so that each array is at least twice the
size of the next: a lookup is one dict probe and a binary search per array (a handful at a million
rows), and the merges cost O(n log n) in all, in C.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: rows kept in the dict before they are moved into a sorted array
RECENT_ROWS = 65_536

_Level = tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32]]


class SeenRows:
    """Fingerprints (ints under 2**64) and the line each was first seen on (under 2**32)."""

    def __init__(self, recent_rows: int = RECENT_ROWS) -> None:
        self._recent: dict[int, int] = {}
        self._recent_rows = recent_rows
        #: sorted fingerprints and their lines, largest array first
        self._levels: list[_Level] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def first_line(self, fingerprint: int) -> int | None:
        """The line `fingerprint` was first seen on, or None if it was not seen."""
        line = self._recent.get(fingerprint)
        if line is not None:
            return line
        key = np.uint64(fingerprint)
        for fingerprints, lines in self._levels:
            at = int(np.searchsorted(fingerprints, key))
            if at < len(fingerprints) and fingerprints[at] == key:
                return int(lines[at])
        return None

    def add(self, fingerprint: int, line: int) -> None:
        """Remember `fingerprint` first seen on `line` (the caller adds each fingerprint once)."""
        self._recent[fingerprint] = line
        self._count += 1
        if len(self._recent) >= self._recent_rows:
            self._spill()

    def _spill(self) -> None:
        size = len(self._recent)
        fingerprints = np.fromiter(self._recent.keys(), dtype=np.uint64, count=size)
        lines = np.fromiter(self._recent.values(), dtype=np.uint32, count=size)
        self._recent = {}
        order = np.argsort(fingerprints)
        level: _Level = (fingerprints[order], lines[order])
        while self._levels and len(self._levels[-1][0]) <= 2 * len(level[0]):
            older = self._levels.pop()
            fingerprints = np.concatenate([older[0], level[0]])
            lines = np.concatenate([older[1], level[1]])
            order = np.argsort(fingerprints)
            level = (fingerprints[order], lines[order])
        self._levels.append(level)
