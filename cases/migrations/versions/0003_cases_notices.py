"""takedown cases, providers and notices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("abuse_email", sa.String(length=320), nullable=True),
        sa.Column("abuse_form_url", sa.String(length=2000), nullable=True),
        sa.Column("abuse_api_url", sa.String(length=2000), nullable=True),
        sa.Column("accepted_formats", cases.db.JSONType, nullable=False),
        sa.Column("expected_response_days", sa.Integer(), nullable=False),
        sa.Column("created_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider")),
        sa.UniqueConstraint("name", name=op.f("uq_provider_name")),
    )
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_kind"), ["kind"], unique=False)

    op.create_table(
        "takedown_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalated_from_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalated_from_id"], ["takedown_case.id"], name=op.f("fk_takedown_case_escalated_from_id_takedown_case")
        ),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"], name=op.f("fk_takedown_case_provider_id_provider")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_takedown_case_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takedown_case")),
        sa.UniqueConstraint("site_id", "provider_id", name=op.f("uq_takedown_case_site_id_provider_id")),
    )
    with op.batch_alter_table("takedown_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_takedown_case_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_takedown_case_site_id"), ["site_id"], unique=False)

    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("legal_basis", sa.String(length=32), nullable=False),
        sa.Column("template", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("sender", cases.db.JSONType, nullable=False),
        sa.Column("rendered_text", sa.Text(), nullable=True),
        sa.Column("rendered_sha256", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("due_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("escalated_from_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"], ["association.id"], name=op.f("fk_notice_association_id_association")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["takedown_case.id"], name=op.f("fk_notice_case_id_takedown_case")),
        sa.ForeignKeyConstraint(["escalated_from_id"], ["notice.id"], name=op.f("fk_notice_escalated_from_id_notice")),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"], name=op.f("fk_notice_provider_id_provider")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_notice_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notice_idempotency_key")),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_association_id"), ["association_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_site_id"), ["site_id"], unique=False)
        batch_op.create_index("ix_notice_queue", ["state", "claimed_by", "due_at", "id"], unique=False)

    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("response", cases.db.JSONType, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], name=op.f("fk_delivery_attempt_notice_id_notice")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempt")),
    )
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_attempt_idempotency_key"), ["idempotency_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_attempt_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_attempt_state"), ["state"], unique=False)

    op.create_table(
        "notice_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("received_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=1000), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], name=op.f("fk_notice_reply_notice_id_notice")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_reply")),
    )
    with op.batch_alter_table("notice_reply", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_reply_notice_id"), ["notice_id"], unique=False)

    op.create_table(
        "notice_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("evidence_item_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("checked_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_item_id"], ["evidence_item.id"], name=op.f("fk_notice_item_evidence_item_id_evidence_item")
        ),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], name=op.f("fk_notice_item_notice_id_notice")),
        sa.ForeignKeyConstraint(["work_id"], ["work.id"], name=op.f("fk_notice_item_work_id_work")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_item")),
        sa.UniqueConstraint("notice_id", "item_key", name=op.f("uq_notice_item_notice_id_item_key")),
    )
    with op.batch_alter_table("notice_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_item_notice_id"), ["notice_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notice_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_item_notice_id"))

    op.drop_table("notice_item")
    with op.batch_alter_table("notice_reply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_reply_notice_id"))

    op.drop_table("notice_reply")
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_state"))
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_notice_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_idempotency_key"))

    op.drop_table("delivery_attempt")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_queue")
        batch_op.drop_index(batch_op.f("ix_notice_site_id"))
        batch_op.drop_index(batch_op.f("ix_notice_provider_id"))
        batch_op.drop_index(batch_op.f("ix_notice_case_id"))
        batch_op.drop_index(batch_op.f("ix_notice_association_id"))

    op.drop_table("notice")
    with op.batch_alter_table("takedown_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_takedown_case_site_id"))
        batch_op.drop_index(batch_op.f("ix_takedown_case_provider_id"))

    op.drop_table("takedown_case")
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_kind"))

    op.drop_table("provider")
