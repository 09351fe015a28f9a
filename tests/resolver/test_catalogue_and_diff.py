"""The provider catalogue, CDN detection from each kind of signal, and infrastructure diffs."""

from __future__ import annotations

import datetime as dt

import pytest

from resolver import DnsRecord, DnsResult, Hosting, SiteProfile, detect, diff_profiles, load_cdn_catalogue
from resolver.cymru import parse_as_name, parse_origin
from resolver.dns import parse_spf

REQUIRED = [
    "Cloudflare",
    "Fastly",
    "Akamai",
    "Amazon CloudFront",
    "Google Cloud CDN",
    "Azure Front Door",
    "DDoS-Guard",
    "BunnyCDN",
    "Gcore",
    "StackPath",
    "CDN77",
    "Imperva",
    "Sucuri",
    "Qrator",
    "StormWall",
    "Alibaba Cloud CDN",
]


def test_catalogue_has_every_required_provider_with_an_abuse_channel() -> None:
    catalogue = load_cdn_catalogue()
    names = [p.name for p in catalogue.providers]
    assert set(REQUIRED) <= set(names)
    for provider in catalogue.providers:
        assert provider.abuse or provider.abuse_from_rdap, provider.name
        assert provider.kind in {"cdn", "waf/ddos", "dns", "hosting", "cloud"}
        assert provider.networks is not None  # every range parses


def dns_for(*, a: list[str] = (), cname: list[str] = (), ns: list[str] = ()) -> DnsResult:  # type: ignore[assignment]
    return DnsResult(
        name="x.com",
        a=[DnsRecord(type="A", value=v, ttl=60) for v in a],
        cname_chain=list(cname),
        ns=[DnsRecord(type="NS", value=v, ttl=60) for v in ns],
    )


@pytest.mark.parametrize(
    ("headers", "provider"),
    [
        ({"Server": "cloudflare", "CF-RAY": "8a1b-NRT"}, "Cloudflare"),
        ({"X-Amz-Cf-Id": "abc", "Via": "1.1 abc.cloudfront.net (CloudFront)"}, "Amazon CloudFront"),
        ({"Server": "ddos-guard"}, "DDoS-Guard"),
        ({"Server": "BunnyCDN-DE1-721"}, "BunnyCDN"),
        ({"X-Served-By": "cache-nrt-rjtf7700045-NRT"}, "Fastly"),
        ({"X-Iinfo": "1-2-3", "X-CDN": "Imperva"}, "Imperva"),
        ({"X-Sucuri-ID": "11005"}, "Sucuri"),
        ({"Server": "QRATOR"}, "Qrator"),
    ],
)
def test_headers_name_the_provider(headers: dict[str, str], provider: str) -> None:
    match = detect(load_cdn_catalogue(), dns_for(a=["192.0.2.1"]), [], headers=headers)
    assert match is not None and match.provider == provider
    assert any(s.startswith("header:") for s in match.signals)


def test_name_servers_alone_mean_dns_only_not_a_proxy() -> None:
    assert detect(load_cdn_catalogue(), dns_for(a=["192.0.2.1"], ns=["ada.ns.cloudflare.com"]), []) is None


def test_amazon_addresses_alone_are_not_cloudfront() -> None:
    ec2 = Hosting(ip="3.5.1.1", asns=[16509], organisation="Amazon Technologies Inc.")
    assert detect(load_cdn_catalogue(), dns_for(a=["3.5.1.1"]), [ec2]) is None


def test_reverse_dns_signal() -> None:
    match = detect(
        load_cdn_catalogue(),
        dns_for(a=["192.0.2.1"]),
        [],
        reverse_names={"192.0.2.1": "a1.deploy.static.akamaitechnologies.com"},
    )
    assert match is not None and match.provider == "Akamai"


def test_cymru_parsing() -> None:
    assert parse_origin(["15169 | 74.125.225.0/24 | US | arin | 2007-03-13"]) == (
        [15169],
        "74.125.225.0/24",
        "US",
        "arin",
    )
    assert parse_origin(["20738 20773 | 198.51.100.0/24 | DE | ripencc |"])[0] == [20738, 20773]
    assert parse_origin(["garbage"]) == ([], None, None, None)
    assert parse_as_name(["15169 | US | arin | 2000-03-30 | GOOGLE, US"]) == "GOOGLE, US"


def test_spf_parsing() -> None:
    assert parse_spf(["v=spf1 ip4:192.0.2.5 +ip4:198.51.100.0/24 ip6:2001:db8::/32 include:x -all", "other"]) == (
        ["192.0.2.5/32", "198.51.100.0/24"],
        ["2001:db8::/32"],
    )
    assert parse_spf(["v=spf1 ip4:not-an-ip -all"]) == ([], [])


def profile(ips: list[str], asn: int, cdn: str | None, registrar: str, ns: list[str]) -> SiteProfile:
    from resolver import CdnMatch, Registration

    return SiteProfile(
        domain="x.com",
        registrable_domain="x.com",
        resolved_at=dt.datetime.now(dt.UTC),
        dns=dns_for(a=ips, ns=ns),
        hosting=[Hosting(ip=ip, asns=[asn], as_name=f"AS-{asn}") for ip in ips],
        cdn=CdnMatch(provider=cdn, kind="cdn", signals=[], confidence=0.9) if cdn else None,
        registration=Registration(domain="x.com", source="rdap", registrar=registrar),
    )


def test_diff_names_every_kind_of_move() -> None:
    old = profile(["192.0.2.1"], 64500, None, "Registrar A", ["ns1.a.com"])
    new = profile(["198.51.100.1"], 64501, "DDoS-Guard", "Registrar B", ["ns1.b.com"])
    kinds = [c.kind for c in diff_profiles(old, new)]
    assert kinds == ["new_ip", "ip_gone", "new_host", "new_cdn", "new_registrar", "nameservers_changed"]
    assert diff_profiles(new, new) == []
    back = diff_profiles(new, old)
    assert "cdn_gone" in [c.kind for c in back]
