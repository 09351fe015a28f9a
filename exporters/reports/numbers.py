"""Numbers and names as a reader of the report's language reads them.

- Visits: ``12 M`` / ``1,200 万``; money: ``¥3.2 bn`` / ``32 億円`` — rounded to a few significant
  figures (the exact values are in the CSV files), in the units each language counts in (English
  thousands, millions, billions, trillions; Japanese 万 10⁴, 億 10⁸, 兆 10¹²).
- Languages and countries by name (``Japanese``, ``日本語``; ``Viet Nam``, ``ベトナム``), from the Unicode
  CLDR through Babel, the code kept beside a name CLDR does not know.
"""

from __future__ import annotations

import math
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal, get_currency_symbol

#: (factor, suffix), largest first
_SCALES = {
    "en": ((1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k")),
    "ja": ((1e12, "兆"), (1e8, "億"), (1e4, "万")),
}
_VISIT_SCALES = {
    "en": ((1e9, "bn"), (1e6, "M"), (1e3, "k")),
    "ja": ((1e8, "億"), (1e4, "万")),
}


def significant(value: float, digits: int = 2) -> float:
    """`value` rounded to `digits` significant figures."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _scaled(value: float, lang: str, digits: int, scales: tuple[tuple[float, str], ...]) -> tuple[str, str]:
    """The number and its unit word: 12300000 → ("12", "M") in English, ("1,200", "万") in Japanese."""
    rounded = significant(value, digits)
    for factor, suffix in scales:
        if abs(rounded) >= factor:
            return format_decimal(significant(rounded / factor, digits), locale=lang), suffix
    return format_decimal(rounded, locale=lang), ""


def visits_text(value: float, lang: str = "en", digits: int = 2) -> str:
    """Visits in a few significant figures: ``12 M``, ``1,200 万``, ``850``."""
    number, suffix = _scaled(value, lang, digits, _VISIT_SCALES.get(lang, _VISIT_SCALES["en"]))
    return f"{number} {suffix}".strip()


def money_text(value: float, currency: str, lang: str = "en", digits: int = 2) -> str:
    """Money in a few significant figures: ``¥3.2 bn``, ``32 億円``."""
    number, suffix = _scaled(value, lang, digits, _SCALES.get(lang, _SCALES["en"]))
    if lang == "ja" and currency == "JPY":
        return f"{number} {suffix}円" if suffix else f"{number} 円"
    symbol = get_currency_symbol(currency, locale=lang)
    return f"{symbol}{number} {suffix}".strip()


@cache
def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return None


def language_name(code: str, lang: str = "en") -> str:
    """``ja`` → ``Japanese`` (``日本語`` in Japanese); ``pt-br`` → ``Brazilian Portuguese``; unknown codes kept."""
    locale = _locale(lang)
    if locale is None or code in ("und", "other", ""):
        return code
    key = code.replace("-", "_")
    if "_" in key:
        base, region = key.split("_", 1)
        key = f"{base}_{region.upper()}"
    name = locale.languages.get(key) or locale.languages.get(key.split("_")[0])
    if name and "_" in key and name == locale.languages.get(key.split("_")[0]):
        territory = locale.territories.get(key.split("_")[1])
        name = f"{name} ({territory})" if territory else name
    return str(name) if name else code


def country_name(code: str, lang: str = "en") -> str:
    """``JP`` → ``Japan`` (``日本``); ``other`` and ``unknown`` kept."""
    locale = _locale(lang)
    if locale is None or len(code) != 2:
        return code
    name = locale.territories.get(code.upper())
    return str(name) if name else code
