"""Settings of the metrics endpoint and the monthly report (nested in piratewatch's settings).

Declared here, once, with their defaults; the composition root nests them
(``PIRATEWATCH_METRICS__TOP_SITES=300``, ``PIRATEWATCH_REPORTS__PROMETHEUS_URL=...``).
"""

from __future__ import annotations

import enum
import zoneinfo
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator


class PdfMode(enum.StrEnum):
    """Whether the report is printed to PDF too."""

    AUTO = "auto"  # when a Chromium is found
    YES = "yes"  # or fail
    NO = "no"


def _valid_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Tokyo or UTC)") from exc
    return value


class MetricsSettings(BaseModel):
    """What ``/metrics`` exports, and how its label sets stay bounded."""

    #: sites with series of their own: the top N by visits, and the top N by visits from `market`
    top_sites: int = Field(default=200, ge=1, le=5000)
    #: and the top sites of each language and each content type (the report's per-language lists)
    top_per_group: int = Field(default=10, ge=1, le=100)
    #: providers with scorecard series of their own, by notices sent
    top_providers: int = Field(default=50, ge=1, le=1000)
    #: languages and audience countries with series of their own; the rest are summed as ``other``
    max_languages: int = Field(default=50, ge=1, le=500)
    #: audience countries with series of their own; the rest are summed as ``other``
    max_countries: int = Field(default=60, ge=1, le=300)
    #: the audience country the reports are written for ("domestic"; ISO 3166-1 alpha-2)
    market: str = Field(default="JP", pattern=r"^[A-Z]{2}$")
    #: calendar months of the monthly figures are counted in this time zone
    timezone: str = "UTC"
    #: when set, ``/metrics`` asks for ``Authorization: Bearer <token>``
    bearer_token: SecretStr = SecretStr("")

    _check_timezone = field_validator("timezone")(_valid_timezone)


class ReportSettings(BaseModel):
    """The monthly report: its coefficients, its Prometheus, and how long its lists are."""

    #: the damage coefficients (YAML); empty: the file shipped with piratewatch
    coefficients_path: Path | None = None
    #: the Prometheus the monthly report reads past months from
    prometheus_url: str = "http://127.0.0.1:9090"
    #: label matchers added to every query, e.g. ``job="piratewatch"`` when other jobs export the same names
    prometheus_selector: str = ""
    #: seconds for one query to that Prometheus
    prometheus_timeout: float = Field(default=30.0, gt=0)
    #: sites in the market's top list, and in each language's list
    top_sites: int = Field(default=10, ge=1, le=100)
    #: sites in each language's top list
    top_per_language: int = Field(default=5, ge=1, le=100)
    #: per language, a list length other than ``top_per_language`` (e.g. ``{"en": 5, "vi": 3}``)
    top_per_language_by: dict[str, Annotated[int, Field(ge=1, le=100)]] = Field(default_factory=dict)
    #: languages and countries given a line of their own in the report's tables and charts
    languages_shown: int = Field(default=10, ge=1, le=100)
    #: audience countries given a line of their own
    countries_shown: int = Field(default=15, ge=1, le=300)
    #: the edition: "en" (English) or "ja" (Japanese), from the message catalogue (exporters/reports/locale)
    language: Literal["en", "ja"] = "en"
    #: report.pdf: "auto" prints it when a Chromium is found, "yes" fails without one, "no" never
    pdf: PdfMode = PdfMode.AUTO
    #: the Chromium that prints it (a path or a name on PATH); empty: chromium, chromium-browser, google-chrome
    browser: str = ""
