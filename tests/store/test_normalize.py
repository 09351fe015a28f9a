"""Domain normalisation: examples from the field, and properties over arbitrary input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.hosts import NormalizationError, normalize_host


@pytest.mark.parametrize(
    ("raw", "fqdn", "unicode", "registrable"),
    [
        ("https://user:pw@WWW.Example.COM:8443/path?q=1#f", "example.com", "example.com", "example.com"),
        ("ＥＸＡＭＰＬＥ.com", "example.com", "example.com", "example.com"),  # full-width letters
        ("www.漫画.jp", "xn--qex62k.jp", "漫画.jp", "xn--qex62k.jp"),
        ("xn--qex62k.jp", "xn--qex62k.jp", "漫画.jp", "xn--qex62k.jp"),
        ("hxxps://manga-raw[.]io/x", "manga-raw.io", "manga-raw.io", "manga-raw.io"),  # defanged
        ("mirror.site.co.uk.", "mirror.site.co.uk", "mirror.site.co.uk", "site.co.uk"),
        ("foo.blogspot.com", "foo.blogspot.com", "foo.blogspot.com", "foo.blogspot.com"),  # private suffix
        ("đảo-hải-tặc.vn", "xn--o-hi-tc-f7a4429dda7t.vn", "đảo-hải-tặc.vn", "xn--o-hi-tc-f7a4429dda7t.vn"),
        ("//cdn.example.org/a.js", "cdn.example.org", "cdn.example.org", "example.org"),
        ("www.com", "www.com", "www.com", "www.com"),  # "www" is the domain here, not a prefix
        ("site.test", "site.test", "site.test", "site.test"),  # reserved for tests and the lab
    ],
)
def test_examples(raw: str, fqdn: str, unicode: str, registrable: str) -> None:
    host = normalize_host(raw)
    assert (host.fqdn, host.fqdn_unicode, host.registrable_domain, host.is_ip) == (fqdn, unicode, registrable, False)


@pytest.mark.parametrize(
    ("raw", "fqdn"),
    [("192.0.2.1", "192.0.2.1"), ("http://[2001:DB8::1]:8080/x", "2001:db8::1"), ("2001:0db8::0001", "2001:db8::1")],
)
def test_ip_literals_are_accepted_and_flagged(raw: str, fqdn: str) -> None:
    host = normalize_host(raw)
    assert host.is_ip and host.fqdn == fqdn == host.registrable_domain


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ftp://example.com", "unsupported scheme"),
        ("localhost", "no known public suffix"),
        ("co.uk", "public suffix"),
        ("exa mple.com", "whitespace"),
        ("a..b.com", "Empty Label"),
        ("-bad.com", "hyphen"),
        ("x" * 64 + ".com", "too long"),
        ("http://example.com:99999/", "Port out of range"),
        ("under_score.com", "not a valid"),
        ("a" * 3000, "too long"),
    ],
)
def test_bad_input_says_what_is_wrong(raw: str, says: str) -> None:
    with pytest.raises(NormalizationError, match=says):
        normalize_host(raw)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_never_crashes(raw: str) -> None:
    try:
        host = normalize_host(raw)
    except NormalizationError:
        return
    assert host.fqdn == host.fqdn.lower()
    assert not host.fqdn.startswith("www.") or host.fqdn.count(".") == 1


_label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789漫画đảoñü", min_size=1, max_size=12).filter(
    lambda s: not s.startswith("-")
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_label, min_size=1, max_size=3), st.sampled_from(["com", "jp", "vn", "co.uk", "net"]))
def test_idempotent_and_round_trips(labels: list[str], suffix: str) -> None:
    try:
        host = normalize_host(".".join([*labels, suffix]))
    except NormalizationError:
        return
    assert normalize_host(host.fqdn) == host  # idempotent on the ASCII form
    assert normalize_host(host.fqdn_unicode) == host  # unicode -> punycode -> unicode
    assert normalize_host(f"https://WWW.{host.fqdn_unicode.upper()}:443/x") == host
    assert host.fqdn.endswith(host.registrable_domain)
