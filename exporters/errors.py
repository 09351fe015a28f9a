"""Every error ``exporters`` lets a caller see::

    ExportersError
    ├── SampleError         samples that do not make one month's figures (missing info, mixed months, bad labels)
    ├── CoefficientError    the damage coefficients file cannot be used (the message lists why)
    ├── SourceError         the figures cannot be read (Prometheus unreachable, settings that disagree)
    │   └── MissingMonthError   the source holds no figures for a month
    └── PdfError            the report's PDF could not be printed (no browser, or the browser failed)

``SampleError`` and ``CoefficientError`` are also ``ValueError``s: both are bad input.
"""

from __future__ import annotations


class ExportersError(Exception):
    """The root of the errors of ``exporters``."""


class SampleError(ExportersError, ValueError):
    """Samples that do not make one month's figures (missing info, mixed months, bad labels)."""


class CoefficientError(ExportersError, ValueError):
    """The coefficients file cannot be used (the message lists why)."""


class SourceError(ExportersError):
    """The figures cannot be read (Prometheus unreachable, no data for a month, settings that disagree)."""


class MissingMonthError(SourceError):
    """The source holds no figures for a month."""


class PdfError(ExportersError):
    """The PDF could not be printed: no browser, or the browser failed (the message says which)."""
