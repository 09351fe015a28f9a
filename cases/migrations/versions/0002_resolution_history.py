"""resolution snapshots and infrastructure events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:08:57.240948
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resolution_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("resolved_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("addresses", cases.db.JSONType, nullable=False),
        sa.Column("asns", cases.db.JSONType, nullable=False),
        sa.Column("host_organisation", sa.String(length=300), nullable=True),
        sa.Column("cdn", sa.String(length=100), nullable=True),
        sa.Column("registrar", sa.String(length=300), nullable=True),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("profile", cases.db.JSONType, nullable=False),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], name=op.f("fk_resolution_snapshot_domain_id_domain")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_resolution_snapshot_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution_snapshot")),
    )
    with op.batch_alter_table("resolution_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resolution_snapshot_cdn"), ["cdn"], unique=False)
        batch_op.create_index("ix_resolution_snapshot_domain_time", ["domain_id", "resolved_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_resolution_snapshot_registrar"), ["registrar"], unique=False)
        batch_op.create_index(batch_op.f("ix_resolution_snapshot_site_id"), ["site_id"], unique=False)

    op.create_table(
        "infra_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], name=op.f("fk_infra_event_domain_id_domain")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_infra_event_site_id_site")),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["resolution_snapshot.id"], name=op.f("fk_infra_event_snapshot_id_resolution_snapshot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_infra_event")),
    )
    with op.batch_alter_table("infra_event", schema=None) as batch_op:
        batch_op.create_index("ix_infra_event_site_time", ["site_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("infra_event", schema=None) as batch_op:
        batch_op.drop_index("ix_infra_event_site_time")

    op.drop_table("infra_event")
    with op.batch_alter_table("resolution_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resolution_snapshot_site_id"))
        batch_op.drop_index(batch_op.f("ix_resolution_snapshot_registrar"))
        batch_op.drop_index("ix_resolution_snapshot_domain_time")
        batch_op.drop_index(batch_op.f("ix_resolution_snapshot_cdn"))

    op.drop_table("resolution_snapshot")
