"""why a notice is back in review; which process holds a send in flight

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("review_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("delivery_attempt") as batch:
        batch.add_column(sa.Column("owner", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery_attempt") as batch:
        batch.drop_column("owner")
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("review_reason")
