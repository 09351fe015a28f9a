"""Evidence on ``/metrics``: captures by status and trigger, timestamped captures, stored objects and bytes."""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlmodel import Session, col

from cases.evidence.models import CaptureStatus, CaptureTrigger, EvidenceCapture, EvidenceObject


def evidence_families(session: Session) -> list[Metric]:
    """Counts of captures (every status and trigger, zeros included: the label sets are fixed) and of storage."""
    captures = GaugeMetricFamily(
        "piratewatch_evidence_captures",
        "Captures of URLs kept as evidence, by status and trigger.",
        labels=["status", "trigger"],
    )
    stamped = GaugeMetricFamily(
        "piratewatch_evidence_timestamped", "Captures with a verified RFC 3161 timestamp token."
    )
    objects = GaugeMetricFamily(
        "piratewatch_evidence_objects",
        "Content-addressed evidence objects stored, by media type.",
        labels=["media_type"],
    )
    size = GaugeMetricFamily(
        "piratewatch_evidence_bytes", "Bytes of evidence objects stored, by media type.", labels=["media_type"]
    )
    counted = {
        (str(s), str(t)): int(n)
        for s, t, n in session.execute(
            sa.select(col(EvidenceCapture.status), col(EvidenceCapture.trigger), sa.func.count()).group_by(
                col(EvidenceCapture.status), col(EvidenceCapture.trigger)
            )
        )
    }
    for status in CaptureStatus:
        for trigger in CaptureTrigger:
            captures.add_metric([status.value, trigger.value], float(counted.get((status.value, trigger.value), 0)))
    timestamped = session.execute(
        sa.select(sa.func.count()).where(col(EvidenceCapture.token_sha256).is_not(None))
    ).scalar_one()
    stamped.add_metric([], float(timestamped))
    for media_type, n, total in session.execute(
        sa.select(col(EvidenceObject.media_type), sa.func.count(), sa.func.sum(col(EvidenceObject.size))).group_by(
            col(EvidenceObject.media_type)
        )
    ):
        objects.add_metric([str(media_type)], float(n))
        size.add_metric([str(media_type)], float(total or 0))
    return [captures, stamped, objects, size]
