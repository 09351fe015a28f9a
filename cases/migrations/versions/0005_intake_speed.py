"""indexes for intake speed and site pages

Drops three indexes that a wider one already serves (each cost every bulk import a B-tree insert
per row): submission (association_id) and evidence_item (submission_id) are the first column of a
unique constraint; submission (site_id) becomes (site_id, association_id), the tenant filter's
probe. site (status) becomes (status, id), so a page filtered by status needs no sort.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 17:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_submission_association_id", table_name="submission")
    op.drop_index("ix_submission_site_id", table_name="submission")
    op.create_index("ix_submission_site_association", "submission", ["site_id", "association_id"], unique=False)
    op.drop_index("ix_evidence_item_submission_id", table_name="evidence_item")
    op.drop_index("ix_site_status", table_name="site")
    op.create_index("ix_site_status_id", "site", ["status", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_site_status_id", table_name="site")
    op.create_index("ix_site_status", "site", ["status"], unique=False)
    op.create_index("ix_evidence_item_submission_id", "evidence_item", ["submission_id"], unique=False)
    op.drop_index("ix_submission_site_association", table_name="submission")
    op.create_index("ix_submission_site_id", "submission", ["site_id"], unique=False)
    op.create_index("ix_submission_association_id", "submission", ["association_id"], unique=False)
