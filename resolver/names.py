"""What a caller gives the resolver, made into the host name to resolve, or refused saying why.

Operators paste what they have: ``Example.COM``, ``example.com.``, ``example.com:8443``,
``https://www.example.com/films?page=2``. The resolver asks DNS and RDAP about a host name, so the
scheme, port, path, query, fragment and trailing dot are taken off, the name is lower-cased and put in
IDNA form (UTS 46), and ``www.`` is kept (it may live elsewhere than the bare domain). Anything that
does not name a host (another scheme, credentials, an IP address, whitespace, control characters, a
bad port) is refused with :class:`InvalidDomainError`.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import idna

from resolver.errors import InvalidDomainError

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_LDH = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
MAX_INPUT = 2000


def _shown(raw: str) -> str:
    return repr(_FORBIDDEN.sub("?", raw[:80]))


def host_name(raw: str) -> str:
    """The ASCII host name `raw` names; :class:`InvalidDomainError` saying why when it names none."""
    text = raw.strip()
    if not text:
        raise InvalidDomainError("empty: give a host name or an http(s) URL")
    if len(text) > MAX_INPUT:
        raise InvalidDomainError(f"too long: {len(text)} characters (at most {MAX_INPUT})")
    if found := _FORBIDDEN.search(text):
        raise InvalidDomainError(f"{_shown(text)} contains U+{ord(found.group(0)):04X}, which a host name cannot")
    scheme = _SCHEME.match(text)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        raise InvalidDomainError(f"{_shown(text)}: only http and https URLs name a site, not {scheme.group(1)}://")
    try:
        parts = urlsplit(text if scheme or text.startswith("//") else f"//{text}")
        port = parts.port  # a port that is not a number, or out of range, raises
    except ValueError as exc:
        raise InvalidDomainError(f"{_shown(text)} is not a host name or URL ({exc})") from exc
    if parts.username is not None or parts.password is not None:
        raise InvalidDomainError(f"{_shown(text)} carries a user name or password; give the host name alone")
    del port  # the port is dropped: DNS and RDAP know names, not ports
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidDomainError(f"{_shown(text)} names no host")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise InvalidDomainError(f"{host!r} is an IP address; give a host name (addresses have no registrable domain)")
    return _ascii(host)


def _ascii(host: str) -> str:
    if not host.isascii() or "xn--" in host:
        try:
            host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise InvalidDomainError(f"{host[:80]!r} is not a valid internationalised domain name ({exc})") from exc
    labels = host.lower().split(".")
    for label in labels:
        if not _LDH.match(label):
            raise InvalidDomainError(f"{host[:80]!r}: label {label[:63]!r} is not a host label")
    name = ".".join(labels)
    if len(name) > 253:
        raise InvalidDomainError(f"host name too long: {len(name)} characters (at most 253)")
    return name
