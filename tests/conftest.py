"""Fixtures shared by the whole suite: clean stores on SQLite and on the local PostgreSQL.

Every store test runs twice, once per backend (``db_url`` is parametrised). PostgreSQL is the
local server (``PIRATEWATCH_TEST_POSTGRES_URL``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``);
each test worker migrates its own database once, and each test starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import make_engine, session_factory
from cases.migrations import upgrade

# Crawls capture their first matches by default (PIRATEWATCH_EVIDENCE__CAPTURE_ON_CRAWL). The suite's
# crawls outside tests/evidence are about crawling: their lab hosts are not in the captures' resolver
# (each capture would wait on DNS) and a screenshot costs a browser's second, so they crawl without
# capturing. tests/evidence sets the setting where it matters and checks the default itself; child
# processes inherit this through os.environ.
os.environ.setdefault("PIRATEWATCH_EVIDENCE__CAPTURE_ON_CRAWL", "false")

REPO = Path(__file__).resolve().parent.parent
SHARED_TESTDATA = REPO.parent / "shared" / "testdata"
POSTGRES_URL = os.environ.get("PIRATEWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

#: The sender profile notices are drafted with in tests (every element a legal basis may require).
SENDER: dict[str, object] = {
    "name": "Hanako Yamada",
    "organisation": "Association A",
    "email": "legal@association-a.example",
    "address": "1-2-3 Chiyoda, Tokyo 100-0001, Japan",
    "city": "Chiyoda-ku",
    "region": "Tokyo",
    "country": "JP",
    "phone": "+81 3 0000 0000",
    "signature": "/Hanako Yamada/",
    "explanation": "The pages reproduce the complete chapters of the works without the rights holder's licence.",
    "right_infringed": "公衆送信権（著作権法第23条）",
    "good_faith": True,
    "accuracy_under_perjury": True,
    "bona_fide": True,
    "truth_statement": True,
    "acts_as": "agent",
    "mandate_document": "委任状（Publisher K.K. 代表取締役、2026年4月1日付）",
}


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def shared_testdata() -> Path:
    """The captured real-world RDAP/WHOIS answers (``../shared/testdata``)."""
    if not SHARED_TESTDATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_TESTDATA} (it sits beside the repository in CI)")
    return SHARED_TESTDATA


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """This worker's migrated PostgreSQL database (dropped and re-created per test session)."""
    admin = make_url(POSTGRES_URL)
    # A prefix of its own lets several test runs share one server without dropping each other's databases.
    name = f"{os.environ.get('PIRATEWATCH_TEST_DB_PREFIX', 'pw_test')}_{_worker()}"
    try:
        admin_engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {admin.render_as_string(hide_password=True)}: {exc}\n"
            "Start it (the README's test command does) or set PIRATEWATCH_TEST_POSTGRES_URL.",
            pytrace=False,
        )
    url = admin.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin_engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


def _truncate_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated store: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "store.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    _truncate_postgres(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


class Tenants:
    """Two associations (A and B) with a submitter key each, and staff keys."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        from cases.audit.services import Actor
        from cases.db import transaction
        from cases.tenants.roles import Role
        from cases.tenants.services import create_api_key, create_association

        actor = Actor("test:setup")
        with transaction(factory) as session:
            a = create_association(session, "Association A", actor)
            b = create_association(session, "Association B", actor)
            staff = create_association(session, "Operations", actor)
            _, self.a = create_api_key(session, a, Role.SUBMITTER, actor)
            _, self.b = create_api_key(session, b, Role.SUBMITTER, actor)
            _, self.operator = create_api_key(session, staff, Role.OPERATOR, actor)
            _, self.admin = create_api_key(session, staff, Role.ADMIN, actor)
            self.a_id, self.b_id = a.id or 0, b.id or 0

    @staticmethod
    def headers(key: str) -> dict[str, str]:
        return {"X-API-Key": key}


@pytest.fixture
def tenants(factory: sessionmaker[Session]) -> Tenants:
    return Tenants(factory)


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[object]:
    """An in-process client of the app on the test store."""
    from fastapi.testclient import TestClient

    from piratewatch.config import get_settings
    from piratewatch.services import Services
    from piratewatch.web.app import create_app

    settings = get_settings(data_dir=tmp_path, database_url="")
    with TestClient(create_app(Services.from_settings(settings, engine=engine))) as test_client:
        yield test_client
