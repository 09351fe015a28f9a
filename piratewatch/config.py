"""Settings, read from the environment (prefix ``PIRATEWATCH_``) and an optional ``.env`` file.

Nested groups use ``__``: ``PIRATEWATCH_API__MAX_SITES_PER_REQUEST=500``. Settings are built by
:func:`get_settings` when a command or the app starts, never at import time.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cases.db import sqlite_url_for
from cases.evidence.config import EvidenceSettings
from cases.takedown.config import NoticeSettings
from crawlers.capture.config import CaptureSettings
from crawlers.config import CrawlerSettings, TrafficSettings
from exporters.config import MetricsSettings, ReportSettings
from resolver import ResolverSettings


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "piratewatch"


class UiSettings(BaseModel):
    """How long a UI session lasts and when its cookie is marked ``Secure``."""

    #: a session ends this long after sign-in, whatever happens in between
    session_hours: float = Field(default=8.0, gt=0, le=24 * 7)
    #: mark cookies ``Secure`` even when the request reached us over plain HTTP (a TLS-terminating
    #: proxy that does not forward the scheme); HTTPS requests always get ``Secure`` cookies
    secure_cookies: bool = False


JobName = Literal["resolve", "crawl", "estimate"]


def _every_job() -> list[JobName]:
    return ["resolve", "crawl", "estimate"]


class QueueSettings(BaseModel):
    """How workers and the scheduler share the due work."""

    #: jobs one worker runs at once (a crawl is a child process; the other jobs wait on the network)
    concurrency: int = Field(default=4, ge=1)
    #: job kinds the scheduler defers
    jobs: list[JobName] = Field(default_factory=_every_job)
    #: seconds between the scheduler's passes
    scheduler_interval_seconds: float = Field(default=10.0, gt=0)
    #: live sites get their missing due times at most this often (a pass over every site)
    schedule_sites_seconds: float = Field(default=300.0, gt=0)
    #: due pairs deferred in one transaction (a pass defers batches until nothing is due)
    defer_batch: int = Field(default=500, ge=1)
    #: seconds between a worker's polls for jobs (new jobs also wake it at once through LISTEN/NOTIFY)
    poll_seconds: float = Field(default=5.0, gt=0)
    #: a worker's heartbeat, and how long without one before its running jobs are given to others
    heartbeat_seconds: float = Field(default=10.0, gt=0)
    #: a worker silent this long is dead: its running jobs go to others and its row is deleted
    stalled_after_seconds: float = Field(default=60.0, gt=0)
    #: a job that raised (the database went away, a bug) is retried this often, waiting 2, 4, 8 … s
    max_attempts: int = Field(default=5, ge=1)
    #: seconds a stopping worker waits for its running jobs before aborting them (they are retried)
    shutdown_grace_seconds: float = Field(default=60.0, ge=0)
    #: seconds before a worker or the scheduler reconnects after losing the database
    reconnect_seconds: float = Field(default=2.0, gt=0)
    #: a file touched while the process is healthy (a worker: its database answers; the scheduler: a
    #: pass succeeded), for container health checks; empty: none
    alive_file: str = ""
    #: how workers send approved notices: "auto" (each by its recipient's channel: e-mail, API or file),
    #: one channel (smtp, api, file), or "" to leave them to `piratewatch notices send`
    notice_channel: str = "auto"
    #: notices one outbox job sends at most (the scheduler queues the next one)
    notice_batch: int = Field(default=100, ge=1)
    #: takedown jobs (sending, settling, outcome checks) one worker runs at once, on the takedown queue
    #: beside its site jobs: approved notices never wait behind crawls. 0: this worker takes takedown
    #: jobs on its site-job slots (then some worker in the deployment must still run them)
    takedown_concurrency: int = Field(default=1, ge=0)
    #: a takedown job keeps sending newly approved notices for this long before it ends (the
    #: scheduler queues the next one): sending is continuous, not one batch per scheduler pass
    takedown_run_seconds: float = Field(default=60.0, gt=0)
    #: while a takedown job has nothing to send, it looks for newly approved notices this often
    takedown_poll_seconds: float = Field(default=1.0, gt=0)
    #: the port a worker serves its own /metrics on (process health, jobs it runs); 0: not served
    metrics_port: int = Field(default=0, ge=0, le=65535)
    #: the address it listens on (0.0.0.0 for a Prometheus on another machine or container)
    metrics_address: str = "127.0.0.1"
    #: a send still `sending` after this long was cut by a crash: the outbox settles it
    in_flight_seconds: float = Field(default=300.0, gt=0)


class ApiSettings(BaseModel):
    """Limits of the REST API: every limit answers with a clear error, never a timeout."""

    #: a request body larger than this is answered 413
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    #: sites one submission request may carry (more: 413; use the CSV import)
    max_sites_per_request: int = Field(default=1000, ge=1)
    #: items per page of a list when the client names no limit
    default_page_size: int = Field(default=50, ge=1)
    #: the largest page a client may ask for
    max_page_size: int = Field(default=500, ge=1)
    #: wrong API keys a client (or a key prefix) may send in a minute before it is answered 429
    auth_failures_per_minute: int = Field(default=20, ge=1)
    #: Redis key prefix of those counts (two deployments sharing one Redis need different prefixes)
    auth_throttle_prefix: str = "piratewatch:auth-failures"


class Settings(BaseSettings):
    """Everything piratewatch reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="PIRATEWATCH_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    #: production refuses weak settings (secret key, allowed networks); see docs/security.md
    environment: Literal["development", "production"] = "development"
    #: where the embedded store, notice files, the RDAP bootstrap cache and the provider catalogue live (default: the platform's user data directory)
    data_dir: Path = Field(default_factory=_default_data_dir)
    #: Empty means the embedded SQLite store in ``data_dir``; a ``postgresql+psycopg://`` URL
    #: switches to PostgreSQL.
    database_url: str = ""
    #: Signs the web UI's session cookies.
    secret_key: SecretStr = SecretStr("development-only-secret")
    #: the address `piratewatch serve` listens on
    host: str = "127.0.0.1"
    #: the port `piratewatch serve` listens on
    port: int = 8000
    api: ApiSettings = Field(default_factory=ApiSettings)
    #: DNS, RDAP and WHOIS: e.g. PIRATEWATCH_RESOLVER__NAMESERVERS='["9.9.9.9"]'
    resolver: ResolverSettings = Field(default_factory=ResolverSettings)
    #: the profile spider and the scheduler: e.g. PIRATEWATCH_CRAWLER__MAX_PAGES=100
    crawler: CrawlerSettings = Field(default_factory=CrawlerSettings)
    #: traffic sources: e.g. PIRATEWATCH_TRAFFIC__RANK_LIST_PATH=/data/tranco.csv
    traffic: TrafficSettings = Field(default_factory=TrafficSettings)
    #: notice delivery and the pre-send re-check: e.g. PIRATEWATCH_NOTICES__SMTP_PORT=2525
    notices: NoticeSettings = Field(default_factory=NoticeSettings)
    #: captures of URLs as evidence: e.g. PIRATEWATCH_CAPTURE__MAX_BYTES=4000000, PIRATEWATCH_CAPTURE__SCREENSHOTS=false
    capture: CaptureSettings = Field(default_factory=CaptureSettings)
    #: the evidence store and the TSA: e.g. PIRATEWATCH_EVIDENCE__TSA_URL=https://tsa.example/,
    #: PIRATEWATCH_EVIDENCE__TSA_CERTIFICATES='["/etc/piratewatch/tsa-root.pem"]'
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    #: the web UI's sessions: e.g. PIRATEWATCH_UI__SESSION_HOURS=4, PIRATEWATCH_UI__SECURE_COOKIES=true
    ui: UiSettings = Field(default_factory=UiSettings)
    #: Redis, for several workers: rate limits shared by all (and a big crawl's frontier, see docs/scaling.md)
    redis_url: str = ""
    #: workers and the scheduler (PostgreSQL): e.g. PIRATEWATCH_QUEUE__CONCURRENCY=8
    queue: QueueSettings = Field(default_factory=QueueSettings)
    #: /metrics: e.g. PIRATEWATCH_METRICS__TOP_SITES=300, PIRATEWATCH_METRICS__TIMEZONE=Asia/Tokyo
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    #: monthly reports: e.g. PIRATEWATCH_REPORTS__PROMETHEUS_URL=http://prometheus:9090
    reports: ReportSettings = Field(default_factory=ReportSettings)

    @model_validator(mode="after")
    def _refuse_weak_production(self) -> Settings:
        if self.environment == "production":
            from piratewatch.production import allow_network_problems, secret_problems

            problems = secret_problems(self.secret_key.get_secret_value())
            problems += allow_network_problems(self.resolver.allow_networks)
            if problems:
                raise ValueError("production refuses these settings: " + "; ".join(problems))
        return self

    def resolver_settings(self) -> ResolverSettings:
        """The resolver's settings, with its bootstrap cache and refreshed catalogue in the data directory.

        The catalogue written by `piratewatch providers refresh` lives in the data directory; until
        one is written, the packaged catalogue is used.
        """
        update: dict[str, object] = {}
        if self.resolver.bootstrap_cache_dir is None:
            update["bootstrap_cache_dir"] = self.data_dir / "rdap-bootstrap"
        if self.resolver.catalogue_path is None:
            update["catalogue_path"] = self.data_dir / "providers.yaml"
        if self.redis_url and not self.resolver.shared_limits_url:
            update["shared_limits_url"] = self.redis_url  # every worker draws from the same limits
        return self.resolver.model_copy(update=update) if update else self.resolver

    @cached_property
    def effective_database_url(self) -> str:
        """The database URL in use: the configured one, or the embedded SQLite file."""
        if self.database_url:
            url = self.database_url
            # People paste "postgresql://" URLs; we drive PostgreSQL through psycopg 3.
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return sqlite_url_for(self.data_dir)


def get_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, with explicit overrides on top (tests, the demo)."""
    return Settings(**overrides)  # type: ignore[arg-type]
