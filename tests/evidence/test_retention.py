"""Retention prunes old captures, never one an open case needs, and never an object another capture shares."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from cases.audit.models import AuditEvent
from cases.audit.services import Actor
from cases.base import table_of
from cases.db import transaction, utcnow
from cases.evidence.models import EvidenceCapture
from cases.takedown.models import TakedownCase
from piratewatch.config import get_settings
from piratewatch.errors import InvalidRequestError
from piratewatch.services import Services

from .conftest import EvidenceLab, store_settings
from .test_notice_evidence import _approved_notice

ACTOR = Actor("test:evidence")


def test_old_captures_are_pruned_unless_an_open_case_needs_them(
    evidence_lab: EvidenceLab,
    engine: Engine,
    db_url: str,
    tenants: Any,
    tmp_path: Path,
    store_kind: str,
    request: pytest.FixtureRequest,
) -> None:
    values = store_settings(evidence_lab, store_kind, request, tmp_path, db_url)
    values["evidence"]["retention_days"] = 30
    cited = evidence_lab.url("mangafree.test", "/title/one-piece/")
    loose = evidence_lab.url("hostile.test", "/malformed")
    with Services.from_settings(get_settings(**values), engine=engine) as svc:
        notice_id = _approved_notice(svc, tenants.a_id, [cited])
        [kept] = asyncio.run(svc.capture([cited], ACTOR, association_id=tenants.a_id))
        old, twin = asyncio.run(svc.capture([loose, loose], ACTOR))  # the same page twice: shared objects
        with transaction(svc.factory) as session:
            table = table_of(EvidenceCapture)
            session.execute(
                sa.update(table)
                .where(col(EvidenceCapture.id).in_([kept.capture_id, old.capture_id]))
                .values(started_at=utcnow() - dt.timedelta(days=60))
            )
        with svc.factory() as session:
            old_row = session.get(EvidenceCapture, old.capture_id)
            twin_row = session.get(EvidenceCapture, twin.capture_id)
            assert old_row is not None
            assert twin_row is not None
        assert old_row.text_sha256 == twin_row.text_sha256
        dry = svc.prune_evidence(ACTOR, dry_run=True)
        assert (dry.pruned, dry.kept) == ([old.capture_id], [kept.capture_id])
        report = svc.prune_evidence(ACTOR)
        assert (report.pruned, report.kept) == ([old.capture_id], [kept.capture_id])
        store = svc.evidence_store
        assert not store.exists(old_row.manifest_sha256)  # its own objects are gone
        assert store.exists(twin_row.text_sha256)  # the object the newer twin shares is not
        assert store.get(twin_row.warc_sha256)
        with svc.factory() as session:
            assert session.get(EvidenceCapture, old.capture_id) is None
            deleted = session.exec(
                select(AuditEvent).where(
                    col(AuditEvent.entity_type) == "evidence_capture", col(AuditEvent.action) == "delete"
                )
            ).all()
            assert [e.entity_id for e in deleted] == [str(old.capture_id)]
        # the case closes: its evidence may go once past the retention period
        with transaction(svc.factory) as session:
            session.execute(sa.update(table_of(TakedownCase)).values(status="closed"))
        assert svc.prune_evidence(ACTOR).pruned == [kept.capture_id]
        assert notice_id > 0


def test_without_a_retention_period_nothing_is_pruned(services: Services) -> None:
    with pytest.raises(InvalidRequestError, match="evidence is kept"):
        services.prune_evidence(ACTOR)
