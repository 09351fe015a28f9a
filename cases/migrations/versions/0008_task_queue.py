"""the task queue's tables (procrastinate), on PostgreSQL only

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 17:30:00

Workers on several machines share the due work through procrastinate, whose jobs live in the same
PostgreSQL database as the store (so the scheduler can defer a job in the transaction that marks
the site's job as queued). Its schema is procrastinate's own SQL, applied as the installed version
ships it; the embedded SQLite store runs everything in one process and needs no queue.

When a newer procrastinate changes its schema, add a migration that runs its files from
``procrastinate/sql/migrations`` (``tests/scaleout/test_queue_schema.py`` fails until then).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    exists = bind.execute(sa.text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar()
    if not exists:
        # Straight to psycopg without parameters: the script is sent as it is (several statements,
        # '%' kept literal), inside this migration's transaction.
        bind.connection.driver_connection.execute(SchemaManager.get_schema())  # type: ignore[union-attr]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # Everything procrastinate created is named procrastinate_*: tables (with their triggers),
    # functions, enum and composite types.
    for (table,) in bind.execute(
        sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%'"
        )
    ):
        bind.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    for (signature,) in bind.execute(
        sa.text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'"
        )
    ):
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
    for (name,) in bind.execute(
        sa.text(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%' AND t.typtype IN ('e', 'c')"
        )
    ):
        bind.exec_driver_sql(f'DROP TYPE IF EXISTS "{name}" CASCADE')
