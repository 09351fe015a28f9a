"""A synthetic, deterministic world of pirate sites: zones for the lab DNS server (with Team Cymru
answers) and RDAP answers for the lab RDAP server, generated from a seed so that the benchmark
process and the server processes build the same world independently.

The mix follows what monitoring sees: about 40 % of sites behind Cloudflare (its addresses and
name servers), some behind CloudFront and Fastly (through a CNAME on ``www``), some behind
DDoS-Guard, and the rest on plain hosts spread over a few dozen networks; a few dozen registrars,
heavily skewed towards the big ones, across a handful of TLDs.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field
from typing import Any

from resolver.cdn_catalogue import load_cdn_catalogue

SEED = 20261123
TLDS = {"com": 40, "net": 8, "org": 6, "to": 8, "io": 5, "cc": 6, "me": 5, "ru": 8, "xyz": 6, "site": 4, "tv": 4}
WORDS = ["manga", "anime", "films", "watch", "stream", "read", "comic", "movie", "series", "scan", "toon", "hentai"]


@dataclass(frozen=True)
class Network:
    """One hosting network: its BGP announcement (Cymru) and its RDAP registration."""

    slug: str
    asn: int
    as_name: str
    prefix: str  # announced prefix, as Team Cymru reports it
    cidr: str  # the RDAP network object's range (the resolver's cache key)
    country: str
    registry: str
    organisation: str
    abuse: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Registrar:
    slug: str
    name: str
    iana_id: int
    abuse: str


@dataclass(frozen=True)
class Site:
    host: str  # the name the resolver is given
    registrable: str
    kind: str  # cloudflare, cloudfront, fastly, ddos-guard or host
    registrar: Registrar


@dataclass
class World:
    sites: list[Site] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)
    registrars: list[Registrar] = field(default_factory=list)
    zones: list[tuple[str, str]] = field(default_factory=list)
    #: the DNS questions :meth:`resolver.dns.DnsClient.lookup` asks, for the bare query loop
    questions: list[tuple[str, str]] = field(default_factory=list)
    network_of: dict[str, Network] = field(default_factory=dict)  # address -> network
    site_of: dict[str, Site] = field(default_factory=dict)  # registrable domain -> site
    #: networks the sites' addresses (DNS answers, not MX hosts) fall in: what RDAP should be asked
    used_networks: set[str] = field(default_factory=set)


def _pool(cidr: str, count: int, rng: random.Random) -> tuple[str, ...]:
    net = ipaddress.ip_network(cidr)
    size = min(net.num_addresses - 2, 1 << 16)
    return tuple(str(net[1 + i]) for i in sorted(rng.sample(range(size), count)))


def _networks(rng: random.Random) -> tuple[dict[str, list[Network]], list[Network]]:
    """The CDNs' networks by kind, and the plain hosts' networks."""

    def net(slug: str, asn: int, as_name: str, prefix: str, cidr: str, cc: str, reg: str, org: str) -> Network:
        return Network(
            slug,
            asn,
            as_name,
            prefix,
            cidr,
            cc,
            reg,
            org,
            f"abuse@{slug.split('-')[0]}.example",
            _pool(prefix, 48, rng),
        )

    cdn = {
        "cloudflare": [
            net(
                "cloudflare-a",
                13335,
                "CLOUDFLARENET, US",
                "104.21.0.0/20",
                "104.16.0.0/12",
                "US",
                "arin",
                "Cloudflare, Inc.",
            ),
            net(
                "cloudflare-b",
                13335,
                "CLOUDFLARENET, US",
                "172.67.0.0/20",
                "172.64.0.0/13",
                "US",
                "arin",
                "Cloudflare, Inc.",
            ),
            net(
                "cloudflare-6",
                13335,
                "CLOUDFLARENET, US",
                "2606:4700:3030::/48",
                "2606:4700::/32",
                "US",
                "arin",
                "Cloudflare, Inc.",
            ),
        ],
        "cloudfront": [
            net(
                "amazon-cf", 16509, "AMAZON-02, US", "13.224.0.0/14", "13.224.0.0/14", "US", "arin", "Amazon.com, Inc."
            ),
            net(
                "amazon-cf2", 16509, "AMAZON-02, US", "54.230.0.0/16", "54.230.0.0/15", "US", "arin", "Amazon.com, Inc."
            ),
        ],
        "fastly": [
            net("fastly", 54113, "FASTLY, US", "151.101.0.0/16", "151.101.0.0/16", "US", "arin", "Fastly, Inc.")
        ],
        "ddos-guard": [
            net(
                "ddosguard-a",
                57724,
                "DDOS-GUARD, RU",
                "186.2.160.0/20",
                "186.2.160.0/20",
                "BZ",
                "lacnic",
                "DDOS-GUARD CORP.",
            ),
            net(
                "ddosguard-b",
                57724,
                "DDOS-GUARD, RU",
                "185.178.208.0/22",
                "185.178.208.0/22",
                "RU",
                "ripencc",
                "DDOS-GUARD LTD",
            ),
        ],
    }
    catalogue = load_cdn_catalogue(None)
    cdn_ranges = [ipaddress.ip_network(r) for p in catalogue.providers for r in p.ipv4]
    hosts: list[Network] = []
    second = 100
    while len(hosts) < 40:
        cidr = ipaddress.ip_network(f"37.{second}.0.0/16")
        second += 1
        if any(cidr.overlaps(r) for r in cdn_ranges):
            continue  # a plain host must not sit inside a CDN's published range
        i = len(hosts)
        asn = 64600 + i // 2  # some hosters announce two networks
        registry = ["ripencc", "arin", "apnic", "ripencc", "lacnic"][i % 5]
        hosts.append(
            net(
                f"host{i:02d}-net",
                asn,
                f"HOSTER-{i // 2:02d}, NL",
                str(cidr),
                str(cidr),
                "NL",
                registry,
                f"Hoster {i // 2:02d} B.V.",
            )
        )
    return cdn, hosts


def build(n: int, seed: int = SEED) -> World:
    rng = random.Random(seed)
    world = World()
    cdn, hosts = _networks(rng)
    world.networks = [n_ for nets in cdn.values() for n_ in nets] + hosts
    for network in world.networks:
        for address in network.addresses:
            world.network_of[address] = network
    world.registrars = [
        Registrar(f"registrar{i:02d}", f"Synthetic Registrar {i:02d} Ltd", 1000 + i, f"abuse@registrar{i:02d}.example")
        for i in range(36)
    ]
    registrar_weights = [1 / (i + 1) for i in range(len(world.registrars))]  # a few big ones, a long tail
    host_weights = [1 / (i + 1) ** 0.7 for i in range(len(hosts))]
    kinds = ["cloudflare", "cloudfront", "fastly", "ddos-guard", "host"]
    kind_weights = [40, 8, 5, 7, 40]
    tlds, tld_weights = list(TLDS), list(TLDS.values())
    cloudfront_zone = ["$TTL 60", "@ SOA ns-1.awsdns-00.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]
    fastly_zone = ["$TTL 30", "@ SOA ns1.fastly.net. hostmaster.fastly.com. 1 7200 900 1209600 30"]
    fastly_targets = [f"{c}.sni.global" for c in "jkmnp"]
    for target in fastly_targets:
        for address in rng.sample(cdn["fastly"][0].addresses, 4):
            fastly_zone.append(f"{target} A {address}")
    names: set[str] = set()
    for i in range(n):
        while True:
            label = f"{rng.choice(WORDS)}-{rng.randrange(100000):05d}"
            registrable = f"{label}.{rng.choices(tlds, tld_weights)[0]}"
            if registrable not in names:
                names.add(registrable)
                break
        kind = rng.choices(kinds, kind_weights)[0]
        registrar = rng.choices(world.registrars, registrar_weights)[0]
        host_net = rng.choices(hosts, host_weights)[0]
        lines = [
            "$TTL 300",
            f"@ SOA ns1.{registrable}. hostmaster.{registrable}. {2026010100 + i} 7200 900 1209600 300",
        ]
        host = registrable
        cname: str | None = None
        addresses: list[str] = []
        if kind == "cloudflare":
            a, b = rng.sample(["ada", "bob", "cruz", "dana", "elle", "fred", "gina", "hank"], 2)
            lines += [f"@ NS {a}.ns.cloudflare.com.", f"@ NS {b}.ns.cloudflare.com."]
            addresses = [rng.choice(cdn["cloudflare"][0].addresses), rng.choice(cdn["cloudflare"][1].addresses)]
            if rng.random() < 0.6:
                addresses += rng.sample(cdn["cloudflare"][2].addresses, 2)
        elif kind == "ddos-guard":
            lines += ["@ NS ns1.ddos-guard.net.", "@ NS ns2.ddos-guard.net."]
            addresses = [rng.choice(rng.choice(cdn["ddos-guard"]).addresses)]
        else:
            lines += [f"@ NS ns1.{host_net.slug}.example.", f"@ NS ns2.{host_net.slug}.example."]
            if kind == "host":
                addresses = rng.sample(host_net.addresses, rng.choice([1, 1, 1, 2]))
            else:
                host = f"www.{registrable}"
                if kind == "cloudfront":
                    distribution = f"d{rng.getrandbits(52):013x}"
                    cname = f"{distribution}.cloudfront.net"
                    network = rng.choice(cdn["cloudfront"])
                    cloudfront_zone += [f"{distribution} A {a}" for a in rng.sample(network.addresses, 4)]
                else:
                    cname = f"{rng.choice(fastly_targets)}.fastly.net"
                    network = cdn["fastly"][0]
                world.used_networks.add(network.cidr)
                lines.append(f"www CNAME {cname}.")
                lines.append(f"@ A {rng.choice(host_net.addresses)}")  # the apex, not what we resolve
        for address in addresses:
            lines.append(f"@ {'AAAA' if ':' in address else 'A'} {address}")
            world.used_networks.add(world.network_of[address].cidr)
        if rng.random() < 0.6:
            mail = rng.choice(host_net.addresses)
            lines += ["@ MX 10 mail", f"mail A {mail}"]
            if rng.random() < 0.7:
                lines.append(f'@ TXT "v=spf1 ip4:{mail} mx ~all"')
        if rng.random() < 0.3:
            lines.append(f'@ TXT "google-site-verification={rng.getrandbits(128):032x}"')
        world.zones.append((registrable + ".", "\n".join(lines) + "\n"))
        site = Site(host=host, registrable=registrable, kind=kind, registrar=registrar)
        world.sites.append(site)
        world.site_of[registrable] = site
        final = cname or host
        world.questions += [(host, "CNAME")] + ([(cname, "CNAME")] if cname else [])
        world.questions += [(final, "A"), (final, "AAAA")] + [(host, t) for t in ("NS", "MX", "TXT", "SOA")]
    world.zones += [
        ("cloudfront.net.", "\n".join(cloudfront_zone) + "\n"),
        ("fastly.net.", "\n".join(fastly_zone) + "\n"),
    ]
    world.zones += _cymru_zones(world.networks)
    return world


def _cymru_zones(networks: list[Network]) -> list[tuple[str, str]]:
    """Team Cymru's origin, origin6 and AS-name zones for every address of every network."""
    soa = "@ SOA ns.cymru.com. noc.cymru.com. 1 900 900 1800 60"
    v4, v6, names = ["$TTL 3600", soa], ["$TTL 3600", soa], ["$TTL 3600", soa]
    seen_asns: set[int] = set()
    for network in networks:
        answer = f'"{network.asn} | {network.prefix} | {network.country} | {network.registry} | 2015-01-01"'
        for address in network.addresses:
            ip = ipaddress.ip_address(address)
            if ip.version == 4:
                v4.append(f"{ip.reverse_pointer.removesuffix('.in-addr.arpa')} TXT {answer}")
            else:
                v6.append(f"{ip.reverse_pointer.removesuffix('.ip6.arpa')} TXT {answer}")
        if network.asn not in seen_asns:
            seen_asns.add(network.asn)
            names.append(
                f'AS{network.asn} TXT "{network.asn} | {network.country} | {network.registry} | 2001-01-01 | '
                f'{network.as_name}"'
            )
    return [
        ("origin.asn.cymru.com.", "\n".join(v4) + "\n"),
        ("origin6.asn.cymru.com.", "\n".join(v6) + "\n"),
        ("asn.cymru.com.", "\n".join(names) + "\n"),
    ]


# -- RDAP answers, written the way gTLD registries and RIRs write them ------------------------------


def _vcard(kind: str, name: str, email: str | None = None, phone: str | None = None) -> list[Any]:
    props: list[Any] = [["version", {}, "text", "4.0"], ["fn", {}, "text", name], ["kind", {}, "text", kind]]
    if email:
        props.append(["email", {}, "text", email])
    if phone:
        props.append(["tel", {"type": "voice"}, "uri", f"tel:{phone}"])
    return ["vcard", props]


def domain_answer(site: Site, base_url: str, *, from_registrar: bool) -> dict[str, Any]:
    """The registry's answer (with a ``related`` link to the registrar's RDAP), or the registrar's own."""
    r = site.registrar
    registrar: dict[str, Any] = {
        "objectClassName": "entity",
        "handle": str(r.iana_id),
        "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": str(r.iana_id)}],
        "vcardArray": _vcard("org", r.name),
        "links": [{"rel": "about", "href": f"https://{r.slug}.example/", "type": "text/html"}],
    }
    if from_registrar:
        registrar["entities"] = [
            {
                "objectClassName": "entity",
                "roles": ["abuse"],
                "vcardArray": _vcard("individual", "Abuse desk", r.abuse, "+1.5555550100"),
            }
        ]
    answer: dict[str, Any] = {
        "objectClassName": "domain",
        "ldhName": site.registrable,
        "status": ["client transfer prohibited"],
        "events": [
            {"eventAction": "registration", "eventDate": "2021-03-04T05:06:07Z"},
            {"eventAction": "last changed", "eventDate": "2026-02-03T04:05:06Z"},
            {"eventAction": "expiration", "eventDate": "2027-03-04T05:06:07Z"},
        ],
        "nameservers": [{"objectClassName": "nameserver", "ldhName": f"ns1.{site.registrable}"}],
        "entities": [
            registrar,
            {"objectClassName": "entity", "roles": ["registrant"], "vcardArray": _vcard("org", "REDACTED FOR PRIVACY")},
        ],
        "links": [],
    }
    if not from_registrar:
        href = f"{base_url}/entity/{r.slug}/domain/{site.registrable}"
        answer["links"].append({"rel": "related", "href": href, "type": "application/rdap+json"})
    return answer


def network_answer(network: Network) -> dict[str, Any]:
    cidr = ipaddress.ip_network(network.cidr)
    key = "v4prefix" if cidr.version == 4 else "v6prefix"
    return {
        "objectClassName": "ip network",
        "handle": f"NET-{network.slug.upper()}",
        "name": network.slug.upper(),
        "startAddress": str(cidr[0]),
        "endAddress": str(cidr[-1]),
        "cidr0_cidrs": [{key: str(cidr.network_address), "length": cidr.prefixlen}],
        "country": network.country,
        "entities": [
            {
                "objectClassName": "entity",
                "roles": ["registrant"],
                "vcardArray": _vcard("org", network.organisation),
                "entities": [
                    {
                        "objectClassName": "entity",
                        "roles": ["abuse"],
                        "vcardArray": _vcard("group", "Abuse", network.abuse, "+31.205550100"),
                    }
                ],
            }
        ],
    }
