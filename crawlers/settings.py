"""Scrapy settings of the profile spider (the project template's ``settings.py``).

These are the defaults; :func:`crawlers.crawl.scrapy_settings` overrides the limits from
:class:`crawlers.config.CrawlerSettings` for each crawl. Every limit here is a defence against a
hostile site: pages, bytes, depth, redirects, time.
"""

BOT_NAME = "piratewatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Names go through our resolver: host overrides (the lab) and the SSRF guard on the resolved address.
DNS_RESOLVER = "crawlers.middlewares.GuardedResolver"

# Pirate sites' robots.txt says nothing we must obey for evidence collection; it is read for sitemaps.
ROBOTSTXT_OBEY = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"

# One site per crawl: these are per-site limits.
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# hops, robots.txt, sitemap indexes and sitemaps count too: pages are limited by PIRATEWATCH_MAX_DEPTH
DEPTH_LIMIT = 12
PIRATEWATCH_MAX_DEPTH = 2
CLOSESPIDER_PAGECOUNT = 200
CLOSESPIDER_TIMEOUT = 300
REDIRECT_MAX_TIMES = 10
RETRY_ENABLED = True
RETRY_TIMES = 1
HTTPERROR_ALLOW_ALL = True

DOWNLOADER_MIDDLEWARES = {
    # before everything that could send a request on: every request, redirects included, is checked
    "crawlers.middlewares.AddressGuardMiddleware": 50,
}
ITEM_PIPELINES = {"crawlers.pipelines.ProfilePipeline": 100}

#: the allow-list of the SSRF guard (CIDR strings); empty in production
PIRATEWATCH_ALLOW_NETWORKS: list[str] = []
#: host name → address, like curl's --resolve (the lab's fixture domains)
PIRATEWATCH_HOST_OVERRIDES: dict[str, str] = {}
#: where the pipeline writes the crawl's profile as JSON
PIRATEWATCH_OUTPUT = ""
#: sitemap URLs counted at most (a sitemap bomb stops here)
PIRATEWATCH_MAX_SITEMAP_URLS = 200_000
