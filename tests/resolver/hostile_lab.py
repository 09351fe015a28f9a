"""A lab for hostile RDAP answers: one DNS zone per test name, all at one address, and an RDAP server
whose answers a test sets before it resolves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.dns_server import DnsServer
from lab.rdap_server import RdapServer
from resolver import ResolverSettings

ADDRESS = "198.51.100.10"


def loopback_settings(dns: DnsServer, bootstrap: Path, **overrides: object) -> ResolverSettings:
    """Resolver settings for a lab on loopback: its DNS server and RDAP bootstrap, short timeouts, and no
    probe of the zones' addresses (some are public: no test touches the internet)."""
    values: dict[str, object] = {
        "nameservers": [dns.host],
        "dns_port": dns.port,
        "dns_timeout": 0.5,
        "dns_lifetime": 1.5,
        "rdap_bootstrap_offline": True,
        "rdap_bootstrap_files": [bootstrap],
        "allow_networks": ["127.0.0.0/8", "::1/128"],
        "http_timeout": 2.0,
        "default_rate_limit": {"requests": 1000, "per_seconds": 1},
        "probe": False,
    }
    return ResolverSettings.model_validate(values | overrides)


@dataclass
class HostileLab:
    dns: DnsServer
    rdap: RdapServer
    bootstrap: Path

    def settings(self, **overrides: object) -> ResolverSettings:
        values: dict[str, object] = {"http_retries": 0, "reverse_dns": False, "find_origin": False}
        return loopback_settings(self.dns, self.bootstrap, **(values | overrides))


def zone(name: str, address: str = ADDRESS) -> tuple[str, str]:
    return f"{name}.", f"$TTL 300\n@ SOA ns1.{name}. x.{name}. 1 900 900 1800 60\n@ A {address}\n"


@contextmanager
def hostile_lab(names: list[str], tmp: Path, extra_zones: list[tuple[str, str]] | None = None) -> Iterator[HostileLab]:
    rdap = RdapServer(tlds=["com"], ip_networks=["198.51.100.0/24", "203.0.113.0/24"])
    with DnsServer([zone(n) for n in names] + (extra_zones or [])) as dns_server, rdap.serve():
        yield HostileLab(dns_server, rdap, rdap.write_bootstrap(tmp))


def real_answers(testdata: Path) -> dict[str, Any]:
    """Every captured real RDAP answer, by a name saying where it came from."""
    rdap = testdata / "rdap"
    out: dict[str, Any] = {}
    for path in sorted([*(rdap / "domain").glob("*.json"), *(rdap / "entity").glob("*.json")]):
        out[f"{path.parent.name}/{path.name}"] = json.loads(path.read_text())
    for address, entry in json.loads((rdap / "ip" / "ipwhois-rdap-responses.json").read_text()).items():
        out[f"ip/{address}"] = entry["response"]
    return out
