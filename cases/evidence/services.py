"""Recording captures and reading them back, with the chain of custody in the audit trail.

Every capture, export and verification is an audit event: who (the actor), when (the event's time),
from which egress address and with which program version (the event's values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.services import Actor, created
from cases.audit.services import record as record_audit
from cases.base import table_of
from cases.db import utcnow
from cases.errors import NotFoundError
from cases.evidence.manifest import OBJECT_KINDS, CaptureInput, canonical, manifest_of
from cases.evidence.models import EvidenceCapture, EvidenceObject
from cases.evidence.objects import ObjectStore, sha256_hex
from cases.evidence.timestamps import TokenInfo
from cases.messages import said
from cases.sqlutil import insert_ignore
from common.keys import url_key
from common.text import scrub

TOKEN_MEDIA_TYPE = "application/timestamp-reply"  # noqa: S105 - a media type, not a secret
MANIFEST_MEDIA_TYPE = "application/json"


def prepare(capture: CaptureInput, store: ObjectStore) -> tuple[dict[str, str], bytes]:
    """Store the capture's objects; their hashes by kind and the canonical manifest (stored too)."""
    hashes = {kind: store.put(data) for kind, data in capture.objects().items()}
    manifest = canonical(manifest_of(capture, hashes))
    store.put(manifest)
    return hashes, manifest


def _object_rows(objects: Sequence[tuple[bytes, str]]) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {"sha256": sha256_hex(data), "size": len(data), "media_type": kind, "stored_at": now} for data, kind in objects
    ]


def record_capture(
    session: Session,
    store: ObjectStore,
    actor: Actor,
    capture: CaptureInput,
    manifest: bytes,
    token: tuple[bytes, TokenInfo] | None,
    timestamp_problem: str | None,
) -> EvidenceCapture:
    """The capture's row, its objects listed, the token stored, and the audit event; in the caller's transaction."""
    objects = [(data, OBJECT_KINDS[kind][1]) for kind, data in capture.objects().items()]
    objects.append((manifest, MANIFEST_MEDIA_TYPE))
    if token is not None:
        store.put(token[0])
        objects.append((token[0], TOKEN_MEDIA_TYPE))
    insert_ignore(session, table_of(EvidenceObject), _object_rows(objects), ["sha256"])
    shot = capture.screenshot
    row = EvidenceCapture(
        url=capture.url,
        url_sha256=url_key(capture.url),
        site_id=capture.site_id,
        association_id=capture.association_id,
        trigger=capture.trigger,
        status=capture.status,
        limit_reason=capture.limit,
        problems=capture.problems,
        started_at=capture.started_at,
        finished_at=capture.finished_at,
        http_status=capture.http_status,
        final_url=capture.final_url,
        egress_address=capture.egress_address,
        warc_sha256=sha256_hex(capture.warc),
        warc_size=len(capture.warc),
        text_sha256=sha256_hex(capture.text.encode()),
        text_size=len(capture.text.encode()),
        screenshot_sha256=sha256_hex(shot) if shot is not None else None,
        screenshot_size=len(shot) if shot is not None else None,
        screenshot_problem=capture.screenshot_problem,
        manifest_sha256=sha256_hex(manifest),
        token_sha256=sha256_hex(token[0]) if token else None,
        timestamped_at=token[1].gen_time if token else None,
        tsa_name=scrub(token[1].tsa_name, max_length=300) if token else None,
        timestamp_problem=timestamp_problem,
        program_version=capture.program,
        actor=actor.name,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    record_audit(
        session,
        actor.for_association(capture.association_id),
        [
            created(
                "evidence_capture",
                row.id,
                {
                    "url": row.url,
                    "status": row.status,
                    "limit": row.limit_reason,
                    "manifest_sha256": row.manifest_sha256,
                    "timestamped_at": row.timestamped_at,
                    "egress_address": row.egress_address,
                    "program": row.program_version,
                },
            )
        ],
    )
    return row


def record_event(session: Session, actor: Actor, kind: str, key: str, values: dict[str, Any]) -> None:
    """An audit event of an export (``evidence_export``) or a verification (``evidence_verification``)."""
    record_audit(session, actor, [created(kind, key[:64], values)])


def get_capture(session: Session, capture_id: int, association_id: int | None = None) -> EvidenceCapture:
    """One capture; with `association_id`, only one made for that association (else 404, as everywhere)."""
    row = session.get(EvidenceCapture, capture_id)
    if row is None or (association_id is not None and row.association_id != association_id):
        raise NotFoundError(said("capture {capture} not found", capture=capture_id))
    return row


def object_of(row: EvidenceCapture, kind: str) -> str:
    """The SHA-256 of a capture's object of `kind` (404 when the capture has none, e.g. no screenshot)."""
    sha = {
        "warc": row.warc_sha256,
        "text": row.text_sha256,
        "screenshot": row.screenshot_sha256,
        "manifest": row.manifest_sha256,
        "token": row.token_sha256,
    }.get(kind)
    if sha is None:
        raise NotFoundError(f"capture {row.id} has no {kind}")
    return sha


def captures_of_site(session: Session, site_id: int) -> list[EvidenceCapture]:
    query = select(EvidenceCapture).where(col(EvidenceCapture.site_id) == site_id).order_by(col(EvidenceCapture.id))
    return list(session.exec(query))


def latest_captures(
    session: Session, urls: Sequence[str], *, association_id: int | None = None
) -> dict[str, EvidenceCapture]:
    """The newest capture of each URL that has one; with `association_id`, only captures made for that
    association or by staff for all (another association's captures are not its evidence)."""
    keys = {url_key(u): u for u in urls}
    if not keys:
        return {}
    query = select(EvidenceCapture).where(col(EvidenceCapture.url_sha256).in_(keys)).order_by(col(EvidenceCapture.id))
    if association_id is not None:
        mine = col(EvidenceCapture.association_id) == association_id
        query = query.where(sa.or_(mine, col(EvidenceCapture.association_id).is_(None)))
    return {row.url: row for row in session.exec(query)}


def totals(session: Session) -> tuple[int, int, int]:
    """Captures, stored objects and their bytes (for ``/metrics``)."""
    captures = session.execute(sa.select(sa.func.count()).select_from(table_of(EvidenceCapture))).scalar_one()
    objects, size = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(col(EvidenceObject.size)), 0))
    ).one()
    return int(captures), int(objects), int(size)


def older_than(session: Session, cutoff: dt.datetime) -> list[EvidenceCapture]:
    query = select(EvidenceCapture).where(col(EvidenceCapture.started_at) < cutoff)
    return list(session.exec(query))
