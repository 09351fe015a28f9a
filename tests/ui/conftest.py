"""A world for the web UI's tests: two associations with notices in the queue, providers, live evidence
pages (the pre-send re-check fetches them), a real SMTP server, and browsers-as-clients signed in by role.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from cases.audit.services import Actor
from cases.db import transaction
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.providers.services import add_provider
from cases.takedown.models import LegalBasis
from cases.takedown.services import draft_notice, open_case, submit_for_review
from lab.http_util import ThreadedServer
from lab.smtp_sink import SmtpSink

from ..conftest import SENDER

ACTOR = Actor("test:ui")
#: A's evidence path that B must never see, on any page.
A_SECRET = "a-only-chapter"
B_SECRET = "b-only-chapter"


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _evidence_app() -> Starlette:
    async def live(request: Request) -> Response:
        # a chapter page shows its work (the re-check before sending looks for the work's title)
        return PlainTextResponse(f"Work W | Work WA | Work WB: chapter page {request.url.path}")

    async def gone(_: Request) -> Response:
        return PlainTextResponse("removed", status_code=404)

    return Starlette(routes=[Route("/gone/{rest:path}", gone), Route("/{rest:path}", live)])


@pytest.fixture(scope="session")
def evidence_site() -> Iterator[str]:
    """A real HTTP server on loopback serving the evidence pages (``/gone/...`` answers 404)."""
    server = ThreadedServer(_evidence_app()).start()
    yield server.url
    server.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it receives."""
    with SmtpSink() as sink:
        yield sink


@dataclass
class UiWorld:
    """Ids of what the fixture created: one site of A's, one of B's, providers, a notice of each in review."""

    a_site: int
    b_site: int
    host: int
    cdn: int
    a_notice: int
    b_notice: int
    a_id: int
    b_id: int
    #: a capture made for A of its evidence page, whose text is A's secret
    a_capture: int = 0
    #: text only A's pages may show (a path of A's evidence), and B's
    a_secret: str = A_SECRET
    b_secret: str = B_SECRET


def site_in(ref: str, domain: str, urls: list[str], work_ref: str) -> SiteIn:
    return SiteIn.model_validate(
        {
            "source_ref": ref,
            "domains": [domain],
            "works": [
                {
                    "ref": work_ref,
                    "titles": {"en": f"Work {work_ref}"},
                    "content_type": "manga",
                    "rights_holder": "K.K.",
                }
            ],
            "evidence": [{"url": u, "work_ref": work_ref} for u in urls],
        }
    )


def draft(session: Session, site_id: int, provider_id: int, association_id: int, *, submit: bool = True) -> int:
    """A DMCA notice of `association_id` to `provider_id` from its evidence on the site (in review unless told not to)."""
    case = open_case(session, ACTOR, site_id, provider_id)
    notice = draft_notice(session, ACTOR, case.id or 0, association_id, LegalBasis.DMCA, dict(SENDER))
    if submit:
        submit_for_review(session, ACTOR, notice.id or 0)
    return notice.id or 0


@pytest.fixture
def world(factory: sessionmaker[Session], tenants: Any, evidence_site: str, tmp_path: Path) -> UiWorld:
    with transaction(factory) as session:
        a_results, _ = submit_sites(
            session,
            ACTOR,
            tenants.a_id,
            [site_in("A-1", "manga-raw.test", [f"{evidence_site}/{A_SECRET}/{i}" for i in range(2)], "WA")],
            via="api",
        )
        b_results, _ = submit_sites(
            session,
            ACTOR,
            tenants.b_id,
            [site_in("B-1", "anime-raw.test", [f"{evidence_site}/{B_SECRET}/1"], "WB")],
            via="api",
        )
        a_site, b_site = a_results[0].site_id, b_results[0].site_id
        assert a_site is not None and b_site is not None
        host = add_provider(session, ACTOR, "Bulletproof Hosting Ltd", "host", abuse_email="abuse@host.example")
        cdn = add_provider(session, ACTOR, "Edge CDN Inc.", "cdn", country="US", abuse_email="abuse@cdn.example")
        a_notice = draft(session, a_site, host.id or 0, tenants.a_id)
        b_notice = draft(session, b_site, cdn.id or 0, tenants.b_id)
        a_capture = _capture_of_a(session, tmp_path, f"{evidence_site}/{A_SECRET}/0", tenants.a_id, a_site)
    return UiWorld(a_site, b_site, host.id or 0, cdn.id or 0, a_notice, b_notice, tenants.a_id, tenants.b_id, a_capture)


def _capture_of_a(session: Session, data_dir: Path, url: str, association_id: int, site_id: int) -> int:
    """A capture recorded in the store and the object store of ``ui_app`` (its data directory is `data_dir`)."""
    from cases.db import utcnow
    from cases.evidence.manifest import CaptureInput
    from cases.evidence.objects import DirectoryObjectStore
    from cases.evidence.services import prepare, record_capture

    store = DirectoryObjectStore(data_dir / "evidence")
    now = utcnow()
    item = CaptureInput(
        url=url, status="complete", started_at=now, finished_at=now, warc=b"WARC/1.1\r\n", text=A_SECRET,
        program="piratewatch test", captured_by=ACTOR.name, association_id=association_id, site_id=site_id,
    )  # fmt: skip
    _, manifest = prepare(item, store)
    return record_capture(session, store, ACTOR, item, manifest, None, "not timestamped in this test").id or 0


@pytest.fixture
def ui_app(engine: Engine, tmp_path: Path, smtp_sink: SmtpSink) -> FastAPI:
    """The whole app on the test store, sending e-mail to the local SMTP server."""
    from piratewatch.config import get_settings
    from piratewatch.services import Services
    from piratewatch.web.app import create_app

    # The evidence pages are served on loopback: the re-check's SSRF guard is told to allow it.
    settings = get_settings(
        data_dir=tmp_path,
        database_url="",
        notices={"smtp_port": smtp_sink.port, "smtp_timeout": 10},
        resolver={"allow_networks": ["127.0.0.0/8"]},
    )
    return create_app(Services.from_settings(settings, engine=engine))


class UiClient:
    """A browser stand-in: its own cookie jar, the CSRF token of its session, and form posts."""

    def __init__(self, app: FastAPI, base_url: str = "http://testserver") -> None:
        self.http = TestClient(app, base_url=base_url)
        self.csrf = ""

    def sign_in(self, key: str) -> UiClient:
        form = self.http.get("/ui/sign-in")
        token = _TOKEN.search(form.text)
        assert token, form.text
        answer = self.http.post(
            "/ui/sign-in", data={"api_key": key, "csrf_token": token.group(1)}, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
        self.csrf = self.token_on(self.http.get("/ui/sites").text)
        return self

    @staticmethod
    def token_on(html: str) -> str:
        found = _TOKEN.search(html)
        assert found, "no CSRF token on the page"
        return found.group(1)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.http.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, *, htmx: bool = False, **kwargs: Any) -> Any:
        """A form post with the session's CSRF token (htmx: in the header, as the page's ``hx-headers`` sends it)."""
        body = dict(data or {})
        headers = dict(kwargs.pop("headers", {}))
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRF-Token": self.csrf})
        else:
            body.setdefault("csrf_token", self.csrf)
        kwargs.setdefault("follow_redirects", False)
        return self.http.post(path, data=body, headers=headers, **kwargs)


@pytest.fixture
def signed_in(ui_app: FastAPI) -> Callable[[str], UiClient]:
    """Make a client signed in with an API key."""

    def make(key: str) -> UiClient:
        return UiClient(ui_app).sign_in(key)

    return make


@pytest.fixture
def new_client(ui_app: FastAPI) -> Callable[..., UiClient]:
    """Make a client that is not signed in (of `app`, default the UI's app; at `base_url`)."""

    def make(app: FastAPI | None = None, base_url: str = "http://testserver") -> UiClient:
        return UiClient(app or ui_app, base_url)

    return make


@pytest.fixture
def submit_as(factory: sessionmaker[Session]) -> Callable[..., int]:
    """Submit a site for an association through the intake service; returns the site's id."""

    def submit(association_id: int, ref: str, domain: str, urls: list[str], work_ref: str = "W") -> int:
        with transaction(factory) as session:
            results, _ = submit_sites(session, ACTOR, association_id, [site_in(ref, domain, urls, work_ref)], via="api")
        site_id = results[0].site_id
        assert site_id is not None
        return site_id

    return submit


@pytest.fixture
def draft_as(factory: sessionmaker[Session]) -> Callable[..., int]:
    """Draft (and by default queue) a DMCA notice of an association to a provider; returns its id."""

    def make(site_id: int, provider_id: int, association_id: int, *, submit: bool = True) -> int:
        with transaction(factory) as session:
            return draft(session, site_id, provider_id, association_id, submit=submit)

    return make
