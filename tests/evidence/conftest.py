"""The evidence lab: the fixture pirate sites behind a lab DNS server, two real RFC 3161 TSAs
(``openssl ts``), and use cases whose captures reach the sites through the production SSRF guard."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from lab.dns_server import DnsServer
from lab.http_util import ThreadedServer
from lab.sites import HOSTS, FixtureSites
from lab.tsa import LabTsa
from piratewatch.config import get_settings
from piratewatch.services import Services


def _zone(host: str) -> tuple[str, str]:
    return (
        f"{host}.",
        f"$TTL 300\n@ SOA ns1.{host}. hostmaster.{host}. 1 3600 600 86400 300\n@ NS ns1.{host}.\n@ A 127.0.0.1\n",
    )


@dataclass
class EvidenceLab:
    sites: FixtureSites
    server: ThreadedServer
    dns: DnsServer
    tsa: LabTsa
    other_tsa: LabTsa

    def url(self, host: str, path: str = "/") -> str:
        # the guarded transport maps the standard port to the lab's (PIRATEWATCH_RESOLVER__PROBE_HTTP_PORT)
        return f"http://{host}{path}"

    def settings_values(self, data_dir: Path, database_url: str, **capture: Any) -> dict[str, Any]:
        return {
            "data_dir": data_dir,
            "database_url": database_url,
            "resolver": {
                "nameservers": [self.dns.host],
                "dns_port": self.dns.port,
                "allow_networks": ["127.0.0.0/8"],
                "probe_http_port": self.server.port,
                "probe": False,
            },
            "capture": {
                "total_seconds": 3.0,
                "read_timeout": 2.0,
                "max_bytes": 512 * 1024,
                "max_decoded_bytes": 2 * 1024 * 1024,
                "max_redirects": 4,
                "screenshots": False,
                **capture,
            },
            "evidence": {"tsa_url": self.tsa.url, "tsa_certificates": [str(self.tsa.ca_certificate)]},
        }


@pytest.fixture(scope="session")
def evidence_lab() -> Iterator[EvidenceLab]:
    sites = FixtureSites()
    with (
        sites.serve() as server,
        DnsServer([_zone(h) for h in HOSTS]) as dns,
        LabTsa("piratewatch lab TSA") as tsa,
        LabTsa("another lab TSA") as other,
    ):
        yield EvidenceLab(sites, server, dns, tsa, other)


@pytest.fixture
def services(evidence_lab: EvidenceLab, engine: Engine, db_url: str, tmp_path: Path) -> Iterator[Services]:
    settings = get_settings(**evidence_lab.settings_values(tmp_path / "data", db_url))
    with Services.from_settings(settings, engine=engine) as svc:
        yield svc
