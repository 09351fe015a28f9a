"""The address ranges of an RDAP IP network object, all of them.

A network is a range from ``startAddress`` to ``endAddress`` (RFC 9083 §5.4); a range that is not one
CIDR block is several. ARIN also lists them in the ``cidr0_cidrs`` extension
(https://bitbucket.org/arin-specs/cidr0): ``[{"v4prefix": "192.0.2.0", "length": 25}, ...]``. Every
block is kept, because each is a cache key: an address in the third block of a network must find the
network in the cache like one in the first.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from resolver.rdap_shape import Shape, type_name

#: blocks kept per network (a range summarises into at most 2 × 128 blocks)
MAX_BLOCKS = 256

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address as registries write it: old ARIN answers zero-pad IPv4 octets ("074.125.000.000"),
    old RIPE answers add a host prefix length ("62.239.237.0/32", "2a00:2381:ffff::/128")."""
    address, slash, length = text.partition("/")
    if slash and length in ("32", "128"):
        text = address
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        parts = text.split(".")
        if len(parts) == 4 and all(p.isdigit() and len(p) <= 3 for p in parts):
            return ipaddress.IPv4Address(".".join(str(int(p)) for p in parts))
        raise


def _cidr0(obj: dict[str, Any], shape: Shape) -> list[IPNetwork]:
    out: list[IPNetwork] = []
    for where, block in shape.objects(obj, "cidr0_cidrs", ""):
        prefix = block.get("v4prefix", block.get("v6prefix"))
        length = block.get("length")
        if not isinstance(prefix, str) or not isinstance(length, int) or isinstance(length, bool):
            shape.problem(
                where, f"prefix {type_name(prefix)} and length {type_name(length)}, expected a string and a number"
            )
            continue
        try:
            out.append(ipaddress.ip_network(f"{_address(prefix)}/{length}", strict=False))
        except ValueError as exc:
            shape.problem(where, f"not a CIDR block ({str(exc)[:100]})")
    return out


def cidrs_of(obj: dict[str, Any], shape: Shape) -> tuple[list[str], str | None]:
    """Every CIDR block of the network, and the range as a profile shows it (one block, or "start - end")."""
    blocks = _cidr0(obj, shape)
    start, end = shape.text(obj, "startAddress", "", max_length=64), shape.text(obj, "endAddress", "", max_length=64)
    span: list[IPNetwork] = []
    if start and end:
        try:
            first, last = _address(start), _address(end)
            span = list(ipaddress.summarize_address_range(first, last))
        except (ValueError, TypeError) as exc:
            shape.problem("startAddress..endAddress", f"not an address range ({str(exc)[:100]})")
    blocks = blocks or span
    unique = list(dict.fromkeys(str(b) for b in blocks))[:MAX_BLOCKS]
    if len(span) == 1:  # the range is one block, whichever blocks cidr0 lists
        return unique, str(span[0])
    if len(unique) == 1 or not span:
        return unique, unique[0] if unique else None
    return unique, f"{start} - {end}"
