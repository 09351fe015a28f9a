"""Refreshing the providers' published address ranges.

Range lists go stale, so they are refreshed from each provider's published list. A refresh must
fail loudly rather than ship a shrunken list: an empty answer, a changed format or a list that
lost more than ``max_shrink`` of its networks raises :class:`CdnCatalogueRefreshError` naming the
provider, and nothing is written.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from resolver.cdn_catalogue import CdnCatalogue, Provider
from resolver.errors import CdnCatalogueRefreshError


@dataclass
class RangeUpdate:
    provider: str
    old: int
    new: int


def _networks(values: list[Any]) -> list[str]:
    out = []
    for value in values:
        try:
            out.append(str(ipaddress.ip_network(str(value).strip(), strict=False)))
        except ValueError:
            continue
    return sorted(set(out), key=lambda n: (":" in n, n))


async def _fetch(client: httpx.AsyncClient, url: str, *, json: bool = False) -> httpx.Response:
    # A list served by content negotiation (bunny.net's edge server list is an ASP.NET Web API
    # answer, XML for a client that asks for it) is asked for as JSON when JSON is what is read.
    response = await client.get(url, headers={"Accept": "application/json"} if json else None)
    response.raise_for_status()
    return response


async def published_ranges(client: httpx.AsyncClient, provider: Provider) -> list[str]:
    """The networks `provider` publishes now, parsed by the list's format."""
    spec = provider.published
    fmt = spec.get("format", "lines")
    if fmt == "lines":
        values: list[Any] = []
        for key in ("ipv4", "ipv6"):
            if key in spec:
                values += (await _fetch(client, spec[key])).text.split()
        return _networks(values)
    if fmt == "json_list" and "url" not in spec:
        # one JSON array of addresses or networks per family (bunny.net: ``edgeserverlist`` and
        # ``edgeserverlist/ipv6``, each a list of single addresses)
        listed: list[Any] = []
        for key in ("ipv4", "ipv6"):
            if key in spec:
                data = (await _fetch(client, spec[key], json=True)).json()
                listed += data if isinstance(data, list) else []
        return _networks(listed)
    data = (await _fetch(client, spec["url"], json=True)).json()
    if fmt == "fastly":
        return _networks([*data.get("addresses", []), *data.get("ipv6_addresses", [])])
    if fmt == "aws":
        service = spec.get("service", "CLOUDFRONT")
        v4 = [p["ip_prefix"] for p in data.get("prefixes", []) if p.get("service") == service]
        v6 = [p["ipv6_prefix"] for p in data.get("ipv6_prefixes", []) if p.get("service") == service]
        return _networks([*v4, *v6])
    if fmt == "json_list":
        return _networks(data if isinstance(data, list) else [])
    raise CdnCatalogueRefreshError(f"{provider.name}: unknown list format {fmt!r}")


async def refresh_cdn_catalogue(
    catalogue: CdnCatalogue, client: httpx.AsyncClient, *, max_shrink: float = 0.2
) -> tuple[CdnCatalogue, list[RangeUpdate]]:
    """A catalogue with fresh ranges; raises :class:`CdnCatalogueRefreshError` on a suspicious list."""
    updated = []
    changes = []
    for provider in catalogue.providers:
        if not provider.published:
            updated.append(provider)
            continue
        try:
            fresh = await published_ranges(client, provider)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise CdnCatalogueRefreshError(f"{provider.name}: cannot read its published list: {exc}") from exc
        old = len(provider.ipv4) + len(provider.ipv6)
        if not fresh:
            raise CdnCatalogueRefreshError(
                f"{provider.name}: the published list is empty (had {old} networks); refusing"
            )
        if old and len(fresh) < old * (1 - max_shrink):
            raise CdnCatalogueRefreshError(
                f"{provider.name}: the published list shrank from {old} to {len(fresh)} networks "
                f"(more than {max_shrink:.0%}); refusing"
            )
        changes.append(RangeUpdate(provider.name, old, len(fresh)))
        updated.append(
            provider.model_copy(
                update={"ipv4": [n for n in fresh if ":" not in n], "ipv6": [n for n in fresh if ":" in n]}
            )
        )
    return CdnCatalogue(providers=updated), changes


def write_cdn_catalogue(catalogue: CdnCatalogue, path: Path) -> None:
    """Write the catalogue where :func:`resolver.cdn_catalogue.load_cdn_catalogue` will prefer it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"as_of": catalogue.as_of, "providers": [p.model_dump(exclude_defaults=False) for p in catalogue.providers]}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    tmp.replace(path)
