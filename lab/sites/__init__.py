"""Fixture pirate sites for the demo and the tests, served by one local app that dispatches on Host.

Normal sites (``lab.sites.content``) render with the layouts of real pirate themes
(``lab.sites.layouts``: WordPress Madara, MangaReader / MangaStream, FlatManga, TruyenQQ / NetTruyen,
a streaming site, hand-made ones); old domains hop to new ones by 301, 302, meta refresh, JavaScript
and "we moved" notices; ``hostile.test`` serves the pages a crawler must survive: a gzip bomb, an
endless page, an endless redirect chain, a slow drip, malformed HTML, a redirect into a private
address, a page of digits and absurdly nested JSON-LD. View counters live in
:attr:`FixtureSites.views` so a test can make them grow between crawls.
"""

from lab.sites.app import FixtureSites, generated_site
from lab.sites.content import GENERATED, HOPS, HOSTILE, HOSTILE_HOPS, HOSTS, RANK_ANCHORS, RANK_LIST, SITES

__all__ = [
    "GENERATED",
    "HOPS",
    "HOSTILE",
    "HOSTILE_HOPS",
    "HOSTS",
    "RANK_ANCHORS",
    "RANK_LIST",
    "SITES",
    "FixtureSites",
    "generated_site",
]
