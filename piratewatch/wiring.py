"""Building what the notice workflow runs with from the settings: delivery channels, the re-check, upkeep.

The pieces live in ``cases`` (which imports neither the resolver nor the settings) and ``resolver``;
this is where they meet. The CLI, the demo and the workers build them here, so they all send through
the same channels and re-check through the same SSRF-guarded transport.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.takedown.delivery.channels import Channel, configured_channels
from cases.takedown.recheck import Recheck
from cases.takedown.upkeep import UpkeepReport, run_upkeep
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


def takedown_upkeep(
    settings: Settings, factory: sessionmaker[Session], actor: Actor
) -> Callable[[], Coroutine[Any, Any, UpkeepReport]]:
    """A round of takedown upkeep (settle, send approved, check outcomes, escalate) with the configured
    channels and re-check, for ``piratewatch run`` and ``piratewatch notices upkeep``."""
    channels = make_channels(settings)
    checker = recheck_policy(settings)

    async def upkeep() -> UpkeepReport:
        return await run_upkeep(factory, actor, channels, checker)

    return upkeep
