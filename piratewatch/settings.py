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
from cases.takedown.config import NoticeSettings
from cases.ui.config import UiSettings
from crawlers.config import CrawlerSettings, TrafficSettings
from exporters.config import MetricsSettings, ReportSettings
from piratewatch.queue.config import QueueSettings
from resolver import ResolverSettings

# Values that mean "nobody set a secret": refused in production.
_PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "development-only-secret"}


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "piratewatch"


class ApiSettings(BaseModel):
    """Limits of the REST API: every limit answers with a clear error, never a timeout."""

    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_sites_per_request: int = Field(default=1000, ge=1)
    default_page_size: int = Field(default=50, ge=1)
    max_page_size: int = Field(default=500, ge=1)


class Settings(BaseSettings):
    """Everything piratewatch reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="PIRATEWATCH_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Field(default_factory=_default_data_dir)
    #: Empty means the embedded SQLite store in ``data_dir``; a ``postgresql+psycopg://`` URL
    #: switches to PostgreSQL.
    database_url: str = ""
    #: Signs the web UI's session cookies.
    secret_key: SecretStr = SecretStr("development-only-secret")
    host: str = "127.0.0.1"
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
    def _refuse_default_secrets(self) -> Settings:
        if self.environment == "production":
            secret = self.secret_key.get_secret_value()
            if secret in _PLACEHOLDER_SECRETS or len(secret) < 32:
                raise ValueError(
                    "PIRATEWATCH_SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
                )
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
