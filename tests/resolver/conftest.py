"""Lab servers for the resolver tests: DNS (zones + Team Cymru zones), RDAP and WHOIS, on loopback."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.rcode
import pytest

from lab.dns_server import Behaviour, DnsServer
from lab.rdap_server import RdapServer, Script
from lab.whois_server import WhoisServer
from resolver import ResolverSettings
from tests.resolver.hostile_lab import loopback_settings

ZONES = [
    (
        "google.com.",
        """$TTL 300
@ SOA ns1.google.com. dns-admin.google.com. 1 900 900 1800 60
@ NS ns1.google.com.
@ NS ns2.google.com.
@ A 74.125.225.229
@ AAAA 2001:4860:4860::8888
@ MX 10 smtp.google.com.
@ TXT "v=spf1 ip4:74.125.0.0/16 include:_spf.google.com ~all"
www A 74.125.225.230
""",
    ),
    (
        "pirate-cf.com.",
        """$TTL 300
@ SOA ns.cloudflare.com. dns.cloudflare.com. 1 900 900 1800 60
@ NS ada.ns.cloudflare.com.
@ NS bob.ns.cloudflare.com.
@ A 104.21.3.4
@ A 172.67.1.2
""",
    ),
    (
        "shop-on-cf.com.",
        """$TTL 300
@ SOA ns1.shop-on-cf.com. x.shop-on-cf.com. 1 900 900 1800 60
@ NS ns1.shop-on-cf.com.
www CNAME shop-on-cf.com.cdn.cloudflare.net.
""",
    ),
    (
        "cdn.cloudflare.net.",
        """$TTL 300
@ SOA ns1.cloudflare.net. x.cloudflare.net. 1 900 900 1800 60
shop-on-cf.com A 23.227.38.65
""",
    ),
    (
        "films-cloudfront.com.",
        """$TTL 300
@ SOA ns1.films-cloudfront.com. x.films-cloudfront.com. 1 900 900 1800 60
www CNAME d111111abcdef8.cloudfront.net.
""",
    ),
    (
        "cloudfront.net.",
        """$TTL 300
@ SOA ns1.cloudfront.net. x.cloudfront.net. 1 900 900 1800 60
d111111abcdef8 A 13.224.1.1
""",
    ),
    (
        "broken-rdap.com.",
        """$TTL 300
@ SOA ns1.broken-rdap.com. x.broken-rdap.com. 1 900 900 1800 60
@ A 198.51.100.10
""",
    ),
    (
        "akamai-rdns.com.",
        """$TTL 300
@ SOA ns1.akamai-rdns.com. x.akamai-rdns.com. 1 900 900 1800 60
@ A 198.51.100.77
""",
    ),
    (
        "100.51.198.in-addr.arpa.",
        """$TTL 300
@ SOA ns1.example.net. x.example.net. 1 900 900 1800 60
77 PTR a198-51-100-77.deploy.static.akamaitechnologies.com.
""",
    ),
    (
        "lab.test.",
        """$TTL 300
@ SOA ns1.lab.test. admin.lab.test. 1 3600 600 86400 300
@ NS ns1.lab.test.
@ A 192.0.2.10
loop1 CNAME loop2.lab.test.
loop2 CNAME loop1.lab.test.
deep0 CNAME deep1.lab.test.
deep1 CNAME deep2.lab.test.
deep2 CNAME deep3.lab.test.
deep3 CNAME deep4.lab.test.
deep4 A 192.0.2.44
big TXT "%s"
big A 192.0.2.99
"""
        % ("x" * 250),
    ),
    (
        "origin.asn.cymru.com.",
        """$TTL 300
@ SOA ns.cymru.com. x.cymru.com. 1 900 900 1800 60
229.225.125.74 TXT "15169 | 74.125.225.0/24 | US | arin | 2007-03-13"
230.225.125.74 TXT "15169 | 74.125.225.0/24 | US | arin | 2007-03-13"
4.3.21.104 TXT "13335 | 104.21.0.0/20 | US | arin | 2014-03-28"
2.1.67.172 TXT "13335 | 172.67.0.0/20 | US | arin | 2019-04-11"
65.38.227.23 TXT "13335 | 23.227.38.0/23 | CA | arin | 2014-05-06"
1.1.224.13 TXT "16509 | 13.224.0.0/22 | US | arin | 2017-10-31"
10.100.51.198 TXT "20738 20773 | 198.51.100.0/24 | DE | ripencc | 2009-01-01"
10.100.51.198 TXT "64500 | 198.51.0.0/16 | DE | ripencc | 2008-01-01"
""",
    ),
    (
        "origin6.asn.cymru.com.",
        """$TTL 300
@ SOA ns.cymru.com. x.cymru.com. 1 900 900 1800 60
{} TXT "15169 | 2001:4860::/32 | US | arin | 2005-03-14"
""".format(ipaddress.ip_address("2001:4860:4860::8888").reverse_pointer.removesuffix(".ip6.arpa")),
    ),
    (
        "asn.cymru.com.",
        """$TTL 300
@ SOA ns.cymru.com. x.cymru.com. 1 900 900 1800 60
AS15169 TXT "15169 | US | arin | 2000-03-30 | GOOGLE, US"
AS13335 TXT "13335 | US | arin | 2010-07-14 | CLOUDFLARENET, US"
AS16509 TXT "16509 | US | arin | 2000-05-04 | AMAZON-02, US"
AS20738 TXT "20738 | DE | ripencc | 2001-05-04 | GD-EMEA-DC-LD5, DE"
""",
    ),
]

BEHAVIOURS = {
    "broken.lab.test.": Behaviour(rcode=dns.rcode.SERVFAIL),
    "lame.lab.test.": Behaviour(rcode=dns.rcode.REFUSED),
    "slow.lab.test.": Behaviour(delay=2.0),
    "big.lab.test.": Behaviour(truncate_udp=True),
}


@dataclass
class Lab:
    dns: DnsServer
    rdap: RdapServer
    rdap_url: str
    bootstrap: Path
    testdata: Path

    def settings(self, **overrides: object) -> ResolverSettings:
        values: dict[str, object] = {"http_retries": 2, "max_retry_after_seconds": 2.0}
        return loopback_settings(self.dns, self.bootstrap, **(values | overrides))


@pytest.fixture(scope="session")
def lab(shared_testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    rdap_dir = shared_testdata / "rdap"
    ip_answers = json.loads((rdap_dir / "ip" / "ipwhois-rdap-responses.json").read_text())
    rdap = RdapServer(
        domains={
            "google.com": rdap_dir / "domain" / "google.com.json",
            "shop-on-cf.com": rdap_dir / "domain" / "20c.com.json",
            "broken-rdap.com": rdap_dir / "domain" / "bad_response_01.json",
            "pirate-cf.com": rdap_dir / "domain" / "bitcoin.org.json",
            "films-cloudfront.com": rdap_dir / "domain" / "deep.surf.json",
        },
        ips={
            # the captured ARIN answers, served for the addresses the test zones use
            "74.125.225.229": ip_answers["74.125.225.229"]["response"],
            "74.125.225.230": ip_answers["74.125.225.229"]["response"],
            "2001:4860:4860::8888": ip_answers["2001:4860:4860::8888"]["response"],
            "198.51.100.10": ip_answers["200.57.141.161"]["response"],
        },
        tlds=["com"],
        ip_networks=[
            "74.125.0.0/16",
            "2001:4860::/32",
            "198.51.100.0/24",
            "104.16.0.0/12",
            "172.64.0.0/13",
            "23.227.38.0/23",
            "13.224.0.0/14",
        ],
        scripts={"/domain/pirate-cf.com": Script(status_first=429, times=1, retry_after="0")},
    )
    with DnsServer(ZONES, behaviours=BEHAVIOURS) as dns_server, rdap.serve() as http:
        bootstrap = rdap.write_bootstrap(tmp_path_factory.mktemp("rdap"))
        yield Lab(dns_server, rdap, http.url, bootstrap, shared_testdata)


@pytest.fixture
def whois_answers(shared_testdata: Path) -> dict[str, Path]:
    raw = shared_testdata / "whois" / "raw"
    return {p.name: p for p in raw.iterdir()}


@pytest.fixture
def whois_server(whois_answers: dict[str, Path]) -> Iterator[WhoisServer]:
    with WhoisServer(dict(whois_answers)) as server:
        yield server
