"""queue indexes that serve the claim and the queue page in due order

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNCLAIMED = "state = 'in_review' AND claimed_by IS NULL"
_CLAIMED = "state = 'in_review' AND claimed_by IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.drop_index("ix_notice_queue")
        batch.create_index("ix_notice_queue", ["state", "due_at", "id"], unique=False)
        batch.create_index(
            "ix_notice_unclaimed",
            ["due_at", "id"],
            unique=False,
            postgresql_where=sa.text(_UNCLAIMED),
            sqlite_where=sa.text(_UNCLAIMED),
        )
        batch.create_index(
            "ix_notice_claimed",
            ["claimed_at"],
            unique=False,
            postgresql_where=sa.text(_CLAIMED),
            sqlite_where=sa.text(_CLAIMED),
        )


def downgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.drop_index("ix_notice_claimed")
        batch.drop_index("ix_notice_unclaimed")
        batch.drop_index("ix_notice_queue")
        batch.create_index("ix_notice_queue", ["state", "claimed_by", "due_at", "id"], unique=False)
