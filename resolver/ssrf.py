"""The SSRF guard: which addresses piratewatch may connect to.

Pirate sites are hostile input. A site (or its DNS) can point us at 127.0.0.1, at the cloud metadata
address 169.254.169.254 or at an office network, hoping we fetch something for them. Every component
that opens a connection to an address learnt from the outside (the HTTP probe, the origin finder, the
crawler) asks this guard first. Tests and the demo lab run on loopback, so the guard takes an explicit
allow-list of networks; nothing is allowed by default except public unicast addresses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from resolver.errors import BlockedAddressError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _why_not_public(ip: IPAddress) -> str | None:
    """Return why `ip` is not a public unicast address, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _why_not_public(ip.ipv4_mapped)
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
