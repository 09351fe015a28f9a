"""Hostile values planted in every field an attacker writes: a registry's names (RDAP/WHOIS), a reply's
sender, subject and body. Each is stored (PostgreSQL included, NUL and all), and every page that shows it
answers 200 with the value escaped, on one line where it is one; the legal text carries no line of it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import transaction, utcnow
from cases.infra.services import record_resolution
from cases.sites.models import Domain
from cases.takedown.delivery.outbox import begin_sends, finish_send
from cases.takedown.replies import record_reply
from cases.takedown.review import approve
from cases.takedown.services import get_notice

from .conftest import ACTOR, UiWorld

SCRIPT = "<script>alert(1)</script>"
#: what a registry or a reply can say: markup, a line break followed by a sentence, NUL, a lone
#: surrogate, a bidirectional override, a Unicode line separator
HOSTILE = f"Evil{SCRIPT}\r\nThe sender withdraws this notice.\x00\ud800\u202e\u2028X"
#: as much of it as a row already in the store can hold (no store keeps NUL or a lone surrogate)
STORABLE = HOSTILE.replace("\x00", "").replace("\ud800", "")


def _plant(factory: sessionmaker[Session], engine: Engine, world: UiWorld) -> int:
    with engine.begin() as conn:  # the host's directory entry as a registry named it
        conn.execute(sa.text("UPDATE provider SET name = :n WHERE id = :id"), {"n": STORABLE, "id": world.host})
    with transaction(factory) as session:
        domain = session.scalars(sa.select(Domain).where(Domain.site_id == world.a_site)).first()
        assert domain is not None
        record_resolution(
            session,
            ACTOR,
            domain,
            resolved_at=utcnow(),
            profile={"registrar": {"name": HOSTILE}, "notices": [HOSTILE]},
            addresses=["127.0.10.1"],
            asns=[64500],
            host_organisation=HOSTILE,
            cdn=HOSTILE,
            registrar=HOSTILE,
            failure_count=0,
            changes=[],
        )
        approve(session, ACTOR, world.a_notice)
    with transaction(factory) as session:
        (started,) = begin_sends(session, ACTOR, [world.a_notice], "smtp")
        finish_send(session, ACTOR, started.attempt_id, {"server": "250 ok"})
    with transaction(factory) as session:
        record_reply(session, ACTOR, world.a_notice, "reply", sender=HOSTILE, subject=HOSTILE, body=HOSTILE * 3)
    return world.a_notice


def _safe(page: str) -> None:
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\x00" not in page and "\u202e" not in page


def test_hostile_registry_and_reply_values_are_stored_and_shown_safely(
    factory: sessionmaker[Session], engine: Engine, world: UiWorld, tenants: Any, signed_in: Any
) -> None:
    notice_id = _plant(factory, engine, world)
    operator = signed_in(tenants.operator)
    for path in (
        f"/ui/notices/{notice_id}",
        f"/ui/sites/{world.a_site}",
        "/ui/providers",
        f"/ui/providers/{world.host}",
    ):
        answer = operator.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        _safe(answer.text)
    with factory() as session:
        text = get_notice(session, notice_id).rendered_text or ""
    assert not any(line.lstrip().startswith("The sender withdraws") for line in text.splitlines())
    with engine.connect() as conn:
        sender, subject, body = conn.execute(sa.text("SELECT sender, subject, body FROM notice_reply")).one()
        registrar = conn.execute(sa.text("SELECT registrar FROM resolution_snapshot")).scalar_one()
    for one_line in (sender, subject, registrar):  # kept as one line, markup and all, nothing a store refuses
        assert "\n" not in one_line and "\x00" not in one_line and SCRIPT in one_line
    assert body.count("The sender withdraws this notice.") == 3 and "\x00" not in body and "\ud800" not in body


def test_what_a_crawled_page_says_is_stored_and_shown_safely(
    factory: sessionmaker[Session], engine: Engine, world: UiWorld, tenants: Any, signed_in: Any
) -> None:
    from cases.crawls.schemas import CrawlIn, MatchIn
    from cases.crawls.services import record_crawl, record_works_found
    from cases.works.models import Work

    now = utcnow()
    with transaction(factory) as session:
        work = session.scalars(sa.select(Work).where(Work.association_id == world.a_id)).first()
        assert work is not None and work.id is not None
        crawl = CrawlIn.model_validate(
            {
                "started_at": now,
                "finished_at": now,
                "start_url": "https://manga-raw.test/",
                "title": HOSTILE,
                "language": HOSTILE,
                "analytics_ids": [HOSTILE],
                "ad_networks": [HOSTILE],
                "mirror_links": [HOSTILE],
                "view_counters": {HOSTILE: 3},
            }
        )
        assert crawl.language is None  # a sentence is no language tag (and the column holds 35 characters)
        stored = record_crawl(session, ACTOR, world.a_site, crawl)
        match = MatchIn(
            work_id=work.id,
            association_id=world.a_id,
            url="https://manga-raw.test/chapter-1",
            title_found=HOSTILE,
            title_matched="Work WA",
            score=100,
            captured_at=now,
            content_sha256="0" * 64,
        )
        assert record_works_found(session, ACTOR, world.a_site, stored.id, [match]) == 1
    with engine.connect() as conn:
        title, found = conn.execute(
            sa.text("SELECT c.title, w.title_found FROM site_crawl c, work_found w WHERE w.crawl_id = c.id")
        ).one()
    for one_line in (title, found):  # the page's words, one storable line, markup and all
        assert "\n" not in one_line and "\x00" not in one_line and "\u202e" not in one_line and SCRIPT in one_line
    page = signed_in(tenants.operator).get(f"/ui/sites/{world.a_site}")
    assert page.status_code == 200
    _safe(page.text)
    api = signed_in(tenants.operator).get(
        f"/api/v1/sites/{world.a_site}/crawls", headers={"X-API-Key": tenants.operator}
    )
    assert api.status_code == 200 and "\x00" not in api.text
