"""The monthly report (``docs/reports.md``): visits by site, language, audience country and content
type, their trend and events, and the damage they stand for; from the store or from Prometheus.
"""

from exporters.reports.coefficients import CoefficientError, Coefficients, load_coefficients
from exporters.reports.monthly import ReportOptions, build_report, write_report
from exporters.reports.sources import MissingMonthError, PrometheusSource, SourceError, StoreSource

__all__ = [
    "CoefficientError",
    "Coefficients",
    "MissingMonthError",
    "PrometheusSource",
    "ReportOptions",
    "SourceError",
    "StoreSource",
    "build_report",
    "load_coefficients",
    "write_report",
]
