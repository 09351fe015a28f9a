"""sender profiles; notice items citing the crawl's matches

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-29 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sender_profile",
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("sender", cases.db.JSONType, nullable=False),
        sa.Column("updated_at", cases.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"], ["association.id"], name=op.f("fk_sender_profile_association_id_association")
        ),
        sa.PrimaryKeyConstraint("association_id", name=op.f("pk_sender_profile")),
    )
    with op.batch_alter_table("notice_item") as batch:
        batch.add_column(sa.Column("work_found_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_notice_item_work_found_id_work_found"), "work_found", ["work_found_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("notice_item") as batch:
        batch.drop_constraint(batch.f("fk_notice_item_work_found_id_work_found"), type_="foreignkey")
        batch.drop_column("work_found_id")
    op.drop_table("sender_profile")
