"""CSRF: every state-changing request of the UI needs the session's token; a forged one is refused with 403
and changes nothing (the audit trail, which every change writes to, stays as it was)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.engine import Engine

from cases.takedown.models import NoticeState
from piratewatch.web.ui.views import ROUTERS


def ui_posts() -> set[str]:
    return {
        route.path for r in ROUTERS for route in r.routes if isinstance(route, APIRoute) and "POST" in route.methods
    }


def forms(world: Any) -> dict[str, dict[str, Any]]:
    """A plausible form for every POST route: what a forged request would try to do."""
    return {
        "/ui/sign-out": {},
        "/ui/queue/claim": {},
        "/ui/queue/approve": {"notice_ids": [world.a_notice, world.b_notice]},
        "/ui/queue/send": {"notice_ids": [world.a_notice], "channel": "smtp"},
        "/ui/notices/{notice_id}/release": {},
        "/ui/notices/{notice_id}/take-over": {},
        "/ui/notices/{notice_id}/submit": {},
        "/ui/notices/{notice_id}/approve": {},
        "/ui/notices/{notice_id}/reject": {"reason": "forged"},
        "/ui/notices/{notice_id}/withdraw": {},
        "/ui/queue/{notice_id}/withdraw": {},
        "/ui/notices/{notice_id}/send": {"channel": "smtp"},
        "/ui/notices/{notice_id}/settle": {},
        "/ui/notices/{notice_id}/confirm": {"was_sent": "yes"},
        "/ui/providers": {"name": "Forged Host", "kind": "host"},
        "/ui/providers/{provider_id}": {"kind": "host", "abuse_email": "forged@evil.example"},
    }


def audit_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM audit_event")).scalar_one())


def notice_state(engine: Engine, notice_id: int) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT state FROM notice WHERE id = :i"), {"i": notice_id}).scalar_one())


def test_every_post_route_has_a_forgery_case(ui_app: FastAPI, world: Any) -> None:
    assert ui_posts() - {"/ui/sign-in"} == set(forms(world))  # a new action must be added here


def test_forged_posts_are_refused_and_change_nothing(
    ui_app: FastAPI, world: Any, tenants: Any, signed_in: Any, engine: Engine, smtp_sink: Any
) -> None:
    operator = signed_in(tenants.operator)
    other_session = signed_in(tenants.operator)  # the same person in another browser: another token
    assert other_session.csrf != operator.csrf
    before = audit_rows(engine)
    ids = {"notice_id": world.a_notice, "provider_id": world.host}
    for template, form in forms(world).items():
        path = template.format(**ids)
        attempts = {
            "no token": operator.http.post(path, data=form, follow_redirects=False),
            "wrong token": operator.http.post(path, data={**form, "csrf_token": "x" * 43}, follow_redirects=False),
            "another session's token": operator.http.post(
                path, data={**form, "csrf_token": other_session.csrf}, follow_redirects=False
            ),
            "htmx without the header": operator.http.post(
                path, data=form, headers={"HX-Request": "true"}, follow_redirects=False
            ),
            "htmx, wrong header": operator.http.post(
                path, data=form, headers={"HX-Request": "true", "X-CSRF-Token": "forged"}, follow_redirects=False
            ),
        }
        for what, answer in attempts.items():
            assert answer.status_code == 403, (path, what, answer.status_code)
            assert "security token" in answer.text, (path, what)
    assert audit_rows(engine) == before
    assert notice_state(engine, world.a_notice) == NoticeState.IN_REVIEW
    assert smtp_sink.messages == []
    assert operator.get("/ui/queue").status_code == 200  # the forged sign-out did not sign anyone out
    # The same request with the session's token goes through: the refusals above were the token's doing.
    assert operator.post(f"/ui/notices/{world.a_notice}/approve").status_code == 303
    assert notice_state(engine, world.a_notice) == NoticeState.APPROVED
    assert audit_rows(engine) > before


def test_the_token_is_accepted_from_the_htmx_header_or_the_form_field(
    world: Any, tenants: Any, signed_in: Any, engine: Engine
) -> None:
    operator = signed_in(tenants.operator)
    by_header = operator.post(f"/ui/notices/{world.a_notice}/approve", htmx=True)
    assert by_header.status_code == 200 and "approved: ready to send" in by_header.text
    by_field = operator.post(f"/ui/notices/{world.b_notice}/reject", {"reason": "not this one"})
    assert by_field.status_code == 303
    assert notice_state(engine, world.b_notice) == NoticeState.REJECTED
