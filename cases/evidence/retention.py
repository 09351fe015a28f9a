"""Retention: pruning captures past the retention period, never one that evidence still needs.

What is still needed is decided by the caller (the application, which reads the takedown cases):
the sites with a case not closed, and the URLs listed in a notice of such a case. A capture of either
is kept whatever its age. Objects are deleted only when no remaining capture names them (objects are
shared by content: two captures of an unchanged page share their text). Each pruned capture is an
audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.services import Actor, Change
from cases.audit.services import record as record_audit
from cases.base import table_of
from cases.evidence.models import EvidenceCapture, EvidenceObject
from cases.evidence.objects import ObjectStore


@dataclass
class PruneReport:
    """Which captures were pruned, which old ones were kept because a case needs them, and objects removed."""

    pruned: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    objects_removed: int = 0


def _objects(row: EvidenceCapture) -> set[str]:
    names = {row.warc_sha256, row.text_sha256, row.manifest_sha256, row.screenshot_sha256, row.token_sha256}
    return {n for n in names if n}


def prune(
    session: Session,
    store: ObjectStore,
    actor: Actor,
    cutoff: dt.datetime,
    *,
    open_sites: Collection[int],
    cited_url_keys: Collection[str],
    dry_run: bool = False,
) -> PruneReport:
    """Prune captures started before `cutoff` unless their site has an open case or their URL is cited by one."""
    report = PruneReport()
    old = list(session.exec(select(EvidenceCapture).where(col(EvidenceCapture.started_at) < cutoff)))
    doomed: list[EvidenceCapture] = []
    for row in old:
        needed = (row.site_id is not None and row.site_id in open_sites) or row.url_sha256 in cited_url_keys
        (report.kept if needed else report.pruned).append(row.id or 0)
        if not needed:
            doomed.append(row)
    if dry_run or not doomed:
        return report
    candidates = set().union(*(_objects(r) for r in doomed))
    ids = [r.id for r in doomed]
    session.execute(sa.delete(table_of(EvidenceCapture)).where(col(EvidenceCapture.id).in_(ids)))
    remaining: set[str] = set()
    for r in session.exec(select(EvidenceCapture)):
        remaining |= _objects(r)
    orphans = sorted(candidates - remaining)
    if orphans:
        session.execute(sa.delete(table_of(EvidenceObject)).where(col(EvidenceObject.sha256).in_(orphans)))
    record_audit(
        session,
        actor,
        [
            Change(
                "delete", "evidence_capture", r.id or 0, "*", {"url": r.url, "manifest_sha256": r.manifest_sha256}, None
            )
            for r in doomed
        ],
    )
    session.flush()
    for name in orphans:  # after the rows: a failure here leaves files without rows, never rows without files
        store.delete(name)
    report.objects_removed = len(orphans)
    return report
