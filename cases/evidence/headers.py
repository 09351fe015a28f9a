"""The HTTP response headers of a capture, read back from its WARC file, made safe to show.

The WARC file is the evidence: the headers shown are those of its ``response`` records, one list per
exchange (a redirect is an exchange of its own), not a copy kept beside it. A hostile server chooses
these bytes: a header may carry control characters (an escape sequence for a terminal, a NUL, a line
break smuggled into a value), bidirectional overrides, or megabytes. So every name and value is shown
with such characters as visible escapes (``\\x1b``, ``\\u202e``: the reader sees that they were
there), cut past a length (the page says how much was left out), and a response shows at most so many
headers; the page escapes the rest as markup.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

#: at most so many characters of a header value shown (the WARC file keeps it whole)
MAX_VALUE = 2000
#: ... of a header name
MAX_NAME = 200
#: at most so many headers of one response shown
MAX_HEADERS = 200
#: at most so many responses (a capture follows a handful of redirects; a hostile WARC may claim more)
MAX_EXCHANGES = 20

#: what is shown as an escape: C0 controls (tab, CR and LF too: a value is one line), DEL, C1 controls,
#: lone surrogates, the bidirectional embeddings, overrides and isolates, and the line and paragraph separators
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u2028\u2029\u200e\u200f\u061c]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str, limit: int) -> str:
    """`text` with hidden characters as visible escapes, cut at `limit` characters."""
    return _HIDDEN.sub(_escape, text[:limit])


@dataclass(frozen=True)
class Header:
    """One header as shown: its name and value made visible, and how many characters of the value were cut."""

    name: str
    value: str
    cut: int = 0


def header(name: str, value: str) -> Header:
    return Header(shown(name, MAX_NAME), shown(value, MAX_VALUE), max(0, len(value) - MAX_VALUE))


@dataclass
class Exchange:
    """One response of a capture: its URL, status line and headers, as shown."""

    url: str
    status: str
    headers: list[Header] = field(default_factory=list)
    #: headers beyond :data:`MAX_HEADERS`, not shown
    omitted: int = 0


@dataclass
class ResponseHeaders:
    """Every response's headers, or why the WARC file could not be read (after what could)."""

    exchanges: list[Exchange] = field(default_factory=list)
    problem: str | None = None
    #: responses beyond :data:`MAX_EXCHANGES`, not shown
    omitted: int = 0


def response_headers(warc: bytes) -> ResponseHeaders:
    """The response headers recorded in `warc` (bytes a hostile page shaped: never an exception)."""
    found = ResponseHeaders()
    try:
        for record in ArchiveIterator(io.BytesIO(warc)):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            if len(found.exchanges) >= MAX_EXCHANGES:
                found.omitted += 1
                continue
            http = record.http_headers
            pairs = list(http.headers)
            exchange = Exchange(
                url=shown(record.rec_headers.get_header("WARC-Target-URI") or "", MAX_VALUE),
                status=shown(http.statusline or "", MAX_NAME),
                headers=[header(str(k), str(v)) for k, v in pairs[:MAX_HEADERS]],
                omitted=max(0, len(pairs) - MAX_HEADERS),
            )
            found.exchanges.append(exchange)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, IndexError) as exc:
        found.problem = f"the WARC file cannot be read: {shown(str(exc), 300)}"
    return found
