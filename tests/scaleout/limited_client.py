"""Sends requests to one server through the resolver's per-server limiter, as a worker would.

Run by ``test_shared_limits.py`` as a subprocess:
``python limited_client.py URL REQUESTS RATE START_AT [REDIS_URL PREFIX]`` (no Redis: per-process limits).
Prints the wall-clock time of each permit, one a line: the limiter's decisions, on a clock every process
of the machine shares.
"""

from __future__ import annotations

import asyncio
import sys
import time

import httpx

from resolver import RateLimit, Resolver, ResolverSettings


async def main(url: str, requests: int, rate: float, start_at: float, redis_url: str, prefix: str) -> None:
    settings = ResolverSettings(
        default_rate_limit=RateLimit(requests=rate, per_seconds=1.0),
        shared_limits_url=redis_url,
        shared_limits_prefix=prefix,
    )
    async with Resolver(settings) as resolver, httpx.AsyncClient(timeout=10) as client:
        # Connect before the start: the first request's connection set-up is not part of the timing.
        (await client.get(url.rsplit("/", 1)[0] + "/warm-up")).raise_for_status()
        await asyncio.sleep(max(0.0, start_at - time.time()))  # both clients start together
        for _ in range(requests):
            await resolver.limiters.acquire(url)
            print(f"{time.time():.6f}", flush=True)
            (await client.get(url)).raise_for_status()


if __name__ == "__main__":
    url, requests, rate, start_at = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    redis_url, prefix = (sys.argv[5], sys.argv[6]) if len(sys.argv) > 6 else ("", "")
    asyncio.run(main(url, requests, rate, start_at, redis_url, prefix))
