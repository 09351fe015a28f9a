"""Which delivery channels the UI offers, built from the notice settings.

The UI sends through the outbox (``cases.takedown.delivery.outbox.send_notice``) like the
``piratewatch notices send`` command, so a notice leaves at most once whoever clicks; this module
only decides which channels there are and how URLs are re-checked first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cases.takedown.config import NoticeSettings
from cases.takedown.delivery.channels import ApiChannel, Channel, FileChannel, SmtpChannel
from cases.takedown.recheck import Recheck


@dataclass(frozen=True)
class Delivery:
    """The channels an operator may pick, by name, and the pre-send re-check (None: off)."""

    channels: dict[str, Channel] = field(default_factory=dict)
    recheck: Recheck | None = None


def delivery_from_settings(settings: NoticeSettings, default_export_dir: Path) -> Delivery:
    """SMTP and file export always; the API channel when its URL is set; URLs re-checked before each send."""
    channels: dict[str, Channel] = {
        "smtp": SmtpChannel(settings.smtp_host, settings.smtp_port, settings.smtp_sender, settings.smtp_timeout),
        "file": FileChannel(settings.export_dir or default_export_dir),
    }
    if settings.api_url:
        channels["api"] = ApiChannel(settings.api_url, settings.api_token, settings.api_timeout)
    recheck = Recheck(
        allow_list=settings.allow_list,
        timeout=settings.recheck_timeout,
        concurrency=settings.recheck_concurrency,
        max_redirects=settings.recheck_max_redirects,
    )
    return Delivery(channels, recheck)
