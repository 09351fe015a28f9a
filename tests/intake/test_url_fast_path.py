"""The shortcut in URL normalisation (skip httpx's parser for plain URLs) never lets through a URL
httpx would refuse: every URL it takes is one httpx accepts, unchanged."""

from __future__ import annotations

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from common.text import _PLAIN_URL, UnsafeTextError, normalize_url

_tricky = st.text(
    alphabet=st.sampled_from(list("aZ09.-_~:/?#[]@!$&'()*+,;=% \"<>\\^`{|}\u00e9\u3042\x00\x7f")), max_size=30
)
_hosts = st.one_of(
    st.sampled_from(
        ["example.com", "1.2.3.4", "999.1.1.1", "a-.com", "xn--wgv71a.jp", "ex..com", "[::1]", "EXAMPLE.COM"]
    ),
    st.text(alphabet=st.sampled_from(list("ab9.-")), min_size=1, max_size=20),
)


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(["http", "https", "HTTP"]), _hosts, st.sampled_from(["", ":80", ":8080", ":0", ":99999"]), _tricky
)
def test_every_url_the_shortcut_takes_is_one_httpx_accepts(scheme: str, host: str, port: str, rest: str) -> None:
    try:
        url = normalize_url(f"{scheme}://{host}{port}/{rest}")
    except UnsafeTextError:
        return
    if _PLAIN_URL.match(url):
        assert str(httpx.URL(url)) == url


def test_the_shortcut_is_taken_for_plain_urls_only() -> None:
    assert _PLAIN_URL.match("https://pirate-1.com/manga/work-1/chapter-2?p=1#top")
    for url in ("https://1.2.3.4/", "https://example.com:8080/", "https://[::1]/", "https://a-.com/", "ftp://x.com/"):
        assert not _PLAIN_URL.match(url), url


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from(["http", "https", "HTTP", "https", "ftp"]),
    _hosts,
    st.sampled_from(["", "", ":80", ":8080"]),
    st.text(alphabet=st.sampled_from(list("aZ09./-_~?#%=&.:@")), max_size=30) | _tricky,
)
def test_a_url_already_normal_is_the_one_normalising_gives(scheme: str, host: str, port: str, rest: str) -> None:
    """The shortcut that returns a URL as it came (most of a bulk import) agrees with the full normalisation:
    dot segments, empty queries and fragments, bad escapes and second "#" included."""
    from common.text import _already_normal, normalize_url_by_parts

    text = f"{scheme}://{host}{port}/{rest}".strip()  # as normalize_url takes it
    try:
        slow = normalize_url_by_parts(text)
    except UnsafeTextError:
        assert not _already_normal(text)
        return
    assert normalize_url(text) == slow
    if _already_normal(text):
        assert slow == text


def test_the_shortcut_knows_what_normalising_would_change() -> None:
    from common.text import _already_normal

    assert _already_normal("https://pirate-1.com/manga/work-1/chapter-2?p=1#top")
    for changed in ("https://a.com/x?", "https://a.com/x#", "https://a.com/x?#f", "https://a.com/a/../b",
                    "https://a.com/a/.", "https://a.com/%zz", "https://a.com/x#a#b", "https://A.com/"):  # fmt: skip
        assert not _already_normal(changed), changed
        assert normalize_url(changed) != changed, changed
