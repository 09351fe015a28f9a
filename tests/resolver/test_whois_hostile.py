"""WHOIS answers are untrusted too: a whole-answer deadline, and values made safe to store and print."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from lab.whois_server import WhoisServer
from resolver.models import Failure
from resolver.whois import parse_whois, whois_registration


async def test_a_dripping_whois_server_fails_at_the_deadline(lab: Any, shared_testdata: Path) -> None:
    raw = shared_testdata / "whois" / "raw" / "allegro.pl"
    with WhoisServer({"allegro.pl": raw}, drip=0.3) as server:
        settings = lab.settings(whois_servers={"pl": f"127.0.0.1:{server.port}"}, whois_timeout=1.5)
        failures: list[Failure] = []
        start = time.monotonic()
        registration, _emails, _server = await whois_registration(settings, "allegro.pl", failures)
        took = time.monotonic() - start
    assert registration is None
    assert [(f.kind, f.message) for f in failures] == [
        ("timeout", f"127.0.0.1:{server.port} gave no whole answer within 1.5 s")
    ]
    assert took < 5  # every byte came within 0.3 s: only the whole-answer deadline ends it


def test_whois_values_are_scrubbed() -> None:
    hostile = (
        "Domain Name: PIRATE-EXAMPLE.COM\n"
        "Registrar: Evil\x00 Registrar\x1b[31m\u202e Ltd\n"
        "Registrar URL: http://[::1\n"
        "Name Server: NS1.EXAMPLE.NET.\x07\n"
        "Status: clientTransferProhibited\x00\n"
        "Creation Date: 2020-01-02T03:04:05Z\n"
    )
    registration, _ = parse_whois("pirate-example.com", hostile)
    assert registration.registrar == "Evil Registrar [31m Ltd"
    assert registration.registrar_url is None  # no client could use it
    assert registration.nameservers == ["ns1.example.net"]
    assert registration.statuses == ["clientTransferProhibited"]
    registration.model_dump_json().encode("utf-8")
