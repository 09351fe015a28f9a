"""counter-notices: the §512(g) and Japanese objection clocks on a notice

Revision ID: 0024
Revises: 0018
Create Date: 2026-12-03 15:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0024"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("counter_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("counter_received_at", cases.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("clock_ends_at", cases.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("restore_latest_at", cases.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("action_filed_at", cases.db.UTCDateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_notice_clock_ends_at"), ["clock_ends_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.drop_index(batch.f("ix_notice_clock_ends_at"))
        batch.drop_column("action_filed_at")
        batch.drop_column("restore_latest_at")
        batch.drop_column("clock_ends_at")
        batch.drop_column("counter_received_at")
        batch.drop_column("counter_kind")
