"""The fixture pirate sites on a loopback server, and crawler settings with small, test-sized limits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from crawlers.config import CrawlerSettings
from lab.http_util import ThreadedServer
from lab.sites import HOSTS, FixtureSites


@dataclass
class SitesLab:
    sites: FixtureSites
    server: ThreadedServer

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.server.port}{path}"

    def config(self, **overrides: object) -> CrawlerSettings:
        values: dict[str, object] = {
            "allow_networks": ["127.0.0.0/8"],
            "host_overrides": dict.fromkeys(HOSTS, "127.0.0.1"),
            "start_url_template": f"http://{{host}}:{self.server.port}/",
            "delay_seconds": 0,
            "concurrency_per_site": 8,
            "timeout_seconds": 1.0,
            "max_bytes": 256 * 1024,
            "warn_bytes": 64 * 1024,
            "max_pages": 60,
            "crawl_deadline_seconds": 30,
        }
        values.update(overrides)
        return CrawlerSettings.model_validate(values)


@pytest.fixture(scope="session")
def sites_lab() -> Iterator[SitesLab]:
    sites = FixtureSites()
    with sites.serve() as server:
        yield SitesLab(sites, server)
