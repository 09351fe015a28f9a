"""The monthly report (``docs/reports.md``): visits by site, language, audience country and content
type, their trend and events, and the damage they stand for; from the store or from Prometheus.
"""

from exporters.errors import CoefficientError, MissingMonthError, SourceError
from exporters.reports.coefficients import Coefficients, load_coefficients
from exporters.reports.monthly import ReportOptions, WrittenReport, build_report, write_report
from exporters.reports.sources import PrometheusSource, StoreSource

__all__ = [
    "CoefficientError",
    "Coefficients",
    "MissingMonthError",
    "PrometheusSource",
    "ReportOptions",
    "SourceError",
    "StoreSource",
    "WrittenReport",
    "build_report",
    "load_coefficients",
    "write_report",
]
