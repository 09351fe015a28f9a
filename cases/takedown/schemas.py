"""Wire models of cases, notices and the queue."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from cases.db import DbId
from cases.fields import Text
from cases.providers.models import ProviderKind
from cases.takedown.models import LegalBasis


class NoticeCreate(BaseModel):
    """Draft a notice from an association's evidence on a site, to one provider."""

    model_config = ConfigDict(extra="forbid")

    site_id: DbId
    provider_id: DbId
    association_id: DbId
    legal_basis: LegalBasis
    template: Annotated[str, Field(max_length=32)] | None = None
    sender: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "details for this notice only (name, email, address, ...), over the association's sender profile; "
            "the statements and the signature come from the profile alone and are refused here"
        ),
    )


class NoticeItemPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    work_id: int | None
    outcome: str
    outcome_reason: str | None
    checked_at: dt.datetime | None


class NoticeSummary(BaseModel):
    """A notice without its text and items (what a site's case list shows)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    association_id: int
    site_id: int
    provider_id: int
    legal_basis: str
    template: str
    state: str
    due_at: dt.datetime | None
    claimed_by: str | None
    sent_at: dt.datetime | None
    rejection_reason: str | None
    review_reason: str | None = None
    escalated_from_id: int | None
    created_at: dt.datetime
    #: a recipient's rejection and the operator's decision on it (``cases.takedown.decisions``)
    rejected_at: dt.datetime | None = None
    decision: str | None = None
    decision_reason: str | None = None
    decision_note: str | None = None
    decided_at: dt.datetime | None = None
    decided_by: str | None = None


class NoticeDetail(NoticeSummary):
    """A notice with its rendered text, hash and items."""

    rendered_text: str | None
    rendered_sha256: str | None
    idempotency_key: str
    items: list[NoticeItemPublic] = []


class CasePublic(BaseModel):
    """A case with the notices the caller may see."""

    id: int
    site_id: int
    provider_id: int
    provider: str
    step: str
    status: str
    opened_at: dt.datetime
    notices: list[NoticeSummary]


class RejectIn(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=5000)]


class BulkApproveIn(BaseModel):
    notice_ids: list[DbId] = Field(min_length=1, max_length=1000)


class BulkApproveOut(BaseModel):
    approved: list[int]
    refused: dict[int, str]


class ReplyIn(BaseModel):
    """An inbound bounce or reply: the notice by id, or by the reference (idempotency key) it carried."""

    notice_id: DbId | None = None
    reference: Annotated[str, Field(max_length=300)] | None = None
    kind: Literal[
        "bounce", "delivered", "acknowledgement", "forwarded", "actioned", "partially_actioned", "rejected", "reply"
    ]
    sender: Annotated[str, Field(max_length=320)] | None = None
    subject: Annotated[str, Field(max_length=1000)] | None = None
    body: Annotated[str, Field(max_length=100_000)] | None = None


class ReplyOut(BaseModel):
    id: int
    notice_id: int
    kind: str
    state: str


class EscalationOut(BaseModel):
    notice_id: int
    new_notice_id: int | None
    step: str | None


class QueueParams(BaseModel):
    association_id: int | None = None
    recipient_kind: ProviderKind | None = None
    legal_basis: LegalBasis | None = None
    due_within_hours: int | None = None


#: Regulation (EU) 2022/2065 applies from this day (Art. 93(2)); no trusted-flagger status is older
DSA_APPLIES = dt.date(2024, 2, 17)


class SenderDetails(BaseModel):
    """An association's details as the sender of its notices (every field any legal basis asks for).

    The statements are the association's own: each must be set to ``true`` by the association to be
    printed in a notice; the validator refuses a notice whose basis needs one that is not.
    """

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=300)] = ""
    organisation: Annotated[str, Field(max_length=300)] = ""
    email: Annotated[str, Field(max_length=320, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")] = ""
    address: Annotated[str, Field(max_length=1000)] = ""
    #: the address's parts some recipients ask for one by one (Cloudflare: city, state, country)
    city: Annotated[str, Field(max_length=255)] = ""
    region: Annotated[str, Field(max_length=255)] = ""
    country: Annotated[str, Field(max_length=255)] = ""
    phone: Annotated[str, Field(max_length=64)] = ""
    signature: Annotated[str, Field(max_length=300)] = ""
    explanation: Annotated[str, Field(max_length=5000)] = ""
    right_infringed: Annotated[str, Field(max_length=1000)] = ""
    good_faith: bool = False
    accuracy_under_perjury: bool = False
    bona_fide: bool = False
    truth_statement: bool = False
    #: in what capacity the association sends (the Japanese guideline asks): the rights holder itself, an
    #: agent with the holders' mandate (委任状), or through a trusted organisation (信頼性確認団体)
    acts_as: Literal["", "rights_holder", "agent", "trusted_organisation"] = ""
    #: the mandate an agent attaches (委任状): what it is and who signed it
    mandate_document: Annotated[str, Field(max_length=2000)] = ""
    #: the trusted organisation (信頼性確認団体) that confirmed the request, when sent through one
    trusted_organisation: Annotated[str, Field(max_length=300)] = ""
    #: DSA Art. 22 trusted-flagger status: the Digital Services Coordinator that awarded it (Art. 22(2)),
    #: e.g. "Bundesnetzagentur (DE)", the day it was awarded, and the area of expertise it was awarded for
    trusted_flagger_coordinator: Annotated[str, Field(max_length=300)] = ""
    trusted_flagger_awarded_on: Annotated[str, Field(max_length=10)] = ""
    trusted_flagger_expertise: Annotated[str, Field(max_length=300)] = ""

    @model_validator(mode="after")
    def _trusted_flagger(self) -> SenderDetails:
        """A status names both who awarded it and when; the day is a real one, since Art. 22 applies
        (17 February 2024), and not after today."""
        given = (self.trusted_flagger_coordinator.strip(), self.trusted_flagger_awarded_on.strip())
        if any(given) and not all(given):
            raise ValueError(
                "trusted_flagger_coordinator and trusted_flagger_awarded_on: a trusted-flagger status names "
                "the Digital Services Coordinator that awarded it and the day (both, or neither)"
            )
        if given[1]:
            try:
                day = dt.date.fromisoformat(given[1])
            except ValueError:
                raise ValueError("trusted_flagger_awarded_on: a day as YYYY-MM-DD") from None
            if len(given[1]) != 10 or not DSA_APPLIES <= day <= dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
                raise ValueError(
                    f"trusted_flagger_awarded_on: between {DSA_APPLIES.isoformat()} (Art. 22 applies) and today"
                )
        for name in ("trusted_flagger_coordinator", "trusted_flagger_expertise"):
            if any(c in getattr(self, name) for c in "\r\n\x00"):
                raise ValueError(f"{name}: one line")
        return self


#: How a copy infringes, in the Japanese copyright guideline's terms (様式A): the poster admits it
#: (a), a full or partial verbatim copy easy to compare with the work (b), such a copy compressed
#: losslessly in a standard format (c), or another manner described in words.
InfringementManner = Literal["", "self_admitted", "full_copy", "compressed_copy", "other"]


class WorkRightsDetails(BaseModel):
    """What the association states about one work's rights (per work; set by the association itself)."""

    model_config = ConfigDict(extra="forbid")

    #: the right infringed, e.g. 公衆送信権（著作権法第23条）
    right_infringed: Annotated[str, Field(max_length=1000)] = ""
    manner: InfringementManner = ""
    #: the manner in words (required when `manner` is "other")
    manner_detail: Annotated[str, Field(max_length=2000)] = ""
    #: why the work is within its protection period (publication year, author living or date of death)
    protection_period: Annotated[str, Field(max_length=1000)] = ""
    #: the statement that the holder gave no licence for this transmission
    no_licence: bool = False
    #: the proof that the requester holds the right (documents attached, a registration)
    proof_of_right: Annotated[str, Field(max_length=2000)] = ""
    #: how the provider can check the infringement (compare with the official edition, ...)
    verification: Annotated[str, Field(max_length=2000)] = ""


class WorkRightsPublic(BaseModel):
    work_id: int
    statement: WorkRightsDetails
    updated_at: dt.datetime | None


class SenderProfilePublic(BaseModel):
    association_id: int
    sender: SenderDetails
    updated_at: dt.datetime | None


def _iso_text(value: object) -> object:
    if not isinstance(value, str | dt.datetime):
        raise ValueError("a time is written as ISO 8601 text, e.g. 2026-12-03T15:00:00+00:00")
    return value


#: a time given for an operator's step: ISO 8601 text (naive: UTC), never a number read as epoch seconds
StepTime = Annotated[dt.datetime, BeforeValidator(_iso_text)]


class CounterNoticeIn(BaseModel):
    """A §512(g) counter-notice the provider forwarded: when it received it, and its text as forwarded."""

    model_config = ConfigDict(extra="forbid")

    received_at: StepTime | None = None
    body: Annotated[Text, Field(max_length=100_000)] | None = None


class ActionFiledIn(BaseModel):
    """The rights holder filed an action against the poster (§512(g)(2)(C)), on `filed_at` (default now)."""

    model_config = ConfigDict(extra="forbid")

    filed_at: StepTime | None = None


class PosterInquiryIn(BaseModel):
    """A Japanese provider asked the poster whether they object; the 7 days start at `inquired_at`."""

    model_config = ConfigDict(extra="forbid")

    inquired_at: StepTime | None = None
    body: Annotated[Text, Field(max_length=100_000)] | None = None


class ClockPublic(BaseModel):
    """A notice's counter-notice or objection clock, what its state means now, and the steps open to operators."""

    notice_id: int
    legal_basis: str
    state: str
    #: ``dmca_512g`` or ``jp_objection``; None while nothing was recorded
    counter_kind: str | None
    counter_received_at: dt.datetime | None
    #: the 10th business day (§512(g)), or the end of the poster's 7 days
    clock_ends_at: dt.datetime | None
    #: the 14th business day: restored by then at the latest
    restore_latest_at: dt.datetime | None
    action_filed_at: dt.datetime | None
    #: the restore after the clock ran out: when it was seen, who recorded it (an operator's key, or
    #: upkeep), and what showed it (the re-check's URLs live again, or the operator's note)
    restored_at: dt.datetime | None = None
    restored_by: str | None = None
    restore_evidence: str | None = None
    #: whether the clock is still running now
    running: bool
    meaning: str
    #: the operator steps the notice's state allows now (``counter-notice``, ``action-filed``, ...)
    next_steps: list[str]


class RestoredIn(BaseModel):
    """Record that the provider restored the content: confirmed by a re-check of the notice's URLs, or,
    where the re-check cannot see the page, on the operator's `note` saying what shows it."""

    model_config = ConfigDict(extra="forbid")

    recheck: bool = True
    note: Annotated[Text, Field(max_length=2000)] | None = None
    #: when the content came back (only without a re-check; a re-check's time is its own)
    restored_at: StepTime | None = None


class DecisionIn(BaseModel):
    """The operator's decision on a recipient's rejection: the reason's category and what to do."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["fix", "escalate", "close"]
    reason: Literal["insufficient_evidence", "wrong_recipient", "disputes_infringement", "needs_other_channel", "other"]
    #: what the recipient said, in the operator's words (required with reason ``other``)
    note: Annotated[Text, Field(max_length=2000)] | None = None
    #: the fixed draft's template (action ``fix``; default the rejected notice's own)
    template: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")] | None = None


class DecisionOut(BaseModel):
    """A decision taken: the notice's state after it and the notice it led to."""

    notice_id: int
    action: str
    reason: str | None
    state: str
    #: the fixed draft (fix), or the next step's notice (escalate); None when there is none
    new_notice_id: int | None
    step: str | None


class RejectionPublic(BaseModel):
    """A recipient's rejection waiting for a decision, and when upkeep escalates it if none is taken."""

    notice_id: int
    association_id: int
    provider_id: int
    legal_basis: str
    rejected_at: dt.datetime | None
    escalates_at: dt.datetime | None
    #: the reply that carried the rejection (its first 500 characters), when one was recorded
    reply: str | None
