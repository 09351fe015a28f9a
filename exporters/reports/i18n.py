"""The report's language: its words from a gettext message catalogue, read with Babel.

``exporters/reports/locale/<lang>/LC_MESSAGES/report.po`` holds the translations, one ``msgid`` per
English text (placeholders in braces, filled after translation: ``t("Top {n} sites for {market}",
n=5, market="JP")``). English is the source language and needs no catalogue. The catalogue is read
with Babel and compiled in memory once per process, so only the reviewed ``.po`` text is kept in the
repository. A report is built inside ``with language("ja"):``; everything that writes words asks
:func:`t`, so one build never mixes languages, and two threads may build two editions at once.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib.resources import files

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

#: the report's editions
LANGUAGES = ("en", "ja")
_CURRENT: ContextVar[str] = ContextVar("report_language", default="en")


@cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The translations of `lang` (English: none needed)."""
    if lang == "en":
        return gettext.NullTranslations()
    po = files("exporters.reports") / "locale" / lang / "LC_MESSAGES" / "report.po"
    with po.open("rb") as fh:
        parsed = read_po(fh, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, parsed)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def current() -> str:
    """The language of the report being built."""
    return _CURRENT.get()


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Build (or write) a report in `lang`."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: the report is written in {' or '.join(LANGUAGES)}")
    token = _CURRENT.set(lang)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def t(message: str, **values: object) -> str:
    """`message` in the report's language, its ``{placeholders}`` filled with `values`."""
    text = catalogue(_CURRENT.get()).gettext(message)
    return text.format(**values) if values else text
