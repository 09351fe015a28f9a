"""Port-43 WHOIS, for TLDs whose registry has no RDAP service.

The query is ours (asyncio, so the server and port come from the settings and the lab can answer);
the parsing is the maintained ``python-whois`` package's per-TLD parsers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

import whois.parser

from common.text import UnsafeTextError, normalize_url, scrub
from resolver.config import ResolverSettings
from resolver.models import Failure, Registration
from resolver.rdap_parse import is_placeholder

MAX_ANSWER_BYTES = 256 * 1024
_EMAIL = re.compile(r"abuse[^\n]*?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})", re.IGNORECASE)


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _date(value: Any) -> dt.datetime | None:
    value = _first(value)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def _url(value: Any) -> str | None:
    """A registrar URL as WHOIS writes it ("www.example.com" too), or None when it is no usable URL."""
    text = scrub(value, max_length=2000)
    if not text:
        return None
    try:
        return normalize_url(text if "://" in text else f"http://{text}")
    except UnsafeTextError:
        return None


def parse_whois(domain: str, text: str) -> tuple[Registration, list[str]]:
    """Registration facts and abuse e-mails from a raw WHOIS answer."""
    entry = whois.parser.WhoisEntry.load(domain, text)
    registrar = scrub(_first(entry.get("registrar")), max_length=300)
    statuses = entry.get("status") or []
    if isinstance(statuses, str):
        statuses = [statuses]
    nameservers = entry.get("name_servers") or []
    if isinstance(nameservers, str):
        nameservers = [nameservers]
    registration = Registration(
        domain=domain,
        source="whois",
        registrar=None if is_placeholder(registrar) else registrar,
        registrar_url=_url(_first(entry.get("registrar_url"))),
        created=_date(entry.get("creation_date")),
        updated=_date(entry.get("updated_date")),
        expires=_date(entry.get("expiration_date")),
        statuses=[t for t in (scrub(str(s), max_length=200) for s in statuses[:50]) if t],
        nameservers=sorted(
            {t.lower().rstrip(".") for t in (scrub(str(n), max_length=253) for n in nameservers[:50]) if t}
        ),
    )
    emails = list(dict.fromkeys(m.group(1).lower() for m in _EMAIL.finditer(text)))
    return registration, [e for e in emails if not is_placeholder(e)]


async def query_whois(server: str, port: int, domain: str, limit_seconds: float) -> str:
    """The raw answer of `server` for `domain`, within `limit_seconds` as a whole (not per read: a
    server dripping a byte at a time fails at the deadline) and at most :data:`MAX_ANSWER_BYTES`."""
    async with asyncio.timeout(limit_seconds):
        return await _query(server, port, domain)


async def _query(server: str, port: int, domain: str) -> str:
    reader, writer = await asyncio.open_connection(server, port)
    try:
        writer.write(domain.encode("idna") + b"\r\n")
        await writer.drain()
        chunks: list[bytes] = []
        size = 0
        while size < MAX_ANSWER_BYTES:
            chunk = await reader.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks).decode("utf-8", "replace")
    finally:
        writer.close()


async def whois_registration(
    settings: ResolverSettings, domain: str, failures: list[Failure]
) -> tuple[Registration | None, list[str], str | None]:
    """Registration and abuse e-mails over WHOIS, if a server is configured for the TLD."""
    tld = domain.rsplit(".", 1)[-1]
    server = settings.whois_servers.get(tld)
    if not server:
        return None, [], None
    host, _, port = server.partition(":")
    try:
        text = await query_whois(host, int(port or settings.whois_port), domain, settings.whois_timeout)
    except TimeoutError:
        message = f"{server} gave no whole answer within {settings.whois_timeout:g} s"
        failures.append(Failure(stage="whois", target=domain, kind="timeout", message=message))
        return None, [], server
    except OSError as exc:
        failures.append(Failure(stage="whois", target=domain, kind="network_error", message=f"{server}: {exc}"))
        return None, [], server
    try:
        # python-whois runs a few hundred regular expressions: off the event loop, so one long
        # answer does not stall every other resolution
        registration, emails = await asyncio.to_thread(parse_whois, domain, text)
    except Exception as exc:
        failures.append(Failure(stage="whois", target=domain, kind="malformed", message=f"{server}: {exc}"[:300]))
        return None, [], server
    return registration, emails, server
