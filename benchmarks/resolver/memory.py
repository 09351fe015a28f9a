"""Memory over repeated batches: one Resolver resolves the same names batch after batch, and the
process's resident memory is read after each (its profiles dropped). After the first batch the
caches are warm and hold what they will hold, so resident memory should stay flat; growth from
the second batch to the last is what would pile up in a long-running worker.

``MEMORY_BATCHES=5 DOMAINS=10000 ./run bench resolver`` (0, the default, leaves it out).
"""

from __future__ import annotations

import asyncio
import gc

import psutil

from resolver import Resolver, ResolverSettings

#: allowed growth from the second batch to the last (allocator noise, not a pile-up)
TOLERANCE = 0.05


async def _batches(settings: ResolverSettings, names: list[str], batches: int, concurrency: int) -> list[float]:
    process = psutil.Process()
    resident: list[float] = []
    async with Resolver(settings) as r:
        for _ in range(batches):
            profiles = await r.resolve_many(names, concurrency=concurrency)
            failures = sum(len(p.failures) for p in profiles)
            del profiles
            gc.collect()
            resident.append(process.memory_info().rss / 2**20)
            print(
                f"    batch {len(resident)}: {len(names):,} names, {failures} failures, resident {resident[-1]:,.0f} MB"
            )
    return resident


def run(settings: ResolverSettings, names: list[str], batches: int, concurrency: int) -> None:
    """Print resident memory after each batch and whether it grew after the second."""
    print(f"  memory over {batches} batches of the same {len(names):,} names, one Resolver:")
    resident = asyncio.run(_batches(settings, names, batches, concurrency))
    if len(resident) < 3:
        print("  (at least 3 batches are needed to tell growth from the first batch's caches)")
        return
    growth = resident[-1] - resident[1]
    ok = growth <= TOLERANCE * resident[1]
    print(
        f"  growth from batch 2 to batch {len(resident)}: {growth:+,.0f} MB "
        f"[target: none (<= {TOLERANCE:.0%}): {'met' if ok else 'MISSED'}]"
    )
