"""evidence: captures of URLs and their content-addressed objects

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:22:36
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_object",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("stored_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence_object")),
    )
    op.create_table(
        "evidence_capture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_sha256", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("limit_reason", sa.Text(), nullable=True),
        sa.Column("problems", cases.db.SafeJSON(), nullable=False),
        sa.Column("started_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("egress_address", sa.String(length=64), nullable=True),
        sa.Column("warc_sha256", sa.String(length=64), nullable=False),
        sa.Column("warc_size", sa.BigInteger(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("text_size", sa.BigInteger(), nullable=False),
        sa.Column("screenshot_sha256", sa.String(length=64), nullable=True),
        sa.Column("screenshot_size", sa.BigInteger(), nullable=True),
        sa.Column("screenshot_problem", sa.Text(), nullable=True),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=True),
        sa.Column("timestamped_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tsa_name", sa.String(length=300), nullable=True),
        sa.Column("timestamp_problem", sa.Text(), nullable=True),
        sa.Column("program_version", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"], ["association.id"], name=op.f("fk_evidence_capture_association_id_association")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_evidence_capture_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_capture")),
    )
    with op.batch_alter_table("evidence_capture", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_capture_association_id"), ["association_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_capture_manifest_sha256"), ["manifest_sha256"], unique=False)
        batch_op.create_index("ix_evidence_capture_site", ["site_id", "started_at"], unique=False)
        batch_op.create_index("ix_evidence_capture_url", ["url_sha256", "started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_capture", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_capture_url")
        batch_op.drop_index("ix_evidence_capture_site")
        batch_op.drop_index(batch_op.f("ix_evidence_capture_manifest_sha256"))
        batch_op.drop_index(batch_op.f("ix_evidence_capture_association_id"))

    op.drop_table("evidence_capture")
    op.drop_table("evidence_object")
