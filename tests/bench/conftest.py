"""The benchmarks are run from the checkout (``python -m benchmarks``), not installed: import them from it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
