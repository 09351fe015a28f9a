"""Roles and tenant isolation on every route of the UI.

Association B's submitter, signed in with a valid session and CSRF token, reaches for association A's
objects on each route: "404" (A's object does not exist for B), "403" (the role may not do this),
"hidden" (200, nothing of A's in the page) or "own" (B acts on its own account). A route added without
an entry here fails test_every_ui_route_is_covered.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from piratewatch.web.ui.views import ROUTERS

A_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/ui"): "own",
    ("GET", "/ui/static/{name}"): "own",
    ("GET", "/ui/sign-in"): "own",
    ("GET", "/ui/language"): "own",
    ("POST", "/ui/sign-in"): "403",  # without the sign-in form's own token (see test_sign_in.py)
    ("POST", "/ui/sign-out"): "own",
    ("GET", "/ui/queue"): "403",
    ("POST", "/ui/queue/claim"): "403",
    ("POST", "/ui/queue/approve"): "403",
    ("POST", "/ui/queue/send"): "403",
    ("POST", "/ui/notices/{notice_id}/release"): "403",
    ("POST", "/ui/notices/{notice_id}/take-over"): "403",
    ("GET", "/ui/notices"): "hidden",
    ("GET", "/ui/notices/{notice_id}"): "404",
    ("POST", "/ui/notices/{notice_id}/submit"): "403",
    ("POST", "/ui/notices/{notice_id}/approve"): "403",
    ("POST", "/ui/notices/{notice_id}/reject"): "403",
    ("POST", "/ui/notices/{notice_id}/withdraw"): "403",
    ("POST", "/ui/queue/{notice_id}/withdraw"): "403",
    ("POST", "/ui/notices/{notice_id}/send"): "403",
    ("POST", "/ui/notices/{notice_id}/settle"): "403",
    ("POST", "/ui/notices/{notice_id}/confirm"): "403",
    ("GET", "/ui/sites"): "hidden",
    ("GET", "/ui/sites/{site_id}"): "404",
    ("GET", "/ui/providers"): "403",
    ("POST", "/ui/providers"): "403",
    ("GET", "/ui/providers/{provider_id}"): "403",
    ("POST", "/ui/providers/{provider_id}"): "403",
    ("GET", "/ui/evidence/captures/{capture_id}"): "404",
    ("GET", "/ui/evidence/captures/{capture_id}/{kind}"): "404",
}
FORMS: dict[str, dict[str, Any]] = {
    "/ui/queue/approve": {"notice_ids": "1"},
    "/ui/queue/send": {"notice_ids": "1"},
    "/ui/notices/{notice_id}/reject": {"reason": "x"},
    "/ui/notices/{notice_id}/confirm": {"was_sent": "yes"},
    "/ui/providers": {"name": "B's host", "kind": "host"},
    "/ui/providers/{provider_id}": {"kind": "host", "country": "NL"},
}


def test_every_ui_route_is_covered(ui_app: FastAPI) -> None:
    routes = {
        (method, route.path)
        for r in ROUTERS
        for route in r.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if method != "HEAD"
    }
    assert all(path.startswith("/ui") for _, path in routes)
    assert routes == set(A_ROUTES)
    # and none of them is in the API's schema (the API's own isolation test covers that one)
    assert not [p for p in ui_app.openapi()["paths"] if p.startswith("/ui")]


def test_a_submitter_never_reaches_another_associations_objects(world: Any, tenants: Any, signed_in: Any) -> None:
    b = signed_in(tenants.b)
    ids = {
        "notice_id": world.a_notice,
        "site_id": world.a_site,
        "provider_id": world.host,
        "name": "ui.css",
        "capture_id": world.a_capture,
        "kind": "text",
    }
    for (method, template), expected in A_ROUTES.items():
        path = template.format(**ids)
        form = FORMS.get(template, {})
        answer = b.get(path) if method == "GET" else b.post(path, form, follow_redirects=True)
        where = f"{method} {path}"
        assert world.a_secret not in answer.text, where
        assert "manga-raw.test" not in answer.text, where
        if expected in ("403", "404"):
            assert answer.status_code == int(expected), (where, answer.status_code)
        else:
            assert answer.status_code == 200, (where, answer.status_code)
        if template == "/ui/sign-out":
            b = signed_in(tenants.b)  # signed out on purpose: sign in again for the routes left
    # A itself reaches its own objects on every route B was refused as "not found"
    a = signed_in(tenants.a)
    for (_, template), expected in A_ROUTES.items():
        if expected == "404":
            answer = a.get(template.format(**ids))
            assert answer.status_code == 200 and world.a_secret in answer.text, template


def test_on_a_shared_site_each_association_sees_only_its_own(
    world: Any, tenants: Any, signed_in: Any, submit_as: Any, draft_as: Any, evidence_site: str
) -> None:
    # B reports A's site too: one site, two submissions; each association sees its own evidence and notices.
    shared = submit_as(world.b_id, "B-2", "manga-raw.test", [f"{evidence_site}/b-evidence-on-a-site/1"], "WB2")
    assert shared == world.a_site
    b_notice = draft_as(shared, world.cdn, world.b_id)
    b = signed_in(tenants.b)
    page = b.get(f"/ui/sites/{shared}")
    assert page.status_code == 200
    assert "b-evidence-on-a-site" in page.text and world.a_secret not in page.text
    assert f"/ui/notices/{b_notice}" in page.text and f"/ui/notices/{world.a_notice}" not in page.text
    assert "Association A" not in page.text
    listed = b.get("/ui/notices").text
    assert f"#{b_notice}" in listed and f"#{world.a_notice}<" not in listed
    a = signed_in(tenants.a)
    a_page = a.get(f"/ui/sites/{shared}").text
    assert world.a_secret in a_page and "b-evidence-on-a-site" not in a_page
    assert f"/ui/notices/{world.a_notice}" in a_page and f"/ui/notices/{b_notice}" not in a_page
    # operators see both associations' evidence and notices
    ops = signed_in(tenants.operator).get(f"/ui/sites/{shared}").text
    assert world.a_secret in ops and "b-evidence-on-a-site" in ops
    assert f"/ui/notices/{world.a_notice}" in ops and f"/ui/notices/{b_notice}" in ops


def test_submitters_get_their_pages_and_no_operator_controls(world: Any, tenants: Any, signed_in: Any) -> None:
    a = signed_in(tenants.a)
    start = a.get("/ui", follow_redirects=False)
    assert start.headers["location"] == "/ui/sites"
    sites = a.get("/ui/sites").text
    assert "manga-raw.test" in sites and "anime-raw.test" not in sites
    assert 'href="/ui/queue"' not in sites and 'href="/ui/providers"' not in sites
    notice = a.get(f"/ui/notices/{world.a_notice}").text
    assert world.a_secret in notice and 'data-testid="actions"' not in notice
    ops = signed_in(tenants.operator)
    assert ops.get("/ui", follow_redirects=False).headers["location"] == "/ui/queue"
    assert 'data-testid="actions"' in ops.get(f"/ui/notices/{world.a_notice}").text
