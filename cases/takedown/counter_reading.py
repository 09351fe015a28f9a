"""Reading a forwarded counter-notice, or a poster's objection, out of a provider's reply, element by element.

**DMCA.** A counter-notification is effective only if it "includes substantially the following"
(17 U.S.C. §512(g)(3)):

(A) a physical or electronic signature of the subscriber;
(B) identification of the material that has been removed or to which access has been disabled and
    the location at which the material appeared before it was removed or access to it was disabled;
(C) a statement under penalty of perjury that the subscriber has a good faith belief that the
    material was removed or disabled as a result of mistake or misidentification;
(D) the subscriber's name, address, and telephone number, and a statement that the subscriber
    consents to the jurisdiction of Federal District Court …, and that the subscriber will accept
    service of process from the person who provided notification under subsection (c)(1)(C).

**Japan.** Under the copyright guideline of the law on dealing with rights infringement through
specified telecommunications, the provider asks the poster (発信者) whether they agree to the
transmission prevention measure (送信防止措置) and, if not, why. An objection is the poster's
statement that they do not agree (同意しない旨) with their reasons (理由 / 反論); a reply saying that
*no* objection came is no objection.

A reply is read only when it names a counter-notice (``counter-notice``, ``counter notification``,
``512(g)``) or the poster's answer to a 送信防止措置 request. Each element is a plain pattern, so
what is missing can be named; nothing is inferred. Our own notice quoted back (``>`` lines,
everything after an original-message or ``On … wrote:`` marker) is not read: a forwarded message is,
since the counter-notice is what the provider forwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DMCA = "dmca_512g"
JAPAN = "jp_objection"

_OUR_NOTICE = re.compile(
    r"^(?:-{2,}\s*(?:original message|元のメッセージ)\s*-{2,}|on .{1,200} wrote:|below is the report we received:?)\s*$",
    re.I | re.M,
)
_DMCA_MARK = re.compile(r"counter[\s-]?notic(?:e|ation)|§?\s*512\s*\(\s*g\s*\)", re.I)
_URL = re.compile(r"https?://[^\s<>\"']{3,2000}", re.I)
_HOST = re.compile(r"https?://([^/\s:?#<>\"']{1,253})", re.I)


def _line(label: str) -> re.Pattern[str]:
    """A labelled line with a value: ``Name: …`` (the label at the start of a line, in any case)."""
    return re.compile(rf"^[ \t]*(?:{label})[ \t]*:[ \t]*\S", re.I | re.M)


#: (element, what the operator is told is missing, test): §512(g)(3) in its order
DMCA_ELEMENTS: tuple[tuple[str, str, tuple[re.Pattern[str], ...]], ...] = (
    (
        "signature",
        "the subscriber's signature (§512(g)(3)(A))",
        (re.compile(r"(?:^|\s)/s/[ \t]*\S|^[ \t]*(?:signature|signed)[ \t]*:[ \t]*\S", re.I | re.M),),
    ),
    (
        "material",
        "the material removed and where it was before removal (§512(g)(3)(B))",
        (_URL, re.compile(r"\b(?:removed|disabled|taken\s+down)\b", re.I)),
    ),
    (
        "perjury_statement",
        "a statement under penalty of perjury of a good-faith belief that the material was removed by mistake "
        "or misidentification (§512(g)(3)(C))",
        (
            re.compile(r"penalty\s+of\s+perjury", re.I),
            re.compile(r"good[\s-]faith\s+belief", re.I),
            re.compile(r"\bmistake|\bmisidentif", re.I),
        ),
    ),
    ("name", "the subscriber's name (§512(g)(3)(D))", (_line(r"(?:full\s+)?name"),)),
    ("address", "the subscriber's address (§512(g)(3)(D))", (_line(r"(?:postal\s+|mailing\s+)?address"),)),
    (
        "phone",
        "the subscriber's telephone number (§512(g)(3)(D))",
        (re.compile(r"^[ \t]*(?:tel|telephone|phone)(?:\s+number)?[ \t]*:[ \t]*\+?[\d(][\d ().-]{5,}", re.I | re.M),),
    ),
    (
        "jurisdiction_consent",
        "consent to the jurisdiction of a Federal District Court (§512(g)(3)(D))",
        (re.compile(r"consent\w*\s+to\s+the\s+jurisdiction", re.I),),
    ),
    (
        "service_acceptance",
        "that the subscriber will accept service of process from the complainant (§512(g)(3)(D))",
        (re.compile(r"accept\s+service\s+of\s+process", re.I),),
    ),
)

_JP_MARK = re.compile(r"送信防止措置")
_JP_POSTER = re.compile(r"発信者")
#: "no objection was made": the opposite of an objection (the provider may now remove)
_JP_NO_OBJECTION = re.compile(
    r"(?:同意しない旨|反論|異議)[^。\n]{0,20}?(?:は|が)(?:ありません|ございません|なかった|ありませんでした|ございませんでした)"
)
JP_ELEMENTS: tuple[tuple[str, str, tuple[re.Pattern[str], ...]], ...] = (
    (
        "objection",
        "発信者が送信防止措置に同意しない旨 (the poster's refusal)",
        (re.compile(r"同意(?:し|いたし|でき)(?:ない|ません)|反論|異議"),),
    ),
    ("reasons", "その理由 (the poster's reasons)", (re.compile(r"理由|反論の内容"),)),
)


@dataclass(frozen=True)
class CounterReading:
    """A counter-notice or objection found in a reply: which, what is missing, and the part read."""

    kind: str
    #: the elements not found, as the operator is told them (empty: complete)
    missing: tuple[str, ...]
    #: the text read (the reply without our notice quoted back)
    text: str
    #: the host of the first URL it names (the material's location), to check it against the site
    domain: str | None

    @property
    def complete(self) -> bool:
        return not self.missing


def _read_part(body: str) -> str:
    marker = _OUR_NOTICE.search(body)
    text = body[: marker.start()] if marker else body
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


def _missing(text: str, elements: tuple[tuple[str, str, tuple[re.Pattern[str], ...]], ...]) -> tuple[str, ...]:
    return tuple(told for _, told, tests in elements if not all(t.search(text) for t in tests))


def read_counter(body: str | None) -> CounterReading | None:
    """The counter-notice or objection in `body`, or None when it names neither."""
    text = _read_part(body or "")
    host = _HOST.search(text)
    domain = host.group(1).rstrip(".").lower() if host else None
    if _DMCA_MARK.search(text):
        return CounterReading(DMCA, _missing(text, DMCA_ELEMENTS), text, domain)
    if _JP_MARK.search(text) and _JP_POSTER.search(text) and not _JP_NO_OBJECTION.search(text):
        return CounterReading(JAPAN, _missing(text, JP_ELEMENTS), text, domain)
    return None
