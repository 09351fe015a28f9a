"""The SSRF guard: which addresses piratewatch may connect to.

Pirate sites are hostile input. A site (or its DNS) can point us at 127.0.0.1, at the cloud metadata
address 169.254.169.254 or at an office network, hoping we fetch something for them. Every component
that opens a connection to an address learnt from the outside (the HTTP probe, the origin finder, the
crawler) asks this guard first. Tests and the demo lab run on loopback, so the guard takes an explicit
allow-list of networks; nothing is allowed by default except public unicast addresses.

An IPv6 address can carry an IPv4 address inside it, and some of those are routed to the IPv4 address
they carry (RFC 4291 mapped and compatible addresses; 6to4, RFC 3056; NAT64, RFC 6052 and RFC 8215;
Teredo, RFC 4380, whose client address is the inverted last 32 bits). An embedding of a refused IPv4
address is refused for the IPv4 address's reason, whatever the IPv6 address's own flags say (which
differ between Python versions: 6to4 is "global" to the standard library).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from resolver.errors import BlockedAddressError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: never globally routed


def embedded_ipv4(ip: IPAddress) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses `ip` carries and the kind of embedding, e.g. ``[("6to4", 127.0.0.1)]``."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if ip.ipv4_mapped is not None:
        found.append(("IPv4-mapped", ip.ipv4_mapped))
    elif ip in _IPV4_COMPATIBLE and int(ip) > 1:  # :: and ::1 are not embeddings
        found.append(("IPv4-compatible", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    if ip.sixtofour is not None:
        found.append(("6to4", ip.sixtofour))
    if ip.teredo is not None:
        found.append(("Teredo server", ip.teredo[0]))
        found.append(("Teredo client", ip.teredo[1]))  # the standard library inverts the bits
    if ip in _NAT64_WELL_KNOWN:
        found.append(("NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    return found


def _why_not_public(ip: IPAddress) -> str | None:
    """Return why `ip` is not a public unicast address, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64_LOCAL_USE:
        # RFC 6052 puts the IPv4 address at one of several places under a /48: refuse the whole prefix
        return "local-use NAT64 address (RFC 8215), never globally routed"
    for kind, v4 in embedded_ipv4(ip):
        inner = _why_not_public(v4)
        if inner is not None:
            return f"{kind} embedding of {v4}, a {inner}"
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
    )
    for name, hit in checks:
        if hit:
            return f"{name} address"
    if not ip.is_global:
        return "not a globally routable address"
    return None


@dataclass(frozen=True)
class AddressGuard:
    """Allows public unicast addresses, plus the networks named in `allow`.

    `allow` takes CIDR strings such as ``"127.0.0.0/8"`` or ``"::1/128"``; an empty allow-list is the
    production setting.
    """

    allow: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def from_strings(cls, networks: Iterable[str]) -> AddressGuard:
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks))

    def is_allowed(self, address: str | IPAddress) -> bool:
        try:
            self.check(address)
        except BlockedAddressError:
            return False
        return True

    def check(self, address: str | IPAddress) -> None:
        """Raise :class:`BlockedAddressError` unless connecting to `address` is allowed."""
        try:
            ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        except ValueError as exc:
            raise BlockedAddressError(str(address), "not an IP address") from exc
        if any(ip.version == net.version and ip in net for net in self.allow):
            return
        reason = _why_not_public(ip)
        if reason is not None:
            raise BlockedAddressError(str(ip), reason)
