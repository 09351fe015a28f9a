"""Which delivery channels the UI offers, and how URLs are re-checked before a send.

The UI sends through the outbox (``cases.takedown.delivery.sending.send_notice``) like the
``piratewatch notices send`` command, so a notice leaves at most once whoever clicks. The
use cases build the channels and the re-check from the settings (``piratewatch.services``),
so the UI sends and re-checks (behind the SSRF guard) exactly as the command does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cases.takedown.delivery.channels import Channel
from cases.takedown.recheck import Recheck


@dataclass(frozen=True)
class Delivery:
    """The channels an operator may pick, by name, and the pre-send re-check (None: off)."""

    channels: dict[str, Channel] = field(default_factory=dict)
    recheck: Recheck | None = None
