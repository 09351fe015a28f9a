"""Notices inside an RDAP answer (RFC 9083 §4.3): a real quota warning, or the registry's standing terms.

Some servers warn inside a 200 answer that the caller is near or past its quota. Many more carry, on
every answer, their terms of use, which say that access "is rate limited" or "subject to query
limits": that is no warning, and recording it as one would mark every answer of that registry. A
notice is a quota warning only when it says that a limit was reached or is being approached (exceeded,
too many, reached, remaining, temporarily blocked) and is not the registry's terms (titled terms,
conditions, policy, copyright, disclaimer; or linked as ``terms-of-service`` / ``copyright``).
"""

from __future__ import annotations

import re
from typing import Any

from common.text import scrub

_LIMIT_WORDS = re.compile(r"rate.?limit|quota|query limit|request limit|too many (requests|queries)", re.IGNORECASE)
#: what a warning about this caller says; terms of use describe limits without these
_EVENT = re.compile(
    r"exceed|too many (requests|queries)|reached|remaining|running out|soon|temporarily (blocked|denied)"
    r"|you have|your (quota|limit|address|ip)",
    re.IGNORECASE,
)
_STANDING_TITLE = re.compile(
    r"terms|conditions|policy|copyright|disclaimer|acceptable use|legal|status codes|inaccuracy|redact",
    re.IGNORECASE,
)
_STANDING_RELS = {"terms-of-service", "copyright", "license"}


def _texts(notice: dict[str, Any]) -> tuple[str, str]:
    title = scrub(notice.get("title"), max_length=200) or ""
    description = notice.get("description")
    lines = description if isinstance(description, list) else [description]
    body = " ".join(t for t in (scrub(line, max_length=500) for line in lines[:50]) if t)
    return title, body


def is_standing_notice(notice: dict[str, Any]) -> bool:
    """True for a notice a registry puts on every answer (its terms), whatever it says about limits."""
    title, _ = _texts(notice)
    links = notice.get("links")
    rels = (
        {link.get("rel") for link in links[:50] if isinstance(link, dict) and isinstance(link.get("rel"), str)}
        if isinstance(links, list)
        else set()
    )
    return bool(_STANDING_TITLE.search(title)) or bool(rels & _STANDING_RELS)


def quota_warning(answer: Any) -> str | None:
    """The text of a rate-limit or quota warning inside a 200 answer's notices, or None."""
    if not isinstance(answer, dict):
        return None
    for key in ("notices", "remarks"):
        notices = answer.get(key)
        for notice in notices[:100] if isinstance(notices, list) else []:
            if not isinstance(notice, dict) or is_standing_notice(notice):
                continue
            title, body = _texts(notice)
            text = f"{title} {body}".strip()
            if _LIMIT_WORDS.search(text) and _EVENT.search(text):
                return text[:300]
    return None
