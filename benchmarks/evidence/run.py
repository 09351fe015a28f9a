"""Evidence benchmarks: captures per second with and without screenshots, and bytes stored per capture.

The lab's fixture sites (title and chapter pages) behind the lab DNS server, the lab TSA (``openssl
ts``) stamping every manifest, an embedded SQLite store, captures one at a time as the use case makes
them. Bytes stored count every object once (WARC file, text, screenshot, manifest, token); objects
shared between captures of an unchanged page are stored once, so the figure is per distinct page.

Run: ``./run bench evidence`` (CAPTURES=40 SHOTS=8 by default).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from cases.audit.services import Actor
from cases.migrations import upgrade
from lab.dns_server import DnsServer
from lab.sites import HOSTS, SITES, FixtureSites
from lab.tsa import LabTsa
from piratewatch.config import get_settings
from piratewatch.services import Services

CAPTURES = int(os.environ.get("CAPTURES", "40"))
SHOTS = int(os.environ.get("SHOTS", "8"))


def _zone(host: str) -> tuple[str, str]:
    return f"{host}.", f"$TTL 300\n@ SOA ns1.{host}. h.{host}. 1 3600 600 86400 300\n@ NS ns1.{host}.\n@ A 127.0.0.1\n"


def _urls(count: int) -> list[str]:
    pages = []
    for site in SITES:
        for title in site.titles:
            pages.append(f"http://{site.host}/")
            pages += [f"http://{site.host}/{site.title_path}/{title.slug}/{n}/" for n in range(1, title.chapters + 1)]
    return [pages[i % len(pages)] for i in range(count)]


def _run(svc: Services, urls: list[str], screenshot: bool) -> tuple[float, int, list[str]]:
    started = time.perf_counter()
    outcomes = asyncio.run(svc.capture(urls, Actor("bench:evidence"), screenshot=screenshot))
    elapsed = time.perf_counter() - started
    problems = [
        f"{o.url}: {o.status} {o.limit or ''} {o.timestamp_problem or ''}"
        for o in outcomes
        if o.status != "complete" or not o.timestamped_at
    ]
    return elapsed, len(outcomes), problems


def _stored(svc: Services) -> tuple[int, int, int]:
    with svc.engine.connect() as conn:
        captures = conn.execute(sa.text("SELECT count(*) FROM evidence_capture")).scalar_one()
        objects, size = conn.execute(sa.text("SELECT count(*), coalesce(sum(size), 0) FROM evidence_object")).one()
    return int(captures), int(objects), int(size)


def main() -> None:
    sites = FixtureSites()
    with (
        tempfile.TemporaryDirectory() as tmp,
        sites.serve() as server,
        DnsServer([_zone(h) for h in HOSTS]) as dns,
        LabTsa() as tsa,
    ):
        data = Path(tmp)
        url = f"sqlite:///{data / 'bench.db'}"
        upgrade(url)
        settings = get_settings(
            data_dir=data,
            database_url=url,
            resolver={
                "nameservers": [dns.host],
                "dns_port": dns.port,
                "allow_networks": ["127.0.0.0/8"],
                "probe_http_port": server.port,
                "probe": False,
            },
            evidence={"tsa_url": tsa.url, "tsa_certificates": [str(tsa.ca_certificate)]},
        )
        with Services.from_settings(settings) as svc:
            elapsed, n, problems = _run(svc, _urls(CAPTURES), screenshot=False)
            captures, objects, size = _stored(svc)
            print(
                f"without screenshots: {n} captures in {elapsed:.2f} s = {n / elapsed:.1f} captures/s "
                f"({elapsed / n * 1000:.0f} ms each, TSA round trip included); "
                f"{size / captures:,.0f} bytes stored per capture ({objects} objects)"
            )
            for p in problems[:5]:
                print(f"  not complete: {p}")
            before = size
            elapsed, n, problems = _run(svc, _urls(SHOTS), screenshot=True)
            captures2, objects, size = _stored(svc)
            print(
                f"with screenshots: {n} captures in {elapsed:.2f} s = {n / elapsed:.2f} captures/s "
                f"({elapsed / n * 1000:.0f} ms each); {(size - before) / (captures2 - captures):,.0f} bytes stored per capture"
            )
            for p in problems[:5]:
                print(f"  not complete: {p}")
            print(f"lab TSA: {tsa.replies} tokens issued")
