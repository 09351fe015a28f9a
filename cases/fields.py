"""Field types for wire models, each applying :mod:`common.text`'s rule for its kind of value.

What a person sends is refused with the reason (a 422 naming the field, a CSV row's line): ``Line``
(one line: names, titles, references), ``Text`` (free text: line breaks allowed), ``Url`` (stored
normalised), ``Email``. What a crawl or a registry reports is scrubbed instead, since nobody can be
asked to fix it: ``Scrubbed`` (one line, at most 500 characters) and ``ScrubbedUrl`` (normalised, or
None when it cannot be one).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from common.text import UnsafeTextError, clean_text, email_address, normalize_url, one_line, scrub


def _refusing(rule: Any) -> Any:
    def check(value: str) -> str:
        try:
            result: str = rule(value)
        except UnsafeTextError as exc:
            raise ValueError(str(exc)) from exc
        return result

    return check


def _scrubbed_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return normalize_url(value)
    except UnsafeTextError:
        return None


Line = Annotated[str, AfterValidator(_refusing(lambda v: one_line(v).strip()))]
Text = Annotated[str, AfterValidator(_refusing(clean_text))]
Url = Annotated[str, AfterValidator(_refusing(normalize_url))]
Email = Annotated[str, AfterValidator(_refusing(email_address))]
Scrubbed = Annotated[str | None, BeforeValidator(lambda v: scrub(v, max_length=500))]
ScrubbedUrl = Annotated[str | None, BeforeValidator(_scrubbed_url)]
