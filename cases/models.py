"""Every table of the store, imported in one place so that Alembic and tests see the whole schema."""

from __future__ import annotations

from cases.audit.models import AuditEvent
from cases.base import metadata
from cases.catalogue.models import ContentType, Work, WorkTitle
from cases.infra.models import InfraEvent, ResolutionSnapshot
from cases.intake.models import EvidenceItem, Submission
from cases.sites.models import Domain, DomainStatus, Site, SiteContentType, SiteLanguage, SiteStatus
from cases.tenants.models import ApiKey, Association, Role

__all__ = [
    "ApiKey",
    "Association",
    "AuditEvent",
    "ContentType",
    "Domain",
    "DomainStatus",
    "EvidenceItem",
    "InfraEvent",
    "ResolutionSnapshot",
    "Role",
    "Site",
    "SiteContentType",
    "SiteLanguage",
    "SiteStatus",
    "Submission",
    "Work",
    "WorkTitle",
    "metadata",
]
