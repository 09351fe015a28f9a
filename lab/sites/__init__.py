"""Fixture pirate sites for the demo and the tests, served by one local app that dispatches on Host.

Normal sites (``lab.sites.catalogue``) render with two templates (the WordPress "Madara" manga theme
and a generic one); ``hostile.test`` serves the pages a crawler must survive: a gzip bomb, an
endless page, an endless redirect chain, a slow drip, malformed HTML and a redirect into a private
address. View counters live in :attr:`FixtureSites.views` so a test can make them grow between crawls.
"""

from lab.sites.app import FixtureSites
from lab.sites.catalogue import HOPS, HOSTILE, HOSTS, RANK_ANCHORS, RANK_LIST, SITES

__all__ = ["HOPS", "HOSTILE", "HOSTS", "RANK_ANCHORS", "RANK_LIST", "SITES", "FixtureSites"]
