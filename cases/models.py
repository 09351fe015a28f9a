"""Every table of the store, imported in one place so that Alembic and tests see the whole schema."""

from __future__ import annotations

from cases.audit.models import AuditEvent
from cases.base import metadata
from cases.counters.models import OperationCounter
from cases.crawls.models import FamilyProposal, SiteCrawl, WorkFound
from cases.evidence.models import CaptureStatus, CaptureTrigger, EvidenceCapture, EvidenceObject
from cases.infra.models import InfraEvent, ResolutionSnapshot
from cases.intake.models import EvidenceItem, Submission
from cases.providers.models import Provider, ProviderKind
from cases.schedule.models import JobDue, JobKind
from cases.sites.models import Domain, DomainStatus, Site, SiteContentType, SiteLanguage, SiteStatus
from cases.takedown.models import (
    DeliveryAttempt,
    ItemOutcome,
    LegalBasis,
    Notice,
    NoticeItem,
    NoticeReply,
    NoticeState,
    SenderProfile,
    TakedownCase,
    WorkRightsStatement,
)
from cases.tenants.models import ApiKey, Association
from cases.tenants.roles import Role
from cases.traffic.models import TrafficEstimate
from cases.works.kinds import ContentType
from cases.works.models import Work, WorkTitle

__all__ = [
    "ApiKey",
    "Association",
    "AuditEvent",
    "CaptureStatus",
    "CaptureTrigger",
    "ContentType",
    "DeliveryAttempt",
    "Domain",
    "DomainStatus",
    "EvidenceCapture",
    "EvidenceItem",
    "EvidenceObject",
    "FamilyProposal",
    "InfraEvent",
    "ItemOutcome",
    "JobDue",
    "JobKind",
    "LegalBasis",
    "Notice",
    "NoticeItem",
    "NoticeReply",
    "NoticeState",
    "OperationCounter",
    "Provider",
    "ProviderKind",
    "ResolutionSnapshot",
    "Role",
    "SenderProfile",
    "Site",
    "SiteContentType",
    "SiteCrawl",
    "SiteLanguage",
    "SiteStatus",
    "Submission",
    "TakedownCase",
    "TrafficEstimate",
    "Work",
    "WorkFound",
    "WorkRightsStatement",
    "WorkTitle",
    "metadata",
]
