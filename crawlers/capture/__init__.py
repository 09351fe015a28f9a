"""Captures of one URL as evidence: the HTTP exchange as WARC records, the page's visible text and a
full-page screenshot, under the same limits the crawler keeps on hostile pages.

It fetches and renders, and stores nothing: ``cases.evidence`` keeps what a capture returns, and
``piratewatch.services.evidence`` joins the two (see ``docs/evidence.md``).
"""

from crawlers.capture.config import CaptureSettings
from crawlers.capture.fetch import Capture, Exchange, capture_url

__all__ = ["Capture", "CaptureSettings", "Exchange", "capture_url"]
