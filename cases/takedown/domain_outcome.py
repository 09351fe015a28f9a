"""What a registrar or a registry can show: the domain put on hold, gone from the DNS, or sent to a suspension page.

A registrar does not delete a pirate chapter; it suspends the domain. Re-fetching the URLs then fails
to connect, which proves nothing (a server may be down for the night). The resolver already records
what shows a suspension, in the snapshot it stores for each domain (``ResolutionSnapshot.profile``,
the resolver's own JSON): the RDAP status of the registration, an NXDOMAIN answer, and where the home
page led. This module reads those snapshots only; ``cases`` never calls the resolver.

Only a snapshot taken after the notice was sent counts: a domain on hold before the notice was not
suspended because of it.

RDAP writes EPP statuses the RFC 8056 way (``client hold``, ``server hold``); WHOIS answers write them
as EPP does (``clientHold https://icann.org/epp#clientHold``). Both mean the registry removed the
domain from its zone (RFC 5731 §2.3), so the name no longer resolves.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.infra.models import ResolutionSnapshot
from cases.takedown.models import LegalBasis, Notice, NoticeItem

#: the notices whose outcome is the domain's, not the URLs'
DOMAIN_BASES = frozenset({LegalBasis.RAA, LegalBasis.REGISTRY_POLICY})

#: EPP statuses (RFC 5731 §2.3) that take the domain out of the zone, written without spaces, lower case
HOLD_STATUSES = frozenset({"clienthold", "serverhold"})

_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class DomainSignal:
    """A suspension seen in one snapshot: what was seen, where and when."""

    domain: str
    #: ``rdap_hold``, ``nxdomain`` or ``suspension_page``
    kind: str
    seen: str
    snapshot_id: int
    resolved_at: dt.datetime

    @property
    def evidence(self) -> str:
        """One line for the item's outcome: the signal, the value seen, the snapshot and its time."""
        when = self.resolved_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        what = {
            "rdap_hold": f"registration status {self.seen!r}",
            "nxdomain": "the name no longer resolves (NXDOMAIN)",
            "suspension_page": f"the site redirects to a suspension page: {self.seen}",
        }[self.kind]
        return f"domain {self.domain} suspended: {what} (resolution {self.snapshot_id} at {when})"


def normalise_status(status: str) -> str:
    """``client hold``, ``clientHold``, ``clientHold https://icann.org/epp#clientHold`` → ``clienthold``."""
    return re.sub(r"[\s_-]+", "", _URL.sub("", status)).lower()


def _strings(value: Any) -> list[str]:
    # The profile is stored JSON: any shape may be there, and a wrong one is no signal.
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def signal_of(
    snapshot_id: int, resolved_at: dt.datetime, profile: Any, suspension_pages: Sequence[str] = ()
) -> DomainSignal | None:
    """The suspension one stored profile shows, or None. A hold outranks NXDOMAIN, which outranks a page."""
    profile = _mapping(profile)
    domain = profile.get("registrable_domain") or profile.get("domain")
    if not isinstance(domain, str) or not domain:
        return None
    registration = _mapping(profile.get("registration"))
    for status in _strings(registration.get("statuses")):
        if normalise_status(status) in HOLD_STATUSES:
            return DomainSignal(domain, "rdap_hold", status[:200], snapshot_id, resolved_at)
    names = {domain, profile.get("domain")}
    for failure in profile.get("failures") or []:
        failure = _mapping(failure)
        if failure.get("stage") == "dns" and failure.get("kind") == "nxdomain" and failure.get("target") in names:
            return DomainSignal(domain, "nxdomain", "NXDOMAIN", snapshot_id, resolved_at)
    final = _mapping(profile.get("http")).get("final_url")
    if isinstance(final, str) and any(final.startswith(p) for p in suspension_pages if p):
        return DomainSignal(domain, "suspension_page", final[:500], snapshot_id, resolved_at)
    return None


def covers(domain: str, url: str) -> bool:
    """Whether `url`'s host is `domain` or one of its sub-domains."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    return host == domain or host.endswith("." + domain)


def latest_signals(
    session: Session, site_id: int, since: dt.datetime, suspension_pages: Sequence[str] = ()
) -> list[DomainSignal]:
    """For each domain of the site, the suspension its newest snapshot since `since` shows (none: left out)."""
    newest = (
        sa.select(col(ResolutionSnapshot.domain_id), sa.func.max(col(ResolutionSnapshot.resolved_at)).label("at"))
        .where(col(ResolutionSnapshot.site_id) == site_id, col(ResolutionSnapshot.resolved_at) >= since)
        .group_by(col(ResolutionSnapshot.domain_id))
        .subquery()
    )
    query = select(ResolutionSnapshot).join(
        newest,
        sa.and_(
            col(ResolutionSnapshot.domain_id) == newest.c.domain_id, col(ResolutionSnapshot.resolved_at) == newest.c.at
        ),
    )
    signals = []
    for snap in session.exec(query.where(col(ResolutionSnapshot.site_id) == site_id)):
        signal = signal_of(snap.id or 0, snap.resolved_at, snap.profile, suspension_pages)
        if signal is not None:
            signals.append(signal)
    return signals


def domain_outcomes(
    session: Session, notice: Notice, items: Iterable[NoticeItem], suspension_pages: Sequence[str] = ()
) -> dict[int, DomainSignal]:
    """For a registrar or registry notice, item id → the suspension that settles it (items on other domains: none)."""
    if notice.legal_basis not in DOMAIN_BASES or notice.sent_at is None:
        return {}
    signals = latest_signals(session, notice.site_id, notice.sent_at, suspension_pages)
    found: dict[int, DomainSignal] = {}
    for item in items:
        signal = next((s for s in signals if covers(s.domain, item.url)), None)
        if signal is not None and item.id is not None:
            found[item.id] = signal
    return found
