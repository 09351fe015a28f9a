"""Migrations run unchanged on SQLite and PostgreSQL, match the models, and keep audit append-only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from cases.migrations import current_revision, downgrade, head_revision, include_name, upgrade
from cases.models import metadata


def test_store_is_at_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name}), metadata
        )
    assert diff == [], f"the models differ from the migrated schema; write a migration: {diff}"


def test_downgrade_to_base_and_back(db_url: str, engine: Engine) -> None:
    downgrade(db_url, "base")
    assert current_revision(engine) is None
    assert "site" not in sa.inspect(engine).get_table_names()
    upgrade(db_url)
    assert current_revision(engine) == head_revision()


def test_upgrade_is_idempotent(db_url: str, engine: Engine) -> None:
    upgrade(db_url)
    upgrade(db_url)
    assert current_revision(engine) == head_revision()


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"])
def test_audit_trail_is_append_only(engine: Engine, statement: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO audit_event (at, actor, action, entity_type, entity_id, field) "
                "VALUES (:at, 'test', 'create', 'site', '1', '*')"
            ),
            {"at": "2026-01-01 00:00:00"},
        )
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text(statement))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT actor FROM audit_event")).scalar_one() == "test"
