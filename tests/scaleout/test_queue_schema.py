"""The task queue's schema (migration 0008) is the one the installed procrastinate expects."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from procrastinate.schema import SchemaManager

from ..conftest import POSTGRES_URL
from .cluster import create_database, drop_database

#: procrastinate's newest schema migration when 0008 was written (its schema.sql includes it)
SCHEMA_AT = "03.04.00_50_post_add_retry_failed_job_procedure.sql"


def test_installed_procrastinate_has_no_schema_change_after_migration_0008() -> None:
    newest = sorted(p.name for p in Path(SchemaManager.get_migrations_path()).glob("*.sql"))[-1]
    assert newest == SCHEMA_AT, (
        f"procrastinate ships a newer schema migration ({newest}): add an Alembic migration that runs "
        "its SQL migration files after 0008, then update SCHEMA_AT"
    )


def test_migrated_store_carries_the_queue_and_the_app_can_reach_it() -> None:
    import os

    name = f"{os.environ.get('PIRATEWATCH_TEST_DB_PREFIX', 'pw_test')}_queue_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    url = create_database(POSTGRES_URL, name)
    try:
        from piratewatch.config import get_settings
        from piratewatch.taskqueue.app import build_app

        with build_app(get_settings(database_url=url)).open() as app:
            assert app.check_connection()
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            functions = conn.execute(
                sa.text("SELECT count(*) FROM pg_proc WHERE proname = 'procrastinate_fetch_job_v2'")
            ).scalar_one()
        engine.dispose()
        assert functions == 1
    finally:
        drop_database(POSTGRES_URL, name)
