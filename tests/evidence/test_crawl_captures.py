"""A crawl's first matches are captured (trigger ``crawl``) after the crawl is stored: bounded per
crawl, for the association whose work matched, off by a switch; through ``Services.crawl`` and the
due-job runner, on the lab's pirate sites."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from cases.audit.services import Actor
from cases.crawls.models import WorkFound
from cases.db import transaction
from cases.evidence.models import EvidenceCapture
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.schedule.models import JobKind
from lab.sites import HOSTS
from piratewatch.config import get_settings
from piratewatch.services import Services

from .conftest import EvidenceLab

ACTOR = Actor("test:crawl-captures")
ONE_PIECE = {"ref": "JPA-1", "titles": {"ja": "ワンピース"}, "content_type": "manga"}
TITAN = {"ref": "KDN-7", "titles": {"ja": "進撃の巨人"}, "content_type": "manga"}


@contextmanager
def _services(lab: EvidenceLab, engine: Engine, db_url: str, tmp_path: Path, **evidence: Any) -> Iterator[Services]:
    values = lab.settings_values(tmp_path / "data", db_url)
    values["evidence"].update(evidence)
    values["crawler"] = {
        "allow_networks": ["127.0.0.0/8"],
        "host_overrides": dict.fromkeys(HOSTS, "127.0.0.1"),
        "start_url_template": f"http://{{host}}:{lab.server.port}/",
        "delay_seconds": 0,
        "concurrency_per_site": 8,
        "timeout_seconds": 1.0,
        "max_pages": 60,
        "crawl_deadline_seconds": 30,
    }
    with Services.from_settings(get_settings(**values), engine=engine) as svc:
        yield svc


def _site(svc: Services, tenants: Any) -> int:
    with transaction(svc.factory) as session:
        [a], _ = submit_sites(
            session,
            ACTOR,
            tenants.a_id,
            [SiteIn.model_validate({"domains": ["rawkuma.test"], "works": [ONE_PIECE]})],
            via="api",
        )
        [b], _ = submit_sites(
            session,
            ACTOR,
            tenants.b_id,
            [SiteIn.model_validate({"domains": ["rawkuma.test"], "works": [TITAN]})],
            via="api",
        )
        assert a is not None and b is not None and a.site_id == b.site_id
        return a.site_id


def test_a_crawls_first_matches_are_captured_bounded_and_per_association(
    evidence_lab: EvidenceLab, engine: Engine, db_url: str, tenants: Any, tmp_path: Path
) -> None:
    with _services(evidence_lab, engine, db_url, tmp_path, capture_on_crawl=True, crawl_capture_limit=15) as svc:
        site_id = _site(svc, tenants)
        first = svc.crawl(site_id, ACTOR)
        assert first.ok and first.works_found == 22  # 13 pages of One Piece (A), 9 of Titan (B)
        assert len(first.new_matches) == 22
        # bounded: the first 15 new matches, in the order found, one capture each
        assert [(c.url, c.status) for c in first.captures] == [(u, "complete") for _, u in first.new_matches[:15]]
        with svc.factory() as session:
            rows = list(session.exec(select(EvidenceCapture).order_by(col(EvidenceCapture.id))))
            association_of = {(w.url, w.association_id) for w in session.exec(select(WorkFound))}
        assert len(rows) == 15
        assert {(r.trigger, r.site_id) for r in rows} == {("crawl", site_id)}
        # each capture is made for the association whose work matched the page (both associations here)
        assert all((r.url, r.association_id) in association_of for r in rows)
        assert {r.association_id for r in rows} == {tenants.a_id, tenants.b_id}
        assert all(r.timestamped_at is not None for r in rows)
        # a crawl that matches nothing new captures nothing
        second = svc.crawl(site_id, ACTOR)
        assert second.works_found == 0 and second.new_matches == [] and second.captures == []
        with svc.factory() as session:
            assert len(list(session.exec(select(EvidenceCapture.id)))) == 15


def test_captures_after_crawl_are_on_by_default(
    evidence_lab: EvidenceLab,
    engine: Engine,
    db_url: str,
    tenants: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(
        "PIRATEWATCH_EVIDENCE__CAPTURE_ON_CRAWL", raising=False
    )  # the suite's own switch (tests/conftest.py)
    with _services(evidence_lab, engine, db_url, tmp_path) as svc:
        assert svc.settings.evidence.capture_on_crawl is True
        assert svc.settings.evidence.crawl_capture_limit == 20
        summary = svc.crawl(_site(svc, tenants), ACTOR)
        assert summary.works_found == 22 and len(summary.new_matches) == 22
        assert [(c.url, c.status) for c in summary.captures] == [(u, "complete") for _, u in summary.new_matches[:20]]
        with svc.factory() as session:
            assert len(list(session.exec(select(EvidenceCapture.id)))) == 20


def test_switched_off_a_crawl_captures_nothing(
    evidence_lab: EvidenceLab, engine: Engine, db_url: str, tenants: Any, tmp_path: Path
) -> None:
    with _services(evidence_lab, engine, db_url, tmp_path, capture_on_crawl=False) as svc:
        summary = svc.crawl(_site(svc, tenants), ACTOR)
        assert summary.works_found == 22 and len(summary.new_matches) == 22 and summary.captures == []
        with svc.factory() as session:
            assert list(session.exec(select(EvidenceCapture.id))) == []


def test_the_runner_captures_after_the_crawl_job_is_stored(
    evidence_lab: EvidenceLab, engine: Engine, db_url: str, tenants: Any, tmp_path: Path
) -> None:
    with _services(evidence_lab, engine, db_url, tmp_path, capture_on_crawl=True, crawl_capture_limit=3) as svc:
        site_id = _site(svc, tenants)
        report = asyncio.run(svc.runner(ACTOR, takedown=False).run_once([JobKind.CRAWL]))
        assert report.done == {"crawl": 1} and report.failed == []
        with svc.factory() as session:
            rows = list(session.exec(select(EvidenceCapture)))
            first = list(session.exec(select(WorkFound).order_by(col(WorkFound.id)).limit(3)))
        assert sorted(r.url for r in rows) == sorted(w.url for w in first)
        assert {(r.trigger, r.site_id, r.status) for r in rows} == {("crawl", site_id, "complete")}


def test_the_crawl_command_prints_each_capture(
    evidence_lab: EvidenceLab, engine: Engine, db_url: str, tenants: Any, tmp_path: Path
) -> None:
    from .test_cli import _env, invoke

    with _services(evidence_lab, engine, db_url, tmp_path, capture_on_crawl=True, crawl_capture_limit=2) as svc:
        _site(svc, tenants)
        values = evidence_lab.settings_values(tmp_path / "data", db_url)
        values["evidence"].update(capture_on_crawl=True, crawl_capture_limit=2)
        values["crawler"] = svc.settings.crawler.model_dump(
            include={"allow_networks", "start_url_template", "delay_seconds", "timeout_seconds", "max_pages"}
        )
    env = _env(values)
    env["PIRATEWATCH_CRAWLER__HOST_OVERRIDES"] = json.dumps(dict.fromkeys(HOSTS, "127.0.0.1"))
    code, out, err = invoke(env, "crawl", "rawkuma.test")
    assert code == 0, out + err
    assert "22 new works found" in out
    lines = [line for line in out.splitlines() if line.strip().startswith("capture ")]
    assert len(lines) == 2 and all(" complete: http://rawkuma.test:" in line for line in lines), out
