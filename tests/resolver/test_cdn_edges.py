"""The CDN catalogue's real edge domains, brand lineage, shared ASNs, and how old its data is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from resolver import DnsRecord, DnsResult, Hosting, detect, load_cdn_catalogue
from resolver.cdn_catalogue import suffix_match
from resolver.refresh import write_cdn_catalogue


def chain(*names: str) -> DnsResult:
    return DnsResult(name="www.x.com", cname_chain=list(names), a=[DnsRecord(type="A", value="192.0.2.1", ttl=60)])


@pytest.mark.parametrize(
    ("cnames", "provider"),
    [
        (["www.x.com.edgekey.net", "e1234.a.akamaiedge.net"], "Akamai"),
        (["srip1555.globalredir.akadns.net"], "Akamai"),
        (["eaa-x-cn-rdp.x.com.srip.net"], "Akamai"),
        (["www.x.com.edgekey-staging.net"], "Akamai"),
        (["www.x.com.edgesuite-staging.net"], "Akamai"),
        (["az123456.vo.msecnd.net"], "Azure Front Door"),
        (["x-endpoint.azureedge.net", "a-0001.a-msedge.net"], "Azure Front Door"),
        (["shop.x.com.cdn.cloudflare.net"], "Cloudflare"),
        (["x.com.cloudflare.net"], "Cloudflare"),
        (["static.wikia.nocookie.net"], "Fastly"),
        (["x.netdna-cdn.com"], "StackPath"),
        (["x-1a2b.kxcdn.hwcdn.net"], "StackPath"),
        (["img.x.com.gslb.taobao.com"], "Alibaba Cloud CDN"),
        (["x.gslb.tbcache.com"], "Alibaba Cloud CDN"),
        (["cdn55449950.blazingcdn.net"], "BlazingCDN"),
        (["x.com.wscdns.lxdns.com"], "CDNetworks (Wangsu)"),
        (["x.cdngc.net"], "CDNetworks (Wangsu)"),
        (["x.com.ccgslb.com"], "ChinaCache"),
        (["pc6.com.ctadns.cn"], "CTYun CDN"),
    ],
)
def test_customers_cnames_name_the_provider(cnames: list[str], provider: str) -> None:
    match = detect(load_cdn_catalogue(), chain(*cnames), [])
    assert match is not None and match.provider == provider, match
    assert any(s.startswith("cname:") for s in match.signals)


@pytest.mark.parametrize(
    "name", ["www.shop-staging.net", "msedge.net.example.com", "x.notcloudflare.net", "a.b-msedge.net.evil.org"]
)
def test_lookalike_names_name_no_provider(name: str) -> None:
    assert detect(load_cdn_catalogue(), chain(name), []) is None


def test_a_label_wildcard_matches_only_the_last_labels() -> None:
    assert suffix_match("a-0001.a-msedge.net", ["*-msedge.net"]) == "*-msedge.net"
    assert suffix_match("t-msedge.net.", ["*-msedge.net"]) == "*-msedge.net"
    assert suffix_match("msedge.net", ["*-msedge.net"]) is None
    assert suffix_match("a-msedge.net.example.com", ["*-msedge.net"]) is None


def test_a_shared_asn_alone_never_names_a_cdn() -> None:
    # a site on a Google Cloud VM: AS396982, Google's name on the network, nothing else
    vm = Hosting(ip="34.118.1.1", asns=[396982], organisation="Google LLC", as_name="GOOGLE-CLOUD-PLATFORM, US")
    assert detect(load_cdn_catalogue(), chain(), [vm]) is None
    # beside another signal it still counts
    match = detect(load_cdn_catalogue(), chain("bucket.c.storage.googleapis.com"), [vm])
    assert match is not None and match.provider == "Google Cloud CDN"
    assert "shared_asn:AS396982" in match.signals


def test_brand_lineage_and_refresh_sources() -> None:
    catalogue = load_cdn_catalogue()
    stackpath = catalogue.by_name("StackPath")
    assert stackpath is not None and {"MaxCDN", "NetDNA", "Highwinds"} <= set(stackpath.formerly)
    assert stackpath.published.get("ipv4", "").endswith("/ipblocks.txt")
    alibaba = catalogue.by_name("Alibaba Cloud CDN")
    assert alibaba is not None and "Taobao CDN" in alibaba.formerly


def test_providers_without_their_own_abuse_channel_say_so() -> None:
    catalogue = load_cdn_catalogue()
    for provider in catalogue.providers:
        assert provider.abuse or provider.abuse_from_rdap, provider.name
        if provider.abuse_from_rdap:
            assert provider.sources, f"{provider.name}: an entry added without a source"


def test_the_catalogue_says_how_old_it_is_and_keeps_it_on_refresh(tmp_path: Path) -> None:
    catalogue = load_cdn_catalogue()
    assert isinstance(catalogue.as_of, dt.date)
    dated = [s for p in catalogue.providers for s in p.sources if s.date is not None]
    assert dated and all(s.date <= catalogue.as_of for s in dated)  # type: ignore[operator]
    assert all(s.what for p in catalogue.providers for s in p.sources)
    path = tmp_path / "providers.yaml"
    write_cdn_catalogue(catalogue, path)
    again = load_cdn_catalogue(path)
    assert again.as_of == catalogue.as_of
    assert again.by_name("Akamai") == catalogue.by_name("Akamai")
