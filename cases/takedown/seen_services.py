"""The ad networks and payment services a site uses, as its crawls found them, matched to the directory.

A pirate site earns from ads and donations; the ads and payment steps of the ladder go to the network
or the payment service the site itself uses, not to whichever provider of the kind the directory lists
first. The crawls record what they saw (``site_crawl``): the ad networks whose tags are on its pages
(``ad_networks``, by the tag's host: ``adsterra``, ``google-adsense``), Google Ads IDs among its
analytics IDs (``AW-…``: ``google-ads``), and the links and forms that pay a payment or donation
service (``payment_links``: ``paypal``, ``ko-fi``, with the link and the page it was on). Analytics
and Tag Manager IDs (``G-``, ``UA-``, ``GTM-``) name no ad or payment service and are not used.

A name is matched to a provider of the step's kind that lists it in ``crawl_names``, or whose name
reads as it (``Adsterra`` → ``adsterra``, ``Ko-fi`` → ``ko-fi``). The newest crawl that saw a service
of the kind decides, in the order it saw them; its findings are cited in the notice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from cases.crawls.models import SiteCrawl
from cases.providers.models import Provider, ProviderKind

#: crawls looked at, the newest first (a site's older crawls may name a network it left)
_CRAWLS = 20
_GOOGLE_ADS_ID = re.compile(r"AW-\d{6,12}")


@dataclass(frozen=True)
class Sighting:
    """One service a crawl saw the site use: what, where and when (the evidence a notice cites)."""

    name: str
    #: ``ad tag``, ``Google Ads ID`` or ``payment link``
    what: str
    #: the tag's network, the Google Ads ID, or the payment link's URL
    detail: str
    #: the page it was on (for ad tags and IDs: the pages crawled, which the crawl does not tell apart)
    page: str
    crawl_id: int
    crawled_at: dt.datetime

    def view(self) -> dict[str, str]:
        """The sighting as a notice's template prints it (in English or Japanese)."""
        return {
            "what": self.what,
            "what_ja": _WHAT_JA[self.what],
            "detail": self.detail,
            "page": self.page,
            "crawl": str(self.crawl_id),
            "when": self.crawled_at.strftime("%Y-%m-%d %H:%M UTC"),
        }


_WHAT_JA = {"ad tag of": "広告タグ", "Google Ads ID": "Google 広告ID", "payment link": "支払・寄付リンク"}


def slug(name: str) -> str:
    """A provider's name as crawls name services: ``Ko-fi Labs`` → ``ko-fi-labs``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def sightings(crawl: SiteCrawl, kind: ProviderKind) -> list[Sighting]:
    """What `crawl` saw of services of `kind` (ads or payment), in the order it saw them."""
    # The crawl reads ad tags on every page it fetched and keeps the networks, not the pages: cited as such.
    page = f"the pages crawled from {crawl.final_url or crawl.start_url}"
    at, crawl_id = crawl.started_at, crawl.id or 0
    if kind == ProviderKind.ADS:
        found = [Sighting(n, "ad tag of", n, page, crawl_id, at) for n in crawl.ad_networks if isinstance(n, str)]
        ads_ids = [i for i in crawl.analytics_ids if isinstance(i, str) and _GOOGLE_ADS_ID.fullmatch(i)]
        return found + [Sighting("google-ads", "Google Ads ID", i, page, crawl_id, at) for i in ads_ids]
    if kind == ProviderKind.PAYMENT:
        return [
            Sighting(str(link["provider"]), "payment link", str(link["url"]), str(link["page"]), crawl_id, at)
            for link in crawl.payment_links
            if isinstance(link, dict) and {"provider", "url", "page"} <= set(link)
        ]
    return []


def _matches(provider: Provider, name: str) -> bool:
    return name in (provider.crawl_names or []) or slug(provider.name) == name


def _recent_crawls(session: Session, site_id: int) -> Iterable[SiteCrawl]:
    """The site's newest crawls, newest first (the services they saw are read in that order)."""
    return session.exec(
        select(SiteCrawl)
        .where(col(SiteCrawl.site_id) == site_id)
        .order_by(col(SiteCrawl.started_at).desc(), col(SiteCrawl.id).desc())
        .limit(_CRAWLS)
    )


def provider_seen(session: Session, site_id: int, kind: ProviderKind) -> tuple[Provider, list[Sighting]] | None:
    """The directory's provider of `kind` the site was last seen using, with every sighting of it in that
    crawl; None when no crawl saw a service of the kind that the directory knows."""
    providers = list(session.exec(select(Provider).where(col(Provider.kind) == kind.value).order_by(col(Provider.id))))
    if not providers:
        return None
    crawls = _recent_crawls(session, site_id)
    for crawl in crawls:
        seen = sightings(crawl, kind)
        for sighting in seen:
            provider = next((p for p in providers if _matches(p, sighting.name)), None)
            if provider is not None:
                return provider, [s for s in seen if _matches(provider, s.name)]
    return None


def evidence_for(session: Session, site_id: int, provider: Provider) -> list[Sighting]:
    """The newest crawl's sightings of `provider` on the site (for the notice; empty for other kinds)."""
    kind = ProviderKind(provider.kind)
    if kind not in (ProviderKind.ADS, ProviderKind.PAYMENT):
        return []
    crawls = _recent_crawls(session, site_id)
    for crawl in crawls:
        seen = [s for s in sightings(crawl, kind) if _matches(provider, s.name)]
        if seen:
            return seen
    return []
