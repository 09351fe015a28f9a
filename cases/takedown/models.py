"""Takedown cases, notices, their items, the delivery outbox and the replies received.

A *case* is one site against one provider (the party who can act), at one step of the escalation
ladder. A *notice* is what is sent to that provider under one legal basis; its *items* are the
(URL, work) pairs taken from the evidence, each with its own outcome. The *delivery attempt* rows
are the outbox: a row in state ``sending`` is committed before anything leaves, so a crash between
the send and its commit is found on restart instead of causing a second legal filing.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import JSONType, UTCDateTime, utcnow


class NoticeState(enum.StrEnum):
    """Where a notice stands (transitions: ``cases.takedown.states``)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    ACKNOWLEDGED = "acknowledged"
    ACTIONED = "actioned"
    PARTIALLY_ACTIONED = "partially_actioned"
    REJECTED = "rejected"
    NO_RESPONSE = "no_response"
    ESCALATED = "escalated"
    #: the poster put a §512(g) counter-notice: restore expected after 10–14 business days unless an action is filed
    COUNTER_NOTICED = "counter_noticed"
    #: the rights holder filed an action against the poster (§512(g)(2)(C)): the content stays down
    ACTION_FILED = "action_filed"
    #: the counter-notice's 10 business days are over with no action filed: the provider may restore
    RESTORE_EXPECTED = "restore_expected"
    #: a Japanese provider asked the poster whether they object; 7 days to answer
    POSTER_INQUIRED = "poster_inquired"
    #: after the counter-notice's clock ran out, the content was seen live again (``cases.takedown.restores``)
    RESTORED = "restored"
    #: the recipient's rejection was decided on: fixed and drafted again as a new notice (``cases.takedown.decisions``)
    SUPERSEDED = "superseded"
    #: the recipient's rejection was decided on: the operator closed the notice, with the reason
    CLOSED = "closed"


class LegalBasis(enum.StrEnum):
    """The law a notice relies on; it decides which elements the notice must contain."""

    DMCA = "dmca_512c3"
    DSA = "dsa_art16"
    JP_PLA = "jp_provider_liability"
    RAA = "raa_3_18"
    #: a ccTLD's registrar or a registry: the registry's own abuse policy (the RAA does not bind them)
    REGISTRY_POLICY = "registry_abuse_policy"
    SEARCH = "search_delisting"


class ItemOutcome(enum.StrEnum):
    """What became of one (URL, work) pair of a notice."""

    PENDING = "pending"
    DROPPED = "dropped"  # failed the pre-send re-check; `outcome_reason` says why
    ACTIONED = "actioned"  # the URL is gone
    STILL_LIVE = "still_live"


class TakedownCase(SQLModel, table=True):
    """One site against one provider, at one step of the escalation ladder."""

    __tablename__ = "takedown_case"
    __table_args__ = (sa.UniqueConstraint("site_id", "provider_id"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    step: str = Field(sa_type=sa.String(16))  # a ProviderKind on the ladder
    status: str = Field(default="open", sa_type=sa.String(16))  # open, escalated, closed
    escalated_from_id: int | None = Field(default=None, foreign_key="takedown_case.id")
    opened_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Notice(SQLModel, table=True):
    """A notice to one provider, under one legal basis, on behalf of one association."""

    __table_args__ = (
        # The queue page: notices of a state, due first, read in index order (no sort of the queue).
        sa.Index("ix_notice_queue", "state", "due_at", "id"),
        # Claims: the unclaimed notices in review, due first. A claim walks this index and stops at the
        # first row it can lock. Partial, because `claimed_by IS NULL` is no equality: a full index on
        # (state, claimed_by, due_at) cannot give the rows in due order, and the planner sorts the queue.
        sa.Index(
            "ix_notice_unclaimed",
            "due_at",
            "id",
            postgresql_where=sa.text("state = 'in_review' AND claimed_by IS NULL"),
            sqlite_where=sa.text("state = 'in_review' AND claimed_by IS NULL"),
        ),
        # Claims gone stale (their operator went home) are found by age.
        sa.Index(
            "ix_notice_claimed",
            "claimed_at",
            postgresql_where=sa.text("state = 'in_review' AND claimed_by IS NOT NULL"),
            sqlite_where=sa.text("state = 'in_review' AND claimed_by IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="takedown_case.id", index=True)
    association_id: int = Field(foreign_key="association.id", index=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    legal_basis: LegalBasis = Field(sa_type=sa.String(32))
    template: str = Field(sa_type=sa.String(32))
    state: NoticeState = Field(default=NoticeState.DRAFT, sa_type=sa.String(24))
    #: sender's details the legal basis asks for (name, e-mail, address, signature, statements)
    sender: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    rendered_text: str | None = Field(default=None, sa_type=sa.Text)
    rendered_sha256: str | None = Field(default=None, sa_type=sa.String(64))
    #: one per notice, for ever: travels in the message so that a retry can be recognised
    idempotency_key: str = Field(sa_type=sa.String(64), unique=True)
    due_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, sa_type=sa.String(200))
    claimed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejection_reason: str | None = Field(default=None, sa_type=sa.Text)
    #: why the notice came back to review on its own (the re-check, or a send that cannot succeed as it stands)
    review_reason: str | None = Field(default=None, sa_type=sa.Text)
    escalated_from_id: int | None = Field(default=None, foreign_key="notice.id")
    #: a counter-notice or objection clock (``cases.takedown.counter_notices``): which, since when, its ends
    counter_kind: str | None = Field(default=None, sa_type=sa.String(16))
    counter_received_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: when the clock runs out: the 10th business day (§512(g)), or the poster's 7th day (Japan)
    clock_ends_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    #: the 14th business day after a counter-notice: restored by then at the latest
    restore_latest_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    action_filed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: the restore after a counter-notice: when it was seen, who recorded it, and what showed it
    restored_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    restored_by: str | None = Field(default=None, sa_type=sa.String(200))
    restore_evidence: str | None = Field(default=None, sa_type=sa.Text)
    #: when the notice became ``rejected``; a recipient's rejection left undecided too long is escalated by upkeep
    rejected_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: the operator's decision on a recipient's rejection (``cases.takedown.decisions``): fix, escalate or
    #: close; the reason's category, the operator's note, when and by whom (upkeep's actor when it ran out)
    decision: str | None = Field(default=None, sa_type=sa.String(16))
    decision_reason: str | None = Field(default=None, sa_type=sa.String(32))
    decision_note: str | None = Field(default=None, sa_type=sa.Text)
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, sa_type=sa.String(200))
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NoticeItem(SQLModel, table=True):
    """One (URL, work) pair of a notice, with its own outcome."""

    __tablename__ = "notice_item"
    __table_args__ = (sa.UniqueConstraint("notice_id", "item_key"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    evidence_item_id: int | None = Field(default=None, foreign_key="evidence_item.id")
    #: the crawl's match this item comes from (capture time and content hash), when not submitted evidence
    work_found_id: int | None = Field(default=None, foreign_key="work_found.id")
    url: str = Field(sa_type=sa.Text)
    # SHA-256 of "url\nwork_id": URLs can be longer than a btree index accepts.
    item_key: str = Field(sa_type=sa.String(64))
    work_id: int | None = Field(default=None, foreign_key="work.id")
    outcome: ItemOutcome = Field(default=ItemOutcome.PENDING, sa_type=sa.String(16))
    outcome_reason: str | None = Field(default=None, sa_type=sa.Text)
    checked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryAttempt(SQLModel, table=True):
    """The outbox: one attempt to deliver a notice through one channel.

    ``message_id`` is fixed and committed (state ``sending``) before the send, so that after a crash
    the attempt can be reconciled (was a message with this id received?) instead of resent.
    """

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    channel: str = Field(sa_type=sa.String(16))  # smtp, api, file
    idempotency_key: str = Field(sa_type=sa.String(64), index=True)
    message_id: str = Field(sa_type=sa.String(300))
    state: str = Field(default="sending", sa_type=sa.String(16), index=True)  # sending, sent, failed
    started_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    response: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    error: str | None = Field(default=None, sa_type=sa.Text)
    #: the process that took the notice (host:pid:start), so a restart can tell a dead sender at once
    owner: str | None = Field(default=None, sa_type=sa.String(200))


class NoticeReply(SQLModel, table=True):
    """A bounce, an acknowledgement or a reply received about a notice (proof kept as received)."""

    __tablename__ = "notice_reply"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    kind: str = Field(sa_type=sa.String(16))  # bounce, acknowledgement, actioned, rejected, reply
    received_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sender: str | None = Field(default=None, sa_type=sa.String(320))
    subject: str | None = Field(default=None, sa_type=sa.String(1000))
    body: str | None = Field(default=None, sa_type=sa.Text)


class SenderProfile(SQLModel, table=True):
    """An association's details as the sender of its notices, and the statements it makes in them.

    The association, not piratewatch, is the sender of a notice: its legal contact, signature and
    the statements it confirms (good faith, accuracy under penalty of perjury, ...) are set here by
    the association once and copied into every notice drafted for it, so automatic drafting never
    invents a statement.
    """

    __tablename__ = "sender_profile"

    association_id: int = Field(foreign_key="association.id", primary_key=True)
    sender: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkRightsStatement(SQLModel, table=True):
    """What the association states about one of its works' rights, for the notices that need it.

    Per work, not per profile: the right infringed, that the work is within its protection period,
    that no licence was given, and the proof that the requester holds the right differ from work to
    work (the Japanese copyright guideline's 様式A asks for each). Set by the association itself, like
    its sender profile, and never by drafting.
    """

    __tablename__ = "work_rights_statement"

    work_id: int = Field(foreign_key="work.id", primary_key=True)
    statement: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
