"""The UI's languages: English (the text of the templates) and Japanese (a gettext catalogue).

The language of a page is the one the user chose (the ``pw_lang`` cookie, set by ``/ui/language``),
else the best match of the browser's ``Accept-Language``, else English. The catalogue is the
standard ``locale/<lang>/LC_MESSAGES/messages.po``, read with Babel and compiled in memory when
first used, so the repository holds no binary ``.mo`` and translators edit plain PO files
(``pybabel extract -F babel.cfg`` finds the ``_("...")`` calls of the templates).
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from fastapi import Request

from cases.messages import TERM_PLACES, Said


def N_(text: str) -> str:  # noqa: N802 (gettext's own name for a marker)
    """Mark `text` as a message of the catalogue without translating it here (the page translates it).

    ``pybabel extract`` finds ``N_`` marks as it finds ``_`` calls; ``tests/ui/test_languages.py``
    checks that each has its Japanese text.
    """
    return text


#: reasons the store writes in English and the pages show in the reader's language (their exact text)
STORED_REASONS = (N_("every URL failed the re-check"), N_("every URL is gone"))

#: words of the store's vocabulary that audit values and stored answers hold (kinds, legal bases,
#: outcomes, channels, the fields an audit event names): a page shows each in the reader's language
#: where it stands alone as a value or a key (:func:`term`), never inside free text
TERMS = (
    N_("host"),
    N_("cdn"),
    N_("registrar"),
    N_("registry"),
    N_("search_engine"),
    N_("platform"),
    N_("payment"),
    N_("ads"),
    N_("legal"),
    N_("dmca_512c3"),
    N_("dsa_art16"),
    N_("jp_provider_liability"),
    N_("raa_3_18"),
    N_("registry_abuse_policy"),
    N_("search_delisting"),
    N_("smtp"),
    N_("api"),
    N_("state"),
    N_("claimed_by"),
    N_("review_reason"),
    N_("rejection_reason"),
    N_("due_at"),
    N_("rendered_sha256"),
    N_("outcome"),
    N_("outcome_reason"),
    N_("case_id"),
    N_("notice_id"),
    N_("provider_id"),
    N_("site_id"),
    N_("step"),
    N_("items"),
    N_("legal_basis"),
    N_("template"),
    N_("language"),
    N_("channel"),
    N_("sent_at"),
    N_("status"),
    N_("complete"),
    N_("limited"),
)

#: the names of states and kinds the pages show translated (``_(value)`` in the templates), marked here
#: so that the catalogue holds each: a notice's states, a case's, a site's and a domain's
STATE_NAMES = (
    N_("draft"),
    N_("in_review"),
    N_("approved"),
    N_("sending"),
    N_("sent"),
    N_("delivered"),
    N_("bounced"),
    N_("acknowledged"),
    N_("actioned"),
    N_("partially_actioned"),
    N_("rejected"),
    N_("no_response"),
    N_("counter_noticed"),
    N_("action_filed"),
    N_("restore_expected"),
    N_("poster_inquired"),
    N_("restored"),
    N_("superseded"),
    N_("open"),
    N_("escalated"),
    N_("closed"),
    N_("active"),
    N_("unreachable"),
    N_("seized"),
    N_("merged"),
    N_("redirecting"),
    N_("expired"),
    N_("failed"),
    N_("pending"),
    N_("dropped"),
    N_("still_live"),
    N_("create"),
    N_("update"),
    N_("delete"),
    N_("notice_item"),
    N_("delivery_attempt"),
    N_("hop"),
    N_("infrastructure"),
    N_("notice"),
)

#: every word :func:`term` translates
_VOCABULARY = frozenset((*STORED_REASONS, *TERMS, *STATE_NAMES))

#: the languages the UI speaks, the first one the default
LANGUAGES = ("en", "ja")
#: the cookie that remembers the user's choice
LANGUAGE_COOKIE = "pw_lang"
#: how many Accept-Language entries are read (the header is the client's: never trusted to be short)
_MAX_ENTRIES = 20


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of `language` (English: the templates' own text)."""
    if language == "en":
        return gettext.NullTranslations()
    path = (
        Path(str(resources.files("piratewatch.web.ui").joinpath("locale"))) / language / "LC_MESSAGES" / "messages.po"
    )
    with path.open("rb") as po:
        catalogue = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


def accepted(header: str) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first (RFC 9110 §12.5.4)."""
    weighted: list[tuple[float, int, str]] = []
    for index, entry in enumerate(header.split(",")[:_MAX_ENTRIES]):
        tag, _, params = entry.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.strip().replace("-", "_")))
    return [tag for _, _, tag in sorted(weighted)]


def language_of(request: Request) -> str:
    """The language to answer `request` in."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    wanted = accepted(request.headers.get("accept-language", "")[:2000])
    best = negotiate_locale(wanted, list(LANGUAGES), sep="_") if wanted else None
    return best or LANGUAGES[0]


def when(value: dt.datetime | None, language: str) -> str:
    """A time stamp in UTC, written the language's way."""
    if value is None:
        return "—"
    moment = value.astimezone(dt.UTC)
    if language == "en":
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return format_datetime(moment, "medium", tzinfo=dt.UTC, locale=Locale.parse(language)) + " UTC"


def number(value: float | None, language: str) -> str:
    """A whole number with the language's grouping."""
    return format_decimal(round(value), locale=language) if value is not None else "—"


def term(value: object, gettext: Callable[[str], str]) -> object:
    """`value` in the reader's language if it is one of the store's words (a state, a kind, a field),
    else as it is: an operator's text that happens to be a word elsewhere is never rewritten."""
    if isinstance(value, str) and value in _VOCABULARY:
        return gettext(value)
    return value


def say(text: object, gettext: Callable[[str], str]) -> str:
    """A message of the store (:class:`cases.messages.Said`) in the language of `gettext`; other text as it is.

    The template is translated, then its places filled: a value that is a message itself is said in
    turn, a value in a place of :data:`cases.messages.TERM_PLACES` is a word of the vocabulary. A
    translation whose places do not match the template's (a translator's slip) falls back to the
    English rather than failing the page.
    """
    if not isinstance(text, Said):
        return "" if text is None else str(text)
    values = {
        name: say(value, gettext)
        if isinstance(value, Said)
        else (term(str(value), gettext) if name in TERM_PLACES else value)
        for name, value in text.params.items()
    }
    try:
        return gettext(text.template).format(**values)
    except (KeyError, IndexError, ValueError):
        return str(text)
