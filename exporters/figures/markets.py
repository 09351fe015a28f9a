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

import functools
from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple

from exporters.figures.languages import home_country
from exporters.figures.model import OTHER, UNKNOWN_COUNTRY

#: why a site counts for the market: its audience, or (audience unknown) its language
Basis = Literal["audience", "language"]


def audience_known(countries: Mapping[str, float]) -> bool:
    """Whether a site's audience countries are known (not the single ``unknown`` share)."""
    return bool(countries) and UNKNOWN_COUNTRY not in countries


def main_country(countries: Mapping[str, float]) -> str | None:
    """The largest named country of an audience (ties: the first code); None when none is named."""
    best: str | None = None
    best_share = 0.0
    for code, share in countries.items():  # one pass, no list: this runs for every site of every month
        if code in (OTHER, UNKNOWN_COUNTRY) or not share > 0:  # also drops NaN
            continue
        if best is None or share > best_share or (share == best_share and code < best):
            best, best_share = code, share
    return best


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


class AudienceReading(NamedTuple):
    """What the market rules read of an audience: read once per distinct audience, not once per use."""

    known: bool
    main: str | None
    #: the main country holds at least :data:`LOCAL_SHARE` of the visits
    local: bool


def read_audience(countries: Mapping[str, float]) -> AudienceReading:
    """The audience as the market rules read it (:func:`market_basis`, :func:`distribution_type`)."""
    main = main_country(countries)
    local = main is not None and countries.get(main, 0.0) >= LOCAL_SHARE
    return AudienceReading(audience_known(countries), main, local)


@functools.lru_cache(maxsize=4096)
def _homes(languages: tuple[str, ...]) -> frozenset[str | None]:
    return frozenset(home_country(lang) for lang in languages)


@functools.lru_cache(maxsize=65536)
def classify(reading: AudienceReading, languages: tuple[str, ...], market: str) -> tuple[Basis | None, str]:
    """Why the site counts for `market` (None: it does not), and its distribution type.

    Keyed by the audience's reading and the site's languages, both of which repeat over thousands
    of sites and months, so the rules run once per combination (a report reads fifteen months of
    10,000 sites).
    """
    homes = _homes(languages)
    if reading.known:
        basis: Basis | None = "audience" if reading.main == market else None
    else:
        basis = "language" if homes == {market} else None
    if basis is not None:
        return basis, WITHIN_MARKET
    if reading.known:
        if reading.main is not None and reading.local and reading.main in homes:
            return None, WITHIN_DESTINATION
        return None, AIMED_ABROAD
    if len(homes) == 1 and None not in homes:
        return None, WITHIN_DESTINATION  # e.g. a Vietnamese-only site of unknown audience
    return None, UNKNOWN_DISTRIBUTION


def market_basis(countries: Mapping[str, float], languages: Sequence[str], market: str) -> Basis | None:
    """Why the site counts for `market` (None: it does not)."""
    return classify(read_audience(countries), tuple(languages), market)[0]


def distribution_type(countries: Mapping[str, float], languages: Sequence[str], market: str) -> str:
    """The site's distribution type (:data:`DISTRIBUTIONS`)."""
    return classify(read_audience(countries), tuple(languages), market)[1]
