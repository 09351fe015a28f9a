"""foundation: tenants, catalogue, sites, intake, audit

Revision ID: 0001
Revises:
The audit trail is append-only: triggers refuse UPDATE and DELETE on audit_event on both
SQLite and PostgreSQL, so not even a bug in our code can rewrite history.

Create Date: 2026-11-22 16:28:39.695975
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.db

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "association",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association")),
        sa.UniqueConstraint("name", name=op.f("uq_association_name")),
    )
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=253), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["merged_into_id"], ["site.id"], name=op.f("fk_site_merged_into_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
    )
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_site_status"), ["status"], unique=False)

    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["association_id"], ["association.id"], name=op.f("fk_api_key_association_id_association")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_association_id"), ["association_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_key_prefix"), ["prefix"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["association_id"], ["association.id"], name=op.f("fk_audit_event_association_id_association")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_association_id"), ["association_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_entity", ["entity_type", "entity_id"], unique=False)

    op.create_table(
        "domain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("fqdn", sa.String(length=253), nullable=False),
        sa.Column("fqdn_unicode", sa.String(length=253), nullable=False),
        sa.Column("registrable_domain", sa.String(length=253), nullable=False),
        sa.Column("is_ip", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("redirects_to_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["redirects_to_id"], ["domain.id"], name=op.f("fk_domain_redirects_to_id_domain")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_domain_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain")),
        sa.UniqueConstraint("fqdn", name=op.f("uq_domain_fqdn")),
    )
    with op.batch_alter_table("domain", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_domain_registrable_domain"), ["registrable_domain"], unique=False)
        batch_op.create_index(batch_op.f("ix_domain_site_id"), ["site_id"], unique=False)

    op.create_table(
        "site_content_type",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_site_content_type_site_id_site")),
        sa.PrimaryKeyConstraint("site_id", "content_type", name=op.f("pk_site_content_type")),
    )
    with op.batch_alter_table("site_content_type", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_content_type_content_type"), ["content_type"], unique=False)

    op.create_table(
        "site_language",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_site_language_site_id_site")),
        sa.PrimaryKeyConstraint("site_id", "language", name=op.f("pk_site_language")),
    )
    with op.batch_alter_table("site_language", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_language_language"), ["language"], unique=False)

    op.create_table(
        "work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("rights_holder", sa.String(length=300), nullable=True),
        sa.Column("official_url", sa.String(length=2000), nullable=True),
        sa.Column("created_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"], ["association.id"], name=op.f("fk_work_association_id_association")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work")),
        sa.UniqueConstraint("association_id", "ref", name=op.f("uq_work_association_id_ref")),
    )
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_association_id"), ["association_id"], unique=False)

    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("payload", cases.db.JSONType, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_key_id", sa.Integer(), nullable=True),
        sa.Column("created_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"], ["association.id"], name=op.f("fk_submission_association_id_association")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_key_id"], ["api_key.id"], name=op.f("fk_submission_created_by_key_id_api_key")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_submission_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("association_id", "source_ref", name=op.f("uq_submission_association_id_source_ref")),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_association_id"), ["association_id"], unique=False)
        batch_op.create_index("ix_submission_association_site", ["association_id", "site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_site_id"), ["site_id"], unique=False)

    op.create_table(
        "work_title",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["work_id"], ["work.id"], name=op.f("fk_work_title_work_id_work")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_title")),
        sa.UniqueConstraint("work_id", "language", "title", name=op.f("uq_work_title_work_id_language_title")),
    )
    with op.batch_alter_table("work_title", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_title_work_id"), ["work_id"], unique=False)

    op.create_table(
        "evidence_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("captured_at", cases.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", cases.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"], ["association.id"], name=op.f("fk_evidence_item_association_id_association")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_evidence_item_site_id_site")),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submission.id"], name=op.f("fk_evidence_item_submission_id_submission")
        ),
        sa.ForeignKeyConstraint(["work_id"], ["work.id"], name=op.f("fk_evidence_item_work_id_work")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_item")),
        sa.UniqueConstraint("submission_id", "item_key", name=op.f("uq_evidence_item_submission_id_item_key")),
    )
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_item_site_association", ["site_id", "association_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_item_submission_id"), ["submission_id"], unique=False)

    _create_append_only_triggers()


APPEND_ONLY_MESSAGE = "audit_event is append-only"


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_item_submission_id"))
        batch_op.drop_index("ix_evidence_item_site_association")

    op.drop_table("evidence_item")
    with op.batch_alter_table("work_title", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_title_work_id"))

    op.drop_table("work_title")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_site_id"))
        batch_op.drop_index("ix_submission_association_site")
        batch_op.drop_index(batch_op.f("ix_submission_association_id"))

    op.drop_table("submission")
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_association_id"))

    op.drop_table("work")
    with op.batch_alter_table("site_language", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_language_language"))

    op.drop_table("site_language")
    with op.batch_alter_table("site_content_type", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_content_type_content_type"))

    op.drop_table("site_content_type")
    with op.batch_alter_table("domain", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_domain_site_id"))
        batch_op.drop_index(batch_op.f("ix_domain_registrable_domain"))

    op.drop_table("domain")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_association_id"))

    op.drop_table("audit_event")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_prefix"))
        batch_op.drop_index(batch_op.f("ix_api_key_association_id"))

    op.drop_table("api_key")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_status"))
        batch_op.drop_index(batch_op.f("ix_site_name"))

    op.drop_table("site")
    op.drop_table("association")
