"""the decision on a recipient's rejection (when rejected, the decision, its reason, note, time, author); the
payment links crawls found; the names crawls give a provider (ad networks, payment services)

Revision ID: 0031
Revises: 0025
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0031"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("rejected_at", cases.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("decision", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("decision_reason", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("decision_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("decided_at", cases.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("decided_by", sa.String(length=200), nullable=True))
    with op.batch_alter_table("site_crawl") as batch:
        batch.add_column(sa.Column("payment_links", cases.db.JSONType, nullable=False, server_default="[]"))
    with op.batch_alter_table("provider") as batch:
        batch.add_column(sa.Column("crawl_names", cases.db.JSONType, nullable=False, server_default="[]"))
    # A notice rejected before this revision waits for a decision from its last change: its wait is
    # counted from then, so upkeep escalates it once the configured days are over, as before (at once)
    # it would have been.
    op.execute("UPDATE notice SET rejected_at = updated_at WHERE state = 'rejected'")


def downgrade() -> None:
    with op.batch_alter_table("provider") as batch:
        batch.drop_column("crawl_names")
    with op.batch_alter_table("site_crawl") as batch:
        batch.drop_column("payment_links")
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("decided_by")
        batch.drop_column("decided_at")
        batch.drop_column("decision_note")
        batch.drop_column("decision_reason")
        batch.drop_column("decision")
        batch.drop_column("rejected_at")
