"""restores after a counter-notice: when the content was seen live again, who recorded it, the evidence

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("restored_at", cases.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("restored_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("restore_evidence", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("restore_evidence")
        batch.drop_column("restored_by")
        batch.drop_column("restored_at")
