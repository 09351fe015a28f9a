"""The HTTP probe and the origin finder against real local HTTP(S) servers on loopback addresses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from lab.dns_server import DnsServer
from lab.http_util import ThreadedServer, free_port
from lab.tls import write_self_signed
from resolver import Resolver, ResolverSettings

PAGE = "<html><head><title>Manga Raw - read free</title></head><body>chapters</body></html>"


def site_app(server_header: str | None, body: str = PAGE) -> Starlette:
    async def home(request: Request) -> Response:
        host = request.headers.get("host", "").split(":")[0]
        if host == "old-site.test":
            port = request.url.port
            return RedirectResponse(f"{request.url.scheme}://new-site.test:{port}/", status_code=301)
        if host == "loop-site.test":
            return RedirectResponse("/again", status_code=302)
        if host == "evil-site.test":
            return RedirectResponse("http://169.254.169.254/latest/meta-data/", status_code=302)
        headers = {"server": server_header} if server_header else {}
        return HTMLResponse(body, headers=headers)

    return Starlette(routes=[Route("/{path:path}", home)])


ZONE = """$TTL 60
@ SOA ns.test. x.test. 1 60 60 60 60
"""


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    certs = tmp_path_factory.mktemp("tls")
    key, cert = write_self_signed(certs, ["new-site.test", "mirror-site.test", "*.new-site.test"])
    port = free_port()
    zones = [
        ("old-site.test.", ZONE + "@ A 127.0.0.1\n"),
        ("new-site.test.", ZONE + "@ A 127.0.0.1\n"),
        ("loop-site.test.", ZONE + "@ A 127.0.0.1\n"),
        ("evil-site.test.", ZONE + "@ A 127.0.0.1\n"),
        ("private-site.test.", ZONE + "@ A 10.1.2.3\n"),
        # behind a "CDN" on 127.0.0.2; the origin leaks through mail. (127.0.0.3) and SPF (127.0.0.5);
        # direct. (127.0.0.4) serves something else and must not be confirmed
        (
            "cdn-site.test.",
            ZONE + "@ A 127.0.0.2\n@ MX 10 mail.cdn-site.test.\n"
            '@ TXT "v=spf1 ip4:127.0.0.5 -all"\nmail A 127.0.0.3\ndirect A 127.0.0.4\n',
        ),
    ]
    servers = [
        ThreadedServer(site_app(None), "127.0.0.1", port, ssl_keyfile=str(key), ssl_certfile=str(cert)),
        ThreadedServer(site_app("ddos-guard"), "127.0.0.2", port, ssl_keyfile=str(key), ssl_certfile=str(cert)),
        ThreadedServer(site_app(None), "127.0.0.3", port, ssl_keyfile=str(key), ssl_certfile=str(cert)),
        ThreadedServer(
            site_app(None, "<title>Apache default page</title>"),
            "127.0.0.4",
            port,
            ssl_keyfile=str(key),
            ssl_certfile=str(cert),
        ),
    ]
    with DnsServer(zones) as dns:
        for s in servers:
            s.start()
        try:
            yield {"dns": dns, "port": port}
        finally:
            for s in servers:
                s.stop()


def settings(web: dict[str, Any], **overrides: Any) -> ResolverSettings:
    values: dict[str, Any] = {
        "nameservers": ["127.0.0.1"],
        "dns_port": web["dns"].port,
        "dns_lifetime": 1.5,
        "rdap_bootstrap_offline": True,
        "allow_networks": ["127.0.0.0/8"],
        "probe_https_port": web["port"],
        "probe_http_port": web["port"],
        "http_timeout": 3,
    }
    values.update(overrides)
    return ResolverSettings.model_validate(values)


async def test_redirect_to_another_domain_is_a_hop_and_sans_are_siblings(web: dict[str, Any]) -> None:
    async with Resolver(settings(web)) as r:
        profile = await r.resolve("old-site.test")
    http = profile.http
    assert http is not None
    assert [h.status for h in http.chain] == [301, 200]
    assert http.final_url == f"https://new-site.test:{web['port']}/"
    assert http.hops_to == ["new-site.test"]
    assert http.title == "Manga Raw - read free"
    assert http.tls is not None and http.tls.subject == "new-site.test" and http.tls.issuer == "piratewatch lab CA"
    assert set(profile.siblings) == {"new-site.test", "mirror-site.test"}


async def test_endless_redirects_stop_at_the_limit(web: dict[str, Any]) -> None:
    async with Resolver(settings(web, probe_max_redirects=5)) as r:
        profile = await r.resolve("loop-site.test")
    assert profile.http is not None and len(profile.http.chain) == 6
    assert any("more than 5 redirects" in f.message for f in profile.failures)


async def test_redirect_into_a_private_address_is_blocked(web: dict[str, Any]) -> None:
    async with Resolver(settings(web)) as r:
        profile = await r.resolve("evil-site.test")
    assert any(f.kind == "blocked_address" and "169.254.169.254" in f.message for f in profile.failures)


async def test_site_on_a_private_address_is_not_probed(web: dict[str, Any]) -> None:
    async with Resolver(settings(web)) as r:
        profile = await r.resolve("private-site.test")
    assert profile.http is None
    assert any(f.kind == "blocked_address" and "10.1.2.3" in f.message for f in profile.failures)


async def test_origin_behind_a_cdn_is_confirmed_only_when_it_serves_the_same_page(web: dict[str, Any]) -> None:
    async with Resolver(settings(web)) as r:
        profile = await r.resolve("cdn-site.test", history=["127.0.0.9"])
    assert profile.cdn is not None
    assert profile.cdn.provider == "DDoS-Guard"
    by_ip = {c.ip: c for c in profile.origin_candidates}
    assert by_ip["127.0.0.3"].confirmed and by_ip["127.0.0.3"].source == "mx:mail.cdn-site.test"
    assert not by_ip["127.0.0.4"].confirmed and by_ip["127.0.0.4"].detail == "different content"
    assert by_ip["127.0.0.5"].source == "spf" and not by_ip["127.0.0.5"].confirmed  # nothing listens there
    assert by_ip["127.0.0.9"].source == "history"
    assert "127.0.0.2" not in by_ip  # the CDN's own address is not a candidate


async def test_hop_and_certificate_siblings_join_the_site(
    web: dict[str, Any], factory: Any, client: Any, tenants: Any
) -> None:
    from cases.audit.services import Actor
    from piratewatch.jobs.resolve import resolve_and_record

    body = {"sites": [{"domains": ["old-site.test"]}]}
    site_id = client.post("/api/v1/submissions", json=body, headers={"X-API-Key": tenants.a}).json()["results"][0][
        "site_id"
    ]
    async with Resolver(settings(web)) as r:
        outcome = (await resolve_and_record(factory, r, ["old-site.test"], Actor("test")))[0]
    kinds = {(c.kind, c.new) for c in outcome.changes}
    assert ("redirects_to_domain", "new-site.test") in kinds
    assert ("sibling_domain", "mirror-site.test") in kinds
    detail = client.get(f"/api/v1/sites/{site_id}", headers={"X-API-Key": tenants.a}).json()
    assert set(detail["domains"]) == {"old-site.test", "new-site.test", "mirror-site.test"}
    old = next(d for d in detail["domain_details"] if d["fqdn"] == "old-site.test")
    assert (old["status"], old["redirects_to"]) == ("redirecting", "new-site.test")
    assert any(e["kind"] == "redirects_to_domain" for e in detail["timeline"])
    # resolving again changes nothing more
    async with Resolver(settings(web)) as r:
        again = (await resolve_and_record(factory, r, ["old-site.test"], Actor("test")))[0]
    assert again.changes == []
