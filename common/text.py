"""Values from outside, made safe once, at the edge where they come in.

Everything piratewatch reads from outside (API bodies, CSV files, RDAP and WHOIS answers, crawled
pages, replies) may carry what breaks a store, a client or a legal text: NUL (PostgreSQL refuses it in
text), control characters, lone surrogates (a string that cannot be written as UTF-8), bidirectional
overrides (text that displays in another order than it reads), and line breaks in values that end up
on one line of a notice or of an e-mail header. Two policies, for two kinds of source:

- **refuse** (:func:`clean_text`, :func:`one_line`, :func:`header_value`, :func:`email_address`,
  :func:`normalize_url`): what a person submits is refused with the reason, so they can fix it;
- **scrub** (:func:`scrub`, :func:`scrub_block` for long texts that keep their lines): what a registry or a page says cannot be sent back, so it is made safe
  (line breaks and controls become spaces, the rest dropped) and kept.

URLs are normalised into the one form every HTTP client accepts: the host in IDNA (UTS 46: full-width
letters map to ASCII, a soft hyphen disappears), the path, query and fragment percent-encoded, no
credentials, no default port.
"""

from __future__ import annotations

import re
import unicodedata
from email.errors import HeaderParseError
from email.headerregistry import Address
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import idna

#: every character that may not stand in submitted text: C0 controls but tab, LF and CR; DEL; C1
#: controls; lone surrogates; the bidirectional embeddings, overrides and isolates
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
#: line breaks of every kind (what must never reach a one-line value)
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SPACES = re.compile(r"[ \t]+")
_HTTP_SCHEMES = {"http", "https"}
#: characters left as they are in a URL's path, query and fragment (RFC 3986 unreserved, sub-delims,
#: ":", "@", "/", "?" and an existing "%XX" escape)
_URL_SAFE = "/:@!$&'()*+,;=-._~?%"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
MAX_URL_LENGTH = 2000
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
#: a normalised URL httpx is known to accept as it is (so its parser, a third of the cost of
#: normalising, is skipped): http(s), a host of letter-digit-hyphen labels ending in a label that
#: starts with a letter (never an IPv4 address), no port, then only characters `quote` leaves.
#: Checked against httpx itself in tests/common/test_text.py.
_PLAIN_URL = re.compile(rf"https?://(?:{_LABEL}\.)*[a-z][a-z0-9-]{{0,62}}/[A-Za-z0-9/:@!$&'()*+,;=._~?%#-]*\Z")


class UnsafeTextError(ValueError):
    """Raised when a value cannot be taken as it is; the message says which character and where."""


def _describe(match: re.Match[str]) -> str:
    char = match.group(0)
    name = unicodedata.name(char, "a control character") if not 0xD800 <= ord(char) <= 0xDFFF else "a lone surrogate"
    return f"U+{ord(char):04X} ({name.lower()}) at position {match.start() + 1}"


def clean_text(value: str, *, multiline: bool = True) -> str:
    """`value` with line endings made ``\\n``, or :class:`UnsafeTextError` for a character that may not stand in text."""
    found = _FORBIDDEN.search(value)
    if found:
        raise UnsafeTextError(f"contains {_describe(found)}, which text may not contain")
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        return one_line(text)
    return text


def one_line(value: str) -> str:
    """`value` if it holds no line break (and no other forbidden character); :class:`UnsafeTextError` otherwise."""
    found = _FORBIDDEN.search(value) or _LINE_BREAKS.search(value)
    if found:
        raise UnsafeTextError(f"contains {_describe(found)}; this value must be one line of text")
    return value


def header_value(value: str) -> str:
    """A value that goes into an e-mail header or one line of a legal text (a name, a subject): one line."""
    return one_line(value).strip()


def email_address(value: str) -> str:
    """An e-mail address (``local@domain``, nothing else: no display name, no second address), or
    :class:`UnsafeTextError` saying why not."""
    text = header_value(value)
    if text.count("@") != 1 or any(c in text for c in " ,;<>\"'()[]\\"):
        raise UnsafeTextError(f"not an e-mail address: {text[:80]!r} is not one address of the form local@domain")
    try:
        address = Address(addr_spec=text)
    except (HeaderParseError, ValueError, IndexError) as exc:
        raise UnsafeTextError(f"not an e-mail address: {text[:80]!r} ({exc})") from exc
    if not address.username or "." not in address.domain:
        raise UnsafeTextError(f"not an e-mail address: {text[:80]!r} has no domain")
    return address.addr_spec


def scrub(value: object, *, max_length: int = 1000) -> str | None:
    """What a registry, a page or a reply said, made safe to store, print and quote on one line.

    Line breaks and control characters become spaces, lone surrogates and bidirectional controls are
    dropped, runs of spaces collapse, and the result is cut at `max_length`. Anything that is not a
    string (a number where a name was expected) becomes None: the caller records the field as missing.
    """
    if not isinstance(value, str):
        return None
    text = _LINE_BREAKS.sub(" ", value)
    text = re.sub("[\x00-\x08\x0e-\x1f\x7f-\x9f]", " ", text)
    text = re.sub("[\ud800-\udfff\u202a-\u202e\u2066-\u2069]", "", text)
    text = _SPACES.sub(" ", text).strip()
    return text[:max_length] or None


def scrub_block(value: object, *, max_length: int = 100_000) -> str | None:
    """What a reply or a page said at length, made safe to store and show, its lines kept.

    As :func:`scrub`, but line breaks stay (made ``\\n``): NUL and the other control characters become
    spaces, lone surrogates and bidirectional controls are dropped, the text is cut at `max_length`.
    """
    if not isinstance(value, str):
        return None
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", " ", text)
    text = re.sub("[\ud800-\udfff\u202a-\u202e\u2066-\u2069]", "", text)
    return text[:max_length] or None


def _ascii_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise UnsafeTextError("the URL has no host")
    if ":" in host:  # an IPv6 literal (urlsplit gives it without brackets); httpx checks it below
        return f"[{host}]"
    if re.fullmatch(r"[a-z0-9.-]+", host) and "xn--" not in host:
        return host
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise UnsafeTextError(f"the URL's host {host[:80]!r} is not a valid domain name: {exc}") from exc


def _without_dot_segments(path: str) -> str:
    """`path` with its ``.`` and ``..`` segments resolved (RFC 3986 §5.2.4), as every HTTP client sends it:
    the URL kept is the URL fetched (``/a/./b/../c`` is ``/a/c``)."""
    if "." not in path:
        return path
    segments = path.split("/")
    kept: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment in (".", ".."):
            if segment == ".." and len(kept) > 1:
                kept.pop()
            if last:
                kept.append("")  # "/a/." and "/a/b/.." name a directory: the slash stays
        else:
            kept.append(segment)
    return "/".join(kept)


#: a dot segment ("/./", "/../", or one ending the path), which normalising removes
_DOT_SEGMENT = re.compile(r"/\.\.?(?=/|\Z)")


def _already_normal(text: str) -> bool:
    """Whether normalising `text` would give `text` itself: a plain URL (:data:`_PLAIN_URL`) with no
    bad escape, no dot segment, at most one "#", and no empty query or fragment (which would be
    dropped). Most URLs of a bulk import are such, and this check costs a tenth of the parse, quoting
    and rebuilding it spares (``tests/intake/test_url_fast_path.py`` checks it agrees with them)."""
    if len(text) > MAX_URL_LENGTH or not _PLAIN_URL.match(text) or _BAD_ESCAPE.search(text):
        return False
    rest, hash_mark, fragment = text.partition("#")
    if (hash_mark and not fragment) or "#" in fragment:
        return False
    path, question, query = rest[rest.index("/", 8) :].partition("?")
    return not (question and not query) and not _DOT_SEGMENT.search(path)


def normalize_url(value: str) -> str:
    """`value` as the one http(s) URL every client accepts, or :class:`UnsafeTextError` saying why not.

    Normalising twice gives the same URL; two spellings of one URL (``ＥＸＡＭＰＬＥ.com``,
    ``example.com:80``) give the same string.
    """
    text = value.strip()
    if _already_normal(text):
        return text
    return normalize_url_by_parts(text)


def normalize_url_by_parts(text: str) -> str:
    """:func:`normalize_url` the long way: split, each part checked and quoted, put together again."""
    if len(text) > MAX_URL_LENGTH:
        raise UnsafeTextError(f"URL too long: {len(text)} characters (at most {MAX_URL_LENGTH})")
    # A space is percent-encoded (browsers do the same); any other blank or control character is refused.
    found = _FORBIDDEN.search(text) or _LINE_BREAKS.search(text) or re.search(r"[^\S ]", text)
    if found:
        raise UnsafeTextError(f"the URL contains {_describe(found)}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTextError(f"not a URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _HTTP_SCHEMES:
        raise UnsafeTextError("must be an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTextError("the URL carries a user name or password; give it without credentials")
    host = _ascii_host(parts.hostname or "")
    netloc = host if port is None or port == {"http": 80, "https": 443}[scheme] else f"{host}:{port}"

    def encode(part: str) -> str:
        return quote(_BAD_ESCAPE.sub("%25", part), safe=_URL_SAFE)

    path = _without_dot_segments(encode(parts.path)) or "/"
    url = urlunsplit((scheme, netloc, path, encode(parts.query), encode(parts.fragment)))
    if _PLAIN_URL.match(url):
        return url
    try:
        httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsafeTextError(f"not a URL an HTTP client accepts: {exc}") from exc
    return url
