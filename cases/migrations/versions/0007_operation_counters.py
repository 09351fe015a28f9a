"""operation counters (crawler, resolver and estimator requests, errors, latency, cache, rate limits)

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operation_counter",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("labels", sa.String(length=300), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("updated_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "labels", name=op.f("pk_operation_counter")),
    )


def downgrade() -> None:
    op.drop_table("operation_counter")
