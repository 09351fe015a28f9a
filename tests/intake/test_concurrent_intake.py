"""Two writers submitting the same new domain at once still make one site."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import transaction
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites


def test_racing_submissions_make_one_site(factory: sessionmaker[Session], engine: Engine, tenants: object) -> None:
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        association = tenants.a_id if n % 2 else tenants.b_id  # type: ignore[attr-defined]
        items = [SiteIn(domains=[f"https://mirror{n}.racing-site.com/", "racing-site.com"], source_ref=f"ref-{n}")]
        try:
            barrier.wait(timeout=10)
            with transaction(factory) as session:
                submit_sites(session, Actor("test"), association, items, via="api")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM site")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM submission")).scalar_one() == 6
        assert conn.execute(sa.text("SELECT count(*) FROM domain")).scalar_one() == 7
