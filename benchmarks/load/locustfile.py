"""Locust users for the load benchmark: each posts one new site per request to ``POST /api/v1/submissions``.

Run by ``benchmarks/load/run.py`` (not by hand): it passes the API key and the pacing in the
environment. Every request carries a new ``source_ref`` and a new domain, so each one creates a
submission, a site, a domain, a work reference and an evidence item: the heaviest kind of submission.
"""

from __future__ import annotations

import itertools
import os
import uuid

from locust import FastHttpUser, constant_throughput, events, task

API_KEY = os.environ.get("LOAD_API_KEY", "")
PER_USER_RATE = float(os.environ.get("LOAD_PER_USER_RATE", "5"))
SITES_PER_REQUEST = int(os.environ.get("LOAD_SITES_PER_REQUEST", "1"))
# Distinct per locust process, so runs against the same store never repeat a reference.
_RUN = uuid.uuid4().hex[:10]
_counter = itertools.count()
# The references the server acknowledged (HTTP 200), written out when locust quits: the benchmark
# checks that every one of them is in the store.
ACK_FILE = os.environ.get("LOAD_ACK_FILE")
_acknowledged: list[str] = []


@events.quitting.add_listener
def _write_acknowledged(**_: object) -> None:
    if ACK_FILE:
        with open(ACK_FILE, "w") as f:
            f.write("".join(f"{ref}\n" for ref in _acknowledged))


def _site(n: int) -> dict[str, object]:
    domain = f"load-{_RUN}-{n}.com"
    return {
        "source_ref": f"load-{_RUN}-{n}",
        "domains": [domain],
        "languages": ["ja"],
        "content_types": ["manga"],
        "works": [
            {"ref": f"W{n % 500}", "titles": {"ja": f"作品{n % 500}", "en": f"Work {n % 500}"}, "content_type": "manga"}
        ],
        "evidence": [{"url": f"https://{domain}/manga/work-{n % 500}/chapter-1", "work_ref": f"W{n % 500}"}],
    }


class Submitter(FastHttpUser):
    wait_time = constant_throughput(PER_USER_RATE)

    @task
    def submit(self) -> None:
        sites = [_site(next(_counter)) for _ in range(SITES_PER_REQUEST)]
        with self.client.post(
            "/api/v1/submissions",
            json={"sites": sites},
            headers={"X-API-Key": API_KEY},
            name="POST /api/v1/submissions",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
            elif len(response.json()["results"]) != SITES_PER_REQUEST:
                response.failure("not one result per site")
            else:
                _acknowledged.extend(str(site["source_ref"]) for site in sites)
