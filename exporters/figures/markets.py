"""Which sites are "for" a market: the sites whose audience is mainly that country.

The published tables (a country's top pirate sites, e.g. the Japanese IP Strategic Program's "top 10
sites for Japan") count a site's *whole* monthly visits when the site serves that country, not only
the visits that come from it. A site is for the market when the market is the largest named country
of its audience; a site whose audience countries are unknown is for the market when every one of its
languages is spoken mostly there (a Japanese-only site for JP), and the report says that this is the
basis. Both the store's selection of exported sites and the report use this one rule, so the report
reads the same sites from the store and from Prometheus.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from exporters.figures.languages import home_country
from exporters.figures.model import OTHER, UNKNOWN_COUNTRY

#: why a site counts for the market: its audience, or (audience unknown) its language
Basis = Literal["audience", "language"]


def audience_known(countries: Mapping[str, float]) -> bool:
    """Whether a site's audience countries are known (not the single ``unknown`` share)."""
    return bool(countries) and UNKNOWN_COUNTRY not in countries


def main_country(countries: Mapping[str, float]) -> str | None:
    """The largest named country of an audience (ties: the first code); None when none is named."""
    named = [(share, code) for code, share in countries.items() if code not in (OTHER, UNKNOWN_COUNTRY) and share > 0]
    if not named:
        return None
    return min(named, key=lambda sc: (-sc[0], sc[1]))[1]


def market_basis(countries: Mapping[str, float], languages: Sequence[str], market: str) -> Basis | None:
    """Why the site counts for `market` (None: it does not)."""
    if audience_known(countries):
        return "audience" if main_country(countries) == market else None
    homes = {home_country(lang) for lang in languages}
    return "language" if homes == {market} else None


#: How a site distributes (the IP Strategic Program asks damage split so): mainly for the market; mainly
#: for one other country in that country's own language ("within the destination country"); or across
#: borders, to audiences outside the market spread over several countries ("aimed abroad").
WITHIN_MARKET, WITHIN_DESTINATION, AIMED_ABROAD, UNKNOWN_DISTRIBUTION = (
    "within_market",
    "within_destination",
    "aimed_abroad",
    "unknown",
)
DISTRIBUTIONS = (WITHIN_MARKET, AIMED_ABROAD, WITHIN_DESTINATION, UNKNOWN_DISTRIBUTION)
#: the share of its audience a site's main country must hold for the site to be "within" that country
LOCAL_SHARE = 0.5


def distribution_type(countries: Mapping[str, float], languages: Sequence[str], market: str) -> str:
    """The site's distribution type (:data:`DISTRIBUTIONS`)."""
    if market_basis(countries, languages, market) is not None:
        return WITHIN_MARKET
    homes = {home_country(lang) for lang in languages}
    if audience_known(countries):
        main = main_country(countries)
        if main is not None and countries.get(main, 0.0) >= LOCAL_SHARE and main in homes:
            return WITHIN_DESTINATION
        return AIMED_ABROAD
    if len(homes) == 1 and None not in homes:
        return WITHIN_DESTINATION  # e.g. a Vietnamese-only site of unknown audience
    return UNKNOWN_DISTRIBUTION
