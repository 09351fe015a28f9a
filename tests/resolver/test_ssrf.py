"""The SSRF guard refuses IPv6 addresses that carry a refused IPv4 address, whatever the embedding."""

from __future__ import annotations

import ipaddress

import pytest

from resolver.errors import BlockedAddressError
from resolver.ssrf import AddressGuard, embedded_ipv4

REFUSED = [
    ("2002:7f00:1::", "6to4 embedding of 127.0.0.1"),
    ("2002:a9fe:a9fe::", "6to4 embedding of 169.254.169.254"),
    ("2002:a00:1:1::1", "6to4 embedding of 10.0.0.1"),
    ("64:ff9b::7f00:1", "NAT64 embedding of 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 embedding of 169.254.169.254"),
    ("64:ff9b:1::a9fe:a9fe", "local-use NAT64 address"),
    ("64:ff9b:1:a9fe:a9:fe00::", "local-use NAT64 address"),  # the /48 layout
    ("64:ff9b:1::808:808", "local-use NAT64 address"),  # RFC 8215: never public
    ("::ffff:127.0.0.1", "IPv4-mapped embedding of 127.0.0.1"),
    ("::ffff:192.168.1.1", "IPv4-mapped embedding of 192.168.1.1"),
    ("::127.0.0.1", "IPv4-compatible embedding of 127.0.0.1"),
    ("::a9fe:a9fe", "IPv4-compatible embedding of 169.254.169.254"),
    # Teredo: the client is the inverted last 32 bits; 80ff:fffe inverts to 127.0.0.1
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo client embedding of 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:5601:5601", "Teredo client embedding of 169.254.169.254"),
]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_embeddings_of_refused_ipv4_addresses_are_refused(address: str, reason: str) -> None:
    with pytest.raises(BlockedAddressError) as caught:
        AddressGuard().check(address)
    assert reason in str(caught.value)


def test_allowing_loopback_does_not_allow_its_embeddings() -> None:
    guard = AddressGuard.from_strings(["127.0.0.0/8", "::1/128"])
    assert guard.is_allowed("127.0.0.1") and guard.is_allowed("::1")
    assert not guard.is_allowed("2002:7f00:1::")
    assert not guard.is_allowed("::ffff:127.0.0.1")
    assert not guard.is_allowed("64:ff9b::7f00:1")


def test_public_addresses_and_plain_ipv6_stay_allowed() -> None:
    guard = AddressGuard()
    for address in ("8.8.8.8", "2606:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:82a::200e"):
        assert guard.is_allowed(address), address
    assert not guard.is_allowed("::") and not guard.is_allowed("::1")


def test_embedded_ipv4_names_the_embedding() -> None:
    assert [(k, str(v)) for k, v in embedded_ipv4(ipaddress.ip_address("2002:808:808::"))] == [("6to4", "8.8.8.8")]
    teredo = dict((k, str(v)) for k, v in embedded_ipv4(ipaddress.ip_address("2001:0:4136:e378:8000:63bf:3fff:fdd2")))
    assert teredo == {"Teredo server": "65.54.227.120", "Teredo client": "192.0.2.45"}
    assert embedded_ipv4(ipaddress.ip_address("2606:4700::1111")) == []
