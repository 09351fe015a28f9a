"""The crawlers' settings groups (the composition root nests them in piratewatch's settings).

Declared here, not in ``piratewatch``, because the crawlers may not import the composition root;
``crawlers/settings.py`` is Scrapy's own settings module (the project template's name).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class TrafficSettings(BaseModel):
    """Traffic estimation: the rank list, its anchors, the counters' assumptions and the traffic API."""

    #: a Tranco-format CSV (``rank,domain``, no header) or CrUX-style bands (``origin,rank`` header)
    rank_list_path: Path | None = None
    #: sites whose monthly visits are known: ``{"example.com": 1.2e7}``; C (and α) are fitted on them
    anchors: dict[str, float] = Field(default_factory=dict)
    #: the exponent α of the Zipf law visits = C · rank^-α that turns a rank into visits
    alpha: float = Field(default=1.0, gt=0)
    #: fit α too when at least three anchors are on the list (otherwise α stays fixed)
    fit_alpha: bool = False
    #: log10(C) used when no anchor is on the list (then the band is `unfitted_log_sigma` wide)
    default_log10_c: float = 10.5
    #: the band's half-width in log10 when no anchor fixed C
    unfitted_log_sigma: float = Field(default=0.6, gt=0)
    #: the band is central × 10^(±z·σ), σ the fit's residual standard deviation in log10
    band_z: float = Field(default=1.0, gt=0)
    #: pages per visit assumed when turning counter page views into visits: low, central, high
    counter_pages_per_visit: tuple[float, float, float] = (2.0, 4.0, 8.0)
    #: shorter intervals between two crawls are too noisy to extrapolate to a month
    counter_min_interval_seconds: float = Field(default=3600.0, ge=0)
    #: SimilarWeb-compatible API; empty key: the source is switched off
    api_url: str = "https://api.similarweb.com"
    #: the traffic API's key (sent as the api_key query parameter; never logged)
    api_key: SecretStr = SecretStr("")
    #: seconds for one traffic API request
    api_timeout: float = Field(default=10.0, gt=0)
    #: relative band put around the API's panel estimate
    api_relative_band: float = Field(default=0.25, gt=0, lt=1)


class CrawlerSettings(BaseModel):
    """The profile spider's limits and the scheduler's rhythm."""

    #: networks the SSRF guard lets through besides public addresses (tests and the lab: loopback)
    allow_networks: list[str] = Field(default_factory=list)
    #: the User-Agent of the profile spider
    user_agent: str = "piratewatch-crawler/0.1 (+https://github.com/piratewatch)"
    #: the URL a site's crawl starts from; ``{host}`` is the site's current domain
    start_url_template: str = "https://{host}/"
    #: host name → address, like curl's ``--resolve`` (the demo lab's fixture domains); still guarded
    host_overrides: dict[str, str] = Field(default_factory=dict)
    #: requests in flight at once towards one site
    concurrency_per_site: int = Field(default=4, ge=1)
    #: seconds between two requests to one site (politeness; Scrapy's DOWNLOAD_DELAY)
    delay_seconds: float = Field(default=0.25, ge=0)
    #: seconds for one page request before it counts as failed
    timeout_seconds: float = Field(default=20.0, gt=0)
    #: pages one crawl fetches at most (the whole crawl, split between frontier processes)
    max_pages: int = Field(default=200, ge=1)
    #: links followed from the home page, at most this many hops deep
    max_depth: int = Field(default=2, ge=0)
    #: a page larger than this is cut off (and the crawl records a problem)
    max_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    #: a page larger than this is recorded as a problem (still read up to max_bytes)
    warn_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    #: URLs read from a site's sitemaps at most
    max_sitemap_urls: int = Field(default=200_000, ge=1)
    #: a whole crawl is killed after this long (the child process)
    crawl_deadline_seconds: float = Field(default=300.0, gt=0)
    #: fuzzy title match threshold (rapidfuzz score, 0-100)
    match_threshold: float = Field(default=88.0, ge=0, le=100)
    #: sites sharing fingerprints merge at once at or above this confidence; below, an operator confirms
    family_merge_confidence: float = Field(default=0.9, ge=0, le=1)
    #: the scheduler: how often each job runs per site, and how many run at once
    resolve_every_hours: float = Field(default=24.0, gt=0)
    #: hours between two crawls of a site
    crawl_every_hours: float = Field(default=24.0, gt=0)
    #: hours between two traffic estimates of a site (default a week)
    estimate_every_hours: float = Field(default=24.0 * 7, gt=0)
    #: `piratewatch run`: crawl children (and other jobs) at once
    concurrency: int = Field(default=4, ge=1)
    #: a claimed job is held this long; a runner killed mid-job loses it after this
    lease_seconds: float = Field(default=1800.0, gt=0)
    #: a big site's crawl split over several processes sharing a frontier in Redis (crawlers.frontier);
    #: max_pages is for the whole crawl. Empty URL or one process: one child, Scrapy's own scheduler.
    frontier_redis_url: str = ""
    #: crawl children sharing one frontier for a big site (1: no shared frontier)
    frontier_processes: int = Field(default=1, ge=1)
    #: a frontier child with nothing to fetch waits this long for links the others may add
    frontier_idle_seconds: float = Field(default=5.0, ge=0)
