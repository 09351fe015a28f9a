"""Refreshing provider ranges from published lists served by a local server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from lab.http_util import ThreadedServer
from resolver import CdnCatalogueRefreshError, load_cdn_catalogue
from resolver.cdn_catalogue import CdnCatalogue
from resolver.refresh import refresh_cdn_catalogue, write_cdn_catalogue

LISTS: dict[str, object] = {}


async def serve(request: Request) -> Response:
    body = LISTS.get(request.url.path)
    if body is None:
        return PlainTextResponse("missing", status_code=404)
    if isinstance(body, str):
        return PlainTextResponse(body)
    return JSONResponse(body)


@pytest.fixture(scope="module")
def lists_url() -> object:
    with ThreadedServer(Starlette(routes=[Route("/{p:path}", serve)])) as server:
        yield server.url


def catalogue_at(url: str) -> CdnCatalogue:
    packaged = load_cdn_catalogue()
    cf = packaged.by_name("Cloudflare")
    aws = packaged.by_name("Amazon CloudFront")
    assert cf is not None and aws is not None
    return CdnCatalogue(
        providers=[
            cf.model_copy(update={"published": {"ipv4": f"{url}/cf-v4", "ipv6": f"{url}/cf-v6", "format": "lines"}}),
            aws.model_copy(update={"published": {"url": f"{url}/aws.json", "format": "aws", "service": "CLOUDFRONT"}}),
        ]
    )


async def test_refresh_updates_ranges_and_writes_the_catalogue(lists_url: str, tmp_path: Path) -> None:
    cf_v4 = [f"104.{i}.0.0/16" for i in range(16, 32)]
    LISTS.update(
        {
            "/cf-v4": "\n".join(cf_v4),
            "/cf-v6": "2606:4700::/32\n2400:cb00::/32\n",
            "/aws.json": {
                "prefixes": [{"ip_prefix": f"13.{i}.0.0/16", "service": "CLOUDFRONT"} for i in range(20)]
                + [{"ip_prefix": "3.5.0.0/16", "service": "EC2"}],
                "ipv6_prefixes": [{"ipv6_prefix": "2600:9000::/28", "service": "CLOUDFRONT"}],
            },
        }
    )
    async with httpx.AsyncClient(timeout=5) as client:
        fresh, changes = await refresh_cdn_catalogue(catalogue_at(lists_url), client)
    cf = fresh.by_name("Cloudflare")
    aws = fresh.by_name("Amazon CloudFront")
    assert cf is not None and aws is not None
    assert len(cf.ipv4) == 16 and cf.ipv6 == ["2400:cb00::/32", "2606:4700::/32"]
    assert "3.5.0.0/16" not in aws.ipv4 and len(aws.ipv4) == 20
    assert {c.provider for c in changes} == {"Cloudflare", "Amazon CloudFront"}
    path = tmp_path / "providers.yaml"
    write_cdn_catalogue(fresh, path)
    assert load_cdn_catalogue(path).by_name("Cloudflare").ipv4 == cf.ipv4  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("cf_v4", "says"),
    [("", "empty"), ("104.16.0.0/13\n", "shrank from")],
)
async def test_refresh_refuses_empty_or_shrunken_lists(lists_url: str, cf_v4: str, says: str) -> None:
    LISTS.update({"/cf-v4": cf_v4, "/cf-v6": ""})
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(CdnCatalogueRefreshError, match=says):
            await refresh_cdn_catalogue(catalogue_at(lists_url), client)


async def test_refresh_refuses_an_unreachable_list(lists_url: str) -> None:
    LISTS.pop("/aws.json", None)
    LISTS.update({"/cf-v4": "\n".join(f"104.{i}.0.0/16" for i in range(16, 40)), "/cf-v6": "2606:4700::/32"})
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(CdnCatalogueRefreshError, match="Amazon CloudFront: cannot read"):
            await refresh_cdn_catalogue(catalogue_at(lists_url), client)


def test_providers_refresh_command_writes_or_refuses(lists_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from piratewatch.cli import app

    target = tmp_path / "providers.yaml"
    write_cdn_catalogue(catalogue_at(lists_url), target)
    env = {"PIRATEWATCH_DATA_DIR": str(tmp_path)}
    LISTS.update({"/cf-v4": "104.16.0.0/13\n", "/cf-v6": ""})
    refused = CliRunner().invoke(app, ["providers", "refresh"], env=env)
    assert refused.exit_code == 1
    assert "Cloudflare" in refused.output and "refusing" in refused.output
    assert load_cdn_catalogue(target).by_name("Cloudflare").ipv4 == catalogue_at(lists_url).by_name("Cloudflare").ipv4  # type: ignore[union-attr]

    LISTS.update(
        {
            "/cf-v4": "\n".join(f"104.{i}.0.0/16" for i in range(16, 40)),
            "/cf-v6": "2606:4700::/32",
            "/aws.json": {"prefixes": [{"ip_prefix": f"13.{i}.0.0/16", "service": "CLOUDFRONT"} for i in range(20)]},
        }
    )
    done = CliRunner().invoke(app, ["providers", "refresh"], env=env)
    assert done.exit_code == 0, done.output
    assert "Cloudflare:" in done.output
    assert len(load_cdn_catalogue(target).by_name("Cloudflare").ipv4) == 24  # type: ignore[union-attr]


async def test_a_list_of_single_addresses_per_family_is_read_as_json(lists_url: str) -> None:
    """bunny.net's edge servers come as two JSON arrays of bare addresses (one per family), asked for as
    JSON; each becomes a one-address network, and a hostile entry is left out, not a failure."""
    bunny = load_cdn_catalogue().by_name("BunnyCDN")
    assert bunny is not None and bunny.published["format"] == "json_list"
    assert bunny.published["ipv6"].endswith("/edgeserverlist/ipv6")  # both families, as published
    LISTS.update(
        {
            "/bunny-v4": ["169.150.236.97", "212.102.50.58", "not an address", 7, None, "212.102.50.58"],
            "/bunny-v6": ["2400:52e0:1500::641:1"],
        }
    )
    local = bunny.model_copy(
        update={"published": {"ipv4": f"{lists_url}/bunny-v4", "ipv6": f"{lists_url}/bunny-v6", "format": "json_list"}}
    )
    async with httpx.AsyncClient(timeout=5) as client:
        fresh, changes = await refresh_cdn_catalogue(CdnCatalogue(providers=[local]), client)
    (refreshed,) = fresh.providers
    assert refreshed.ipv4 == ["169.150.236.97/32", "212.102.50.58/32"]
    assert refreshed.ipv6 == ["2400:52e0:1500::641:1/128"]
    assert [(c.provider, c.old, c.new) for c in changes] == [("BunnyCDN", 0, 3)]
