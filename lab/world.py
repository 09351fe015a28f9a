"""The demo's offline internet: DNS, Team Cymru, RDAP, WHOIS and the sites themselves, on loopback.

``piratewatch demo`` resolves its sample sites against this world, so every stage of resolution runs
for real without a network. Each site lives on its own loopback address (127.0.0.0/8 is all ours),
with hosting networks, registrars and a CDN invented for the demo:

- ``manga-raw.test``: a plain host in Japan; its certificate names a mirror, ``manga-raw2.test``.
- ``truyen-tranh.test``: its registry has no RDAP record, so WHOIS answers; it redirects to a new
  domain, ``truyentranh-moi.test`` (a domain hop).
- ``anime-stream.test``: behind Cloudflare (name servers, headers and the edge's ASN say so); its
  origin shows through ``mail.anime-stream.test``, which serves the same page.

For crawling and traffic estimates it also serves the fixture pirate sites of :mod:`lab.sites`
(Japanese, English and Vietnamese catalogues with view counters and sitemaps, a hop, a mirror), a
small rank list with anchor sites, and a SimilarWeb-compatible traffic API.

    with DemoWorld(workdir) as world:
        world.resolver_settings()  # plain settings values for the resolver

The world holds invented data only (no captured answer of a real registry is copied here).
"""

from __future__ import annotations

import datetime as dt
import html
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from lab.dns_server import DnsServer
from lab.http_util import ThreadedServer, free_port
from lab.rdap_server import RdapServer
from lab.sites import HOSTS, RANK_ANCHORS, FixtureSites
from lab.smtp_sink import SmtpSink
from lab.tls import write_self_signed
from lab.traffic_api import DomainTraffic, TrafficApiServer
from lab.traffic_history import last_finished, panel, write_rank_lists
from lab.whois_server import WhoisServer


@dataclass(frozen=True)
class Network:
    """A hosting network of the demo world, as Cymru and an RIR's RDAP describe it."""

    cidr: str
    asn: int
    as_name: str
    country: str
    registry: str
    organisation: str
    abuse_email: str


@dataclass(frozen=True)
class WorldSite:
    """One host name of the demo world and what its server answers."""

    name: str
    address: str
    title: str
    headers: dict[str, str] = field(default_factory=dict)
    redirect_to: str | None = None


NETWORKS = [
    Network(
        "127.0.10.0/24", 64501, "SAKURA-LAB-NET", "JP", "apnic", "Sakura Lab Hosting K.K.", "abuse@sakura-lab.test"
    ),
    Network("127.0.20.0/24", 64502, "VIETLAB-AS", "VN", "apnic", "Viet Lab Hosting JSC", "abuse@vietlab-hosting.test"),
    # Cloudflare's edge for the demo: its real ASN, on a loopback network the demo owns.
    Network("127.0.30.0/24", 13335, "CLOUDFLARENET", "US", "arin", "Cloudflare, Inc.", "abuse@cloudflare.com"),
    Network("127.0.40.0/24", 64504, "BULLETLAB-AS", "RU", "ripencc", "Bulletlab Hosting LLC", "abuse@bulletlab.test"),
    Network(
        "127.0.31.0/24", 64503, "OFFSHORE-LAB", "NL", "ripencc", "Offshore Lab Servers B.V.", "abuse@offshore-lab.test"
    ),
]

_MANGA = "<html lang='ja'><head><title>{title}</title></head><body><h1>{title}</h1>ワンピース 進撃の巨人</body></html>"
_CF = {"server": "cloudflare", "cf-ray": "8f2a1c3b4d5e6f70-NRT", "cf-cache-status": "DYNAMIC"}

SITES = [
    WorldSite("manga-raw.test", "127.0.10.1", "漫画RAW - 無料で読む"),
    WorldSite("www.manga-raw.test", "127.0.10.1", "漫画RAW - 無料で読む"),
    WorldSite("manga-raw2.test", "127.0.10.2", "漫画RAW - 無料で読む"),
    WorldSite("truyen-tranh.test", "127.0.20.1", "Truyện Tranh", redirect_to="truyentranh-moi.test"),
    WorldSite("truyentranh-moi.test", "127.0.20.1", "Truyện Tranh Mới - đọc truyện tranh online"),
    WorldSite("anime-stream.test", "127.0.30.1", "AnimeStream - watch anime free", headers=_CF),
    WorldSite("mail.anime-stream.test", "127.0.31.1", "AnimeStream - watch anime free"),
]

#: Registrable domains and their registrars; a domain missing here has no RDAP record (WHOIS answers).
REGISTRARS = {
    "manga-raw.test": ("Namelab Registrar Inc.", "9901", "abuse@namelab.test", "+1.5555550100"),
    "manga-raw2.test": ("Namelab Registrar Inc.", "9901", "abuse@namelab.test", "+1.5555550100"),
    "anime-stream.test": ("Offshore Names Ltd.", "9902", "abuse@offshore-names.test", "+44.2071230000"),
    "truyentranh-moi.test": ("Offshore Names Ltd.", "9902", "abuse@offshore-names.test", "+44.2071230000"),
    **dict.fromkeys(
        [h for h in HOSTS if h.count(".") == 1],
        ("Offshore Names Ltd.", "9902", "abuse@offshore-names.test", "+44.2071230000"),
    ),
}
#: the address the fixture sites of :mod:`lab.sites` are served on
FIXTURES_ADDRESS = "127.0.40.1"
#: what the lab traffic API knows (a panel's view of the Vietnamese fixture site)
TRAFFIC_API = {
    "truyenvn.test": DomainTraffic(
        visits=2.1e6, pages_per_visit=6.5, seconds_per_visit=540, countries={"VN": 0.93, "US": 0.03, "JP": 0.01}
    ),
}
TRAFFIC_API_KEY = "lab-demo-key"

WHOIS_ONLY = {
    "truyen-tranh.test": ("Mat Bao Lab Registrar", "abuse@matbao-lab.test"),
}


def _vcard(*props: list[Any]) -> list[Any]:
    return ["vcard", [["version", {}, "text", "4.0"], *props]]


def _abuse_entity(email: str, phone: str | None = None) -> dict[str, Any]:
    props: list[list[Any]] = [["fn", {}, "text", "Abuse desk"], ["email", {}, "text", email]]
    if phone:
        props.append(["tel", {"type": "voice"}, "uri", f"tel:{phone}"])
    return {"objectClassName": "entity", "roles": ["abuse"], "vcardArray": _vcard(*props)}


def _registrar_entity(name: str, iana_id: str, abuse: dict[str, Any] | None) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "objectClassName": "entity",
        "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": iana_id}],
        "vcardArray": _vcard(["fn", {}, "text", name]),
    }
    if abuse:
        entity["entities"] = [abuse]
    return entity


def _domain_answer(domain: str, registrar_url: str | None) -> dict[str, Any]:
    """The registry's answer (thin: no abuse contact) or, without `registrar_url`, the registrar's."""
    name, iana_id, email, phone = REGISTRARS[domain]
    answer: dict[str, Any] = {
        "objectClassName": "domain",
        "ldhName": domain,
        "status": ["client transfer prohibited"],
        "events": [
            {"eventAction": "registration", "eventDate": "2024-03-01T09:00:00Z"},
            {"eventAction": "last changed", "eventDate": "2026-09-15T12:00:00Z"},
            {"eventAction": "expiration", "eventDate": "2027-03-01T09:00:00Z"},
        ],
        "nameservers": [{"objectClassName": "nameserver", "ldhName": f"ns1.{domain}"}],
        "entities": [
            _registrar_entity(name, iana_id, None if registrar_url else _abuse_entity(email, phone)),
            {
                "objectClassName": "entity",
                "roles": ["registrant"],
                "vcardArray": _vcard(["fn", {}, "text", "REDACTED FOR PRIVACY"]),
            },
        ],
    }
    if registrar_url:
        href = f"{registrar_url}/domain/{domain}"
        answer["links"] = [{"rel": "related", "href": href, "type": "application/rdap+json"}]
    return answer


def _network_answer(net: Network) -> dict[str, Any]:
    network = ipaddress.ip_network(net.cidr)
    return {
        "objectClassName": "ip network",
        "handle": f"NET-{net.asn}",
        "name": net.as_name,
        "country": net.country,
        "startAddress": str(network[0]),
        "endAddress": str(network[-1]),
        "entities": [
            {
                "objectClassName": "entity",
                "roles": ["registrant"],
                "vcardArray": _vcard(["fn", {}, "text", net.organisation], ["kind", {}, "text", "org"]),
                "entities": [_abuse_entity(net.abuse_email)],
            }
        ],
    }


def _zone(origin: str, body: str) -> tuple[str, str]:
    return origin, f"$TTL 300\n@ SOA ns1.{origin} hostmaster.{origin} 1 3600 600 86400 300\n{body}"


def dns_zones() -> list[tuple[str, str]]:
    """The zones of the demo world: its sites, and Team Cymru's view of its networks."""
    zones = [
        _zone("manga-raw.test.", "@ NS ns1.manga-raw.test.\n@ A 127.0.10.1\nwww A 127.0.10.1\n"),
        _zone("manga-raw2.test.", "@ NS ns1.manga-raw.test.\n@ A 127.0.10.2\n"),
        _zone("truyen-tranh.test.", "@ NS ns1.truyen-tranh.test.\n@ A 127.0.20.1\n"),
        _zone("truyentranh-moi.test.", "@ NS ns1.truyen-tranh.test.\n@ A 127.0.20.1\n"),
        _zone(
            "anime-stream.test.",
            "@ NS ada.ns.cloudflare.com.\n@ NS bob.ns.cloudflare.com.\n@ A 127.0.30.1\n"
            "@ MX 10 mail.anime-stream.test.\n"
            '@ TXT "v=spf1 mx -all"\nmail A 127.0.31.1\n',
        ),
    ]
    zones += [_zone(f"{host}.", f"@ NS ns1.bulletlab.test.\n@ A {FIXTURES_ADDRESS}\n") for host in HOSTS]
    origin_lines = []
    asn_lines = []
    for site in {s.address for s in SITES} | {FIXTURES_ADDRESS}:
        net = next(n for n in NETWORKS if ipaddress.ip_address(site) in ipaddress.ip_network(n.cidr))
        reversed_ip = ".".join(reversed(site.split(".")))
        origin_lines.append(f'{reversed_ip} TXT "{net.asn} | {net.cidr} | {net.country} | {net.registry} | 2020-01-01"')
    for net in NETWORKS:
        asn_lines.append(f'AS{net.asn} TXT "{net.asn} | {net.country} | {net.registry} | 2010-01-01 | {net.as_name}"')
    zones.append(_zone("origin.asn.cymru.com.", "\n".join(origin_lines) + "\n"))
    zones.append(_zone("asn.cymru.com.", "\n".join(asn_lines) + "\n"))
    return zones


def _whois_text(domain: str) -> str:
    registrar, abuse = WHOIS_ONLY[domain]
    return (
        f"Domain Name: {domain.upper()}\r\nRegistrar: {registrar}\r\n"
        f"Registrar Abuse Contact Email: {abuse}\r\nCreation Date: 2023-05-10T00:00:00Z\r\n"
        f"Registry Expiry Date: 2027-05-10T00:00:00Z\r\nName Server: NS1.TRUYEN-TRANH.TEST\r\n"
        f"Domain Status: ok\r\n"
    )


def _site_app(sites: list[WorldSite]) -> Starlette:
    by_host = {s.name: s for s in sites}

    async def page(request: Request) -> Response:
        host = request.headers.get("host", "").split(":")[0].lower()
        site = by_host.get(host) or sites[0]
        if site.redirect_to:
            port = f":{request.url.port}" if request.url.port else ""
            return RedirectResponse(f"{request.url.scheme}://{site.redirect_to}{port}/", status_code=301)
        page = _MANGA.format(title=site.title)
        if request.url.path.strip("/"):
            # a chapter or episode page names its work: /manga/one-piece/chapter-1100/ shows "One Piece Chapter 1100"
            heading = " ".join(part.replace("-", " ").title() for part in request.url.path.strip("/").split("/")[1:])
            page = page.replace("</body>", f"<h2>{html.escape(heading)}</h2></body>")
        return HTMLResponse(page, headers=site.headers)

    return Starlette(routes=[Route("/{path:path}", page)])


class DemoWorld:
    """Starts every server of the demo world; use it as a context manager."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.dns = DnsServer(dns_zones())
        self.registry = RdapServer(tlds=["test"], ip_networks=[n.cidr for n in NETWORKS])
        self.registrar = RdapServer()
        self.whois = WhoisServer({d: _whois_text(d) for d in WHOIS_ONLY})
        self.fixtures = FixtureSites()
        #: the newest finished month of the demo's 37 months of traffic history (lab/traffic_history.py)
        self.history_month = last_finished(dt.datetime.now(dt.UTC))
        self.traffic_api = TrafficApiServer({**TRAFFIC_API, **panel(self.history_month)}, api_key=TRAFFIC_API_KEY)
        #: the abuse desks' mailboxes: every notice e-mailed in the demo lands here (and in ``mail/``)
        self.smtp = SmtpSink(maildir=workdir / "mail")
        self._servers: list[ThreadedServer] = []

    def _start_sites(self) -> None:
        by_address: dict[str, list[WorldSite]] = {}
        for site in SITES:
            by_address.setdefault(site.address, []).append(site)
        for address, sites in by_address.items():
            # Each address presents a certificate naming every host it serves (mirrors show up there).
            names = [s.name for s in sites] + (["manga-raw2.test"] if address == "127.0.10.1" else [])
            key, cert = write_self_signed(self.workdir / "tls" / address, names)
            server = ThreadedServer(_site_app(sites), address, self.port, ssl_keyfile=str(key), ssl_certfile=str(cert))
            self._servers.append(server.start())

    def start(self) -> DemoWorld:
        self.dns.start()
        self._servers.append(self.registrar.serve().start())
        self._servers.append(self.registry.serve().start())
        for domain in REGISTRARS:
            self.registry.domains[domain] = _domain_answer(domain, self.registrar.base_url)
            self.registrar.domains[domain] = _domain_answer(domain, None)
        for address in {s.address for s in SITES} | {FIXTURES_ADDRESS}:
            net = next(n for n in NETWORKS if ipaddress.ip_address(address) in ipaddress.ip_network(n.cidr))
            self.registry.ips[address] = _network_answer(net)
        self.whois.__enter__()
        self._start_sites()
        # HTTPS like the others (the resolver's probe tries it first). One certificate serves every
        # fixture host, so it names none of them: a SAN would read as a sibling domain of each.
        key, cert = write_self_signed(self.workdir / "tls" / FIXTURES_ADDRESS, ["fixtures.lab.invalid"])
        self._fixtures_server = ThreadedServer(
            self.fixtures.app(), FIXTURES_ADDRESS, self.port, ssl_keyfile=str(key), ssl_certfile=str(cert)
        ).start()
        self._servers.append(self._fixtures_server)
        self._traffic_server = self.traffic_api.serve().start()
        self._servers.append(self._traffic_server)
        self.smtp.start()
        return self

    def stop(self) -> None:
        self.smtp.stop()
        for server in reversed(self._servers):
            server.stop()
        self.whois.__exit__()
        self.dns.stop()

    def __enter__(self) -> DemoWorld:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def resolver_settings(self) -> dict[str, Any]:
        """Resolver settings values that point every lookup at this world (plain data: lab imports no resolver)."""
        bootstrap = self.registry.write_bootstrap(self.workdir)
        return {
            "nameservers": [self.dns.host],
            "dns_port": self.dns.port,
            "rdap_bootstrap_offline": True,
            "rdap_bootstrap_files": [str(bootstrap)],
            "whois_servers": {"test": f"{self.whois.host}:{self.whois.port}"},
            "allow_networks": ["127.0.0.0/8", "::1/128"],
            "probe_https_port": self.port,
            "probe_http_port": self.port,
            "http_timeout": 3.0,
            "dns_timeout": 1.0,
            "dns_lifetime": 3.0,
        }

    def crawler_settings(self) -> dict[str, Any]:
        """Crawler settings values: the fixture sites' names point at the lab, with demo-sized limits."""
        return {
            "allow_networks": ["127.0.0.0/8"],
            "host_overrides": dict.fromkeys(HOSTS, FIXTURES_ADDRESS),
            "start_url_template": f"https://{{host}}:{self.port}/",
            "delay_seconds": 0,
            "concurrency_per_site": 8,
            "timeout_seconds": 3.0,
            "max_pages": 80,
            "crawl_deadline_seconds": 60,
        }

    def traffic_settings(self) -> dict[str, Any]:
        """Traffic settings values: the lab's monthly rank lists and anchors, and its traffic API."""
        rank_lists = write_rank_lists(self.workdir / "ranks", self.history_month)
        return {
            "rank_list_path": str(rank_lists),
            "anchors": RANK_ANCHORS,
            "api_url": self._traffic_server.url,
            "api_key": TRAFFIC_API_KEY,
        }

    def notice_settings(self) -> dict[str, Any]:
        """Notice settings values: e-mail to the lab's SMTP sink, files for web forms under the workdir."""
        return {
            "smtp_host": self.smtp.host,
            "smtp_port": self.smtp.port,
            "smtp_sender": "notices@piratewatch-demo.test",
            "export_dir": str(self.workdir / "outbox"),
            "recheck_timeout": 3.0,
        }
