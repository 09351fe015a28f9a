"""Building what the notice workflow runs with from the settings: delivery channels and the re-check.

The pieces live in ``cases`` (which imports neither the resolver nor the settings) and ``resolver``;
this is where they meet. The CLI, the demo and the workers build them here, so they all send through
the same channels and re-check through the same SSRF-guarded transport.
"""

from __future__ import annotations

import dataclasses

from cases.takedown.delivery.channels import Channel, configured_channels
from cases.takedown.recheck import Recheck
from piratewatch.settings import Settings
from resolver import guarded_transport


def make_channels(settings: Settings) -> dict[str, Channel]:
    """The delivery channels the settings configure, by name (files go under the data directory by default)."""
    return configured_channels(settings.notices, settings.data_dir / "notices")


def recheck_policy(settings: Settings) -> Recheck:
    """The pre-send re-check: the notice settings, fetched through the resolver's SSRF guard.

    Certificates are not verified: pirate sites serve broken ones, and a page is checked all the same.
    """
    resolver_settings = settings.resolver_settings()
    return dataclasses.replace(
        Recheck.from_settings(settings.notices),
        transport_factory=lambda: guarded_transport(resolver_settings, verify=False),
    )
