"""work rights statements (per work: right, protection period, no licence, proof of the right);
providers' DMCA designated agents

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-03 14:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0017"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_rights_statement",
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("statement", cases.db.JSONType, nullable=False),
        sa.Column("updated_at", cases.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["work_id"], ["work.id"], name=op.f("fk_work_rights_statement_work_id_work")),
        sa.PrimaryKeyConstraint("work_id", name=op.f("pk_work_rights_statement")),
    )
    with op.batch_alter_table("provider") as batch:
        batch.add_column(sa.Column("dmca_agent_email", sa.String(length=320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("provider") as batch:
        batch.drop_column("dmca_agent_email")
    op.drop_table("work_rights_statement")
