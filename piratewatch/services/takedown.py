"""Use cases of takedown: draft a notice, approve notices, send the approved ones, and the upkeep round
(settle interrupted sends, send, check outcomes, escalate). Each returns what happened to each notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col

from piratewatch.errors import InvalidRequestError
from piratewatch.services.resources import Resources

if TYPE_CHECKING:
    from cases.audit.services import Actor
    from cases.takedown.delivery.channels import Channel
    from cases.takedown.delivery.results import SendResult
    from cases.takedown.models import Notice
    from cases.takedown.upkeep import UpkeepReport
    from piratewatch.services.evidence import CaptureOutcome


@dataclass
class ApprovalReport:
    """Which notices were approved, and why the others were not."""

    approved: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


@dataclass
class SendReport:
    """One send: interrupted sends settled first, then each notice tried, and those left waiting."""

    settled: dict[int, str] = field(default_factory=dict)
    results: list[SendResult] = field(default_factory=list)
    #: approved notices not tried, with why (their channel is not configured here)
    waiting: dict[int, str] = field(default_factory=dict)
    #: the captures of the notices' URLs made just before (PIRATEWATCH_EVIDENCE__CAPTURE_BEFORE_SEND)
    captures: list[CaptureOutcome] = field(default_factory=list)

    @property
    def sent(self) -> list[int]:
        """The notices that really left."""
        return [r.notice_id for r in self.results if r.sent]

    @property
    def not_sent(self) -> list[SendResult]:
        """The notices tried and not sent (back in review, refused, in doubt)."""
        return [r for r in self.results if not r.sent]

    @property
    def failed(self) -> list[SendResult]:
        """The notices whose send failed (refused by the channel, or in doubt)."""
        return [r for r in self.results if r.failed]


def draft(
    self: Resources,
    actor: Actor,
    *,
    site_id: int,
    provider_id: int,
    association_id: int,
    basis: str,
    sender: dict[str, Any] | None = None,
    template: str | None = None,
) -> Notice:
    """Open the (site, provider) case if needed and draft a notice from the association's evidence on the site.

    The sender is the association's profile; `sender` adds details for this notice, never a statement
    or the signature (:func:`cases.takedown.senders.notice_sender`).
    """
    from cases.takedown.models import LegalBasis
    from cases.takedown.senders import notice_sender
    from cases.takedown.services import draft_notice, open_case

    with self.transaction() as session:
        details = notice_sender(session, association_id, sender)
        case = open_case(session, actor, site_id, provider_id)
        return draft_notice(session, actor, case.id or 0, association_id, LegalBasis(basis), details, template=template)


def approve(self: Resources, notice_ids: Sequence[int], actor: Actor) -> ApprovalReport:
    """Approve each notice in review that `actor` may approve; the others are refused with their reason."""
    from cases.takedown.review import bulk_approve

    with self.transaction() as session:
        approved, refused = bulk_approve(session, actor, list(notice_ids))
    return ApprovalReport(list(approved), dict(refused))


def _channel(self: Resources, name: str) -> Channel:
    """One configured channel by name (``smtp``, ``api``, ``file``); :class:`InvalidRequestError` if it is not."""
    if name not in self.channels:
        raise InvalidRequestError(
            f"channel {name!r} is not configured (configured: {', '.join(self.channels)}; "
            "Cloudflare's API needs PIRATEWATCH_NOTICES__API_URL and __API_ACCOUNT_ID)"
        )
    return self.channels[name]


async def send(
    self: Resources, actor: Actor, *, channel: str = "auto", limit: int = 100, recheck: bool | None = None
) -> SendReport:
    """Settle sends a crash interrupted, then send up to `limit` approved notices (URLs re-checked first
    unless `recheck` is False, or the settings switch the re-check off)."""
    from cases.takedown.delivery.outbox import reconcile
    from cases.takedown.delivery.results import send_results
    from cases.takedown.delivery.sending import send_approved

    target: Channel | dict[str, Channel] = dict(self.channels) if channel == "auto" else _channel(self, channel)
    report = SendReport()
    report.settled = await reconcile(self.factory, actor, dict(self.channels))
    policy = self.recheck if recheck is not False else None
    if policy is not None and self.settings.evidence.capture_before_send:
        from piratewatch.services.evidence import capture_before_send

        report.captures = await capture_before_send(self, actor, limit)
    sent = await send_approved(self.factory, actor, target, limit, policy)
    with self.factory() as session:
        report.results = send_results(session, sent)
    if channel == "auto":  # with one channel named, every approved notice takes it: none waits
        report.waiting = _waiting(self, {r.notice_id for r in report.results})
    return report


def _waiting(self: Resources, tried: set[int]) -> dict[int, str]:
    """Approved notices a send left alone, and why (their recipient's channel is not configured)."""
    from cases.providers.models import Provider
    from cases.takedown.delivery.sending import channel_for
    from cases.takedown.models import Notice, NoticeState

    with self.factory() as session:
        rows = session.execute(
            sa.select(col(Notice.id), col(Notice.template), Provider)
            .join(Provider, col(Provider.id) == col(Notice.provider_id))
            .where(col(Notice.state) == NoticeState.APPROVED.value)
            .order_by(col(Notice.id))
            .limit(1000)
        ).all()
    waiting: dict[int, str] = {}
    for notice_id, template, provider in rows:
        route = channel_for(template, provider)
        if notice_id not in tried and route not in self.channels:
            waiting[int(notice_id)] = f"waits: its channel ({route}) is not configured"
    return waiting


async def upkeep(self: Resources, actor: Actor) -> UpkeepReport:
    """One round: settle interrupted sends, send approved notices, check sent URLs, escalate overdue notices."""
    from cases.takedown.upkeep import run_upkeep

    return await run_upkeep(
        self.factory,
        actor,
        self.channels,
        self.url_checker,
        recheck_before_send=self.settings.notices.recheck_before_send,
        decision_wait=dt.timedelta(days=self.settings.notices.rejection_decision_days),
    )


def export_dir(self: Resources) -> Path:
    """Where the file channel writes notices for web forms and bulk uploads."""
    return self.settings.notices.export_dir or self.settings.data_dir / "notices"
