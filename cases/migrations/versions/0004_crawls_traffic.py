"""crawls, works found and traffic estimates

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "family_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("other_site_id", sa.Integer(), nullable=False),
        sa.Column("signals", cases.db.JSONType, nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["other_site_id"], ["site.id"], name=op.f("fk_family_proposal_other_site_id_site")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_family_proposal_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_proposal")),
        sa.UniqueConstraint("site_id", "other_site_id", name=op.f("uq_family_proposal_site_id_other_site_id")),
    )
    with op.batch_alter_table("family_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_proposal_status"), ["status"], unique=False)

    op.create_table(
        "job_due",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=16), nullable=False),
        sa.Column("due_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("leased_until", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_done_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_job_due_site_id_site")),
        sa.PrimaryKeyConstraint("site_id", "job", name=op.f("pk_job_due")),
    )
    with op.batch_alter_table("job_due", schema=None) as batch_op:
        batch_op.create_index("ix_job_due_kind_due", ["job", "due_at"], unique=False)

    op.create_table(
        "traffic_estimate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("visits_low", sa.Float(), nullable=False),
        sa.Column("visits_central", sa.Float(), nullable=False),
        sa.Column("visits_high", sa.Float(), nullable=False),
        sa.Column("pages_per_visit", sa.Float(), nullable=True),
        sa.Column("minutes_per_visit", sa.Float(), nullable=True),
        sa.Column("countries", cases.db.JSONType, nullable=False),
        sa.Column("sources", cases.db.JSONType, nullable=False),
        sa.Column("method", cases.db.JSONType, nullable=False),
        sa.Column("computed_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_traffic_estimate_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_estimate")),
    )
    with op.batch_alter_table("traffic_estimate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_traffic_estimate_month"), ["month"], unique=False)
        batch_op.create_index("ix_traffic_estimate_site_month", ["site_id", "month", "computed_at"], unique=False)

    op.create_table(
        "site_crawl",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=True),
        sa.Column("started_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("start_url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("catalogue_titles", sa.Integer(), nullable=True),
        sa.Column("catalogue_chapters", sa.Integer(), nullable=True),
        sa.Column("catalogue_growth", sa.Integer(), nullable=True),
        sa.Column("views_total", sa.BigInteger(), nullable=True),
        sa.Column("view_counters", cases.db.JSONType, nullable=False),
        sa.Column("analytics_ids", cases.db.JSONType, nullable=False),
        sa.Column("ad_networks", cases.db.JSONType, nullable=False),
        sa.Column("favicon_sha256", sa.String(length=64), nullable=True),
        sa.Column("mirror_links", cases.db.JSONType, nullable=False),
        sa.Column("redirects", cases.db.JSONType, nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("bytes_read", sa.BigInteger(), nullable=False),
        sa.Column("problems", cases.db.JSONType, nullable=False),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], name=op.f("fk_site_crawl_domain_id_domain")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_site_crawl_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_crawl")),
    )
    with op.batch_alter_table("site_crawl", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_crawl_favicon_sha256"), ["favicon_sha256"], unique=False)
        batch_op.create_index("ix_site_crawl_site_time", ["site_id", "started_at"], unique=False)

    op.create_table(
        "work_found",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("crawl_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_sha256", sa.String(length=64), nullable=False),
        sa.Column("title_found", sa.String(length=500), nullable=False),
        sa.Column("title_matched", sa.String(length=500), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("captured_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"], ["association.id"], name=op.f("fk_work_found_association_id_association")
        ),
        sa.ForeignKeyConstraint(["crawl_id"], ["site_crawl.id"], name=op.f("fk_work_found_crawl_id_site_crawl")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_work_found_site_id_site")),
        sa.ForeignKeyConstraint(["work_id"], ["work.id"], name=op.f("fk_work_found_work_id_work")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_found")),
        sa.UniqueConstraint("work_id", "url_sha256", name=op.f("uq_work_found_work_id_url_sha256")),
    )
    with op.batch_alter_table("work_found", schema=None) as batch_op:
        batch_op.create_index("ix_work_found_site_association", ["site_id", "association_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_found", schema=None) as batch_op:
        batch_op.drop_index("ix_work_found_site_association")

    op.drop_table("work_found")
    with op.batch_alter_table("site_crawl", schema=None) as batch_op:
        batch_op.drop_index("ix_site_crawl_site_time")
        batch_op.drop_index(batch_op.f("ix_site_crawl_favicon_sha256"))

    op.drop_table("site_crawl")
    with op.batch_alter_table("traffic_estimate", schema=None) as batch_op:
        batch_op.drop_index("ix_traffic_estimate_site_month")
        batch_op.drop_index(batch_op.f("ix_traffic_estimate_month"))

    op.drop_table("traffic_estimate")
    with op.batch_alter_table("job_due", schema=None) as batch_op:
        batch_op.drop_index("ix_job_due_kind_due")

    op.drop_table("job_due")
    with op.batch_alter_table("family_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_proposal_status"))

    op.drop_table("family_proposal")
