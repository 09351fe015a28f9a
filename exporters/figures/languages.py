"""Languages and their home countries (for the "domestic share" of a language's audience).

Only languages spoken mostly in one country have a home country here: English, Spanish, French,
Portuguese, Arabic and Chinese without a region have none, so no domestic share is claimed for them.
"""

from __future__ import annotations

from cases.works.kinds import ContentType

HOME_COUNTRY: dict[str, str] = {
    "ja": "JP",
    "vi": "VN",
    "ko": "KR",
    "th": "TH",
    "id": "ID",
    "ms": "MY",
    "tl": "PH",
    "fil": "PH",
    "km": "KH",
    "lo": "LA",
    "my": "MM",
    "bn": "BD",
    "he": "IL",
    "fa": "IR",
    "tr": "TR",
    "pl": "PL",
    "it": "IT",
    "de": "DE",
    "nl": "NL",
    "sv": "SE",
    "fi": "FI",
    "da": "DK",
    "nb": "NO",
    "cs": "CZ",
    "hu": "HU",
    "ro": "RO",
    "el": "GR",
    "uk": "UA",
    "ru": "RU",
    "pt-br": "BR",
    "pt-pt": "PT",
    "zh-cn": "CN",
    "zh-tw": "TW",
    "zh-hk": "HK",
    "es-mx": "MX",
    "es-es": "ES",
}

CONTENT_TYPES = frozenset(c.value for c in ContentType)


def normalise_language(tag: str) -> str:
    """A BCP 47 tag in lower case (``zh-TW`` → ``zh-tw``); empty → ``und``."""
    tag = tag.strip().lower().replace("_", "-")
    return tag or "und"


def home_country(language: str) -> str | None:
    """The country where `language` is mostly spoken, if there is one."""
    return HOME_COUNTRY.get(language)


def normalise_content_type(value: str) -> str:
    """A known content type, or ``other``."""
    value = value.strip().lower()
    return value if value in CONTENT_TYPES else "other"
