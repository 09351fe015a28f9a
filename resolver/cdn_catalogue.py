"""The provider catalogue (data in ``resolver/data/providers.yaml``) and CDN detection.

Detection combines every signal and records which fired: the address in the provider's published
ranges, its ASN, the CNAME chain, the name servers, response headers, reverse DNS and the RDAP
organisation. One signal alone can mislead (Cloudflare name servers without Cloudflare addresses
mean DNS only; Amazon's ASN is not CloudFront), so each carries a weight and the confidence is
``1 - prod(1 - weight)`` over the signals that fired.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Mapping
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from resolver.models import CdnMatch, DnsResult, Hosting

WEIGHTS = {
    "ip_range": 0.6,
    "asn": 0.5,
    "shared_asn": 0.15,
    "cname": 0.6,
    "header": 0.6,
    "ns": 0.2,
    "rdns": 0.4,
    "rdap_org": 0.3,
}
MIN_CONFIDENCE = 0.3
# Weak signals only corroborate: an Amazon-owned address (shared ASN, RDAP organisation) is not
# CloudFront until a range, CNAME, header or reverse name says so.
STRONG = {"ip_range", "asn", "cname", "header", "rdns"}


class AbuseChannel(BaseModel):
    kind: str
    value: str


class CatalogueSource(BaseModel):
    """Where one part of an entry comes from, and when it was read."""

    what: str  # which fields: "cname_suffixes", "asns", "ipv4"…
    url: str
    date: dt.date | None = None  # when the source was read; None: carried over, not re-checked


class Provider(BaseModel):
    """One CDN or protection service.

    ``cname_suffixes`` match a whole label and everything under it (``edgekey.net`` matches
    ``www.example.com.edgekey.net``); a suffix written ``*-msedge.net`` also matches any label ending
    so (``a-msedge.net``, ``t-msedge.net``). ``shared_asns`` are ASNs the provider shares with
    ordinary hosting (AS396982 carries Google Cloud's VMs as well as its CDN): a weak signal that
    never names the provider alone.
    """

    name: str
    kind: str
    #: earlier brands of this provider (acquired, merged or renamed), newest first
    formerly: list[str] = Field(default_factory=list)
    sources: list[CatalogueSource] = Field(default_factory=list)
    asns: list[int] = Field(default_factory=list)
    shared_asns: list[int] = Field(default_factory=list)
    ipv4: list[str] = Field(default_factory=list)
    ipv6: list[str] = Field(default_factory=list)
    cname_suffixes: list[str] = Field(default_factory=list)
    ns_suffixes: list[str] = Field(default_factory=list)
    headers: dict[str, str] = Field(default_factory=dict)
    rdns_suffixes: list[str] = Field(default_factory=list)
    rdap_org: list[str] = Field(default_factory=list)
    published: dict[str, str] = Field(default_factory=dict)
    abuse: list[AbuseChannel] = Field(default_factory=list)
    #: no abuse channel of the provider's own was found: notices go to the RDAP abuse contact of the
    #: addresses it serves (the resolver finds those for every site anyway)
    abuse_from_rdap: bool = False

    @cached_property
    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(n, strict=False) for n in [*self.ipv4, *self.ipv6]]


class CdnCatalogue(BaseModel):
    #: the date the bundled data was last checked against its sources (refreshed at release time)
    as_of: dt.date | None = None
    providers: list[Provider]

    def by_name(self, name: str) -> Provider | None:
        return next((p for p in self.providers if p.name == name), None)


PACKAGED = "providers.yaml"


def load_cdn_catalogue(path: Path | None = None) -> CdnCatalogue:
    """The catalogue at `path`, or the one shipped in the package."""
    if path is not None and path.exists():
        text = path.read_text("utf-8")
    else:
        text = resources.files("resolver.data").joinpath(PACKAGED).read_text("utf-8")
    data: Any = yaml.safe_load(text)
    return CdnCatalogue.model_validate(data)


def suffix_match(name: str, suffixes: list[str]) -> str | None:
    """The suffix of `suffixes` that `name` falls under (see :class:`Provider`), or None."""
    name = name.lower().rstrip(".")
    for suffix in suffixes:
        s = suffix.lower().strip(".")
        if s.startswith("*-"):
            tail = s[1:]  # "-msedge.net": the name's last two labels are "<something>-msedge.net"
            last = ".".join(name.split(".")[-(tail.count(".") + 1) :])
            if last.endswith(tail) and len(last) > len(tail):
                return s
        elif name == s or name.endswith("." + s):
            return s
    return None


def detect(
    catalogue: CdnCatalogue,
    dns: DnsResult,
    hosting: list[Hosting],
    headers: Mapping[str, str] | None = None,
    reverse_names: Mapping[str, str] | None = None,
) -> CdnMatch | None:
    """The provider in front of the site, if the signals say so with enough confidence."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    addresses = [ipaddress.ip_address(a) for a in dns.addresses]
    best: CdnMatch | None = None
    for provider in catalogue.providers:
        signals: list[str] = []

        def fire(kind: str, detail: str, signals: list[str] = signals) -> None:
            signals.append(f"{kind}:{detail}")

        for address in addresses:
            net = next((n for n in provider.networks if n.version == address.version and address in n), None)
            if net is not None:
                fire("ip_range", f"{address} in {net}")
                break
        for h in hosting:
            shared = [a for a in h.asns if a in provider.shared_asns]
            own = [a for a in h.asns if a in provider.asns]
            if own:
                fire("asn", f"AS{own[0]}")
                break
            if shared:
                fire("shared_asn", f"AS{shared[0]}")
                break
        for name in dns.cname_chain:
            if hit := suffix_match(name, provider.cname_suffixes):
                fire("cname", f"{name} (*.{hit})")
                break
        for record in dns.ns:
            if hit := suffix_match(record.value, provider.ns_suffixes):
                fire("ns", f"{record.value} (*.{hit})")
                break
        for header, pattern in provider.headers.items():
            value = headers.get(header.lower())
            if value is not None and (not pattern or re.search(pattern, value, re.IGNORECASE)):
                fire("header", f"{header}: {value[:60]}")
                break
        for _ip, rname in (reverse_names or {}).items():
            if hit := suffix_match(rname, provider.rdns_suffixes):
                fire("rdns", f"{rname} (*.{hit})")
                break
        for h in hosting:
            org = " ".join(x for x in [h.organisation, h.as_name, h.network_name] if x).lower()
            if org and any(p in org for p in provider.rdap_org):
                fire("rdap_org", (h.organisation or h.as_name or h.network_name or "")[:60])
                break
        if not any(s.split(":", 1)[0] in STRONG for s in signals):
            continue
        miss = 1.0
        for signal in signals:
            miss *= 1 - WEIGHTS[signal.split(":", 1)[0]]
        confidence = round(1 - miss, 3)
        if confidence >= MIN_CONFIDENCE and (best is None or confidence > best.confidence):
            best = CdnMatch(provider=provider.name, kind=provider.kind, signals=signals, confidence=confidence)
    return best
