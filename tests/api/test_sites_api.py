"""GET /api/v1/sites and /sites/{id}: visibility, filters, cursor pagination, status changes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def submit(client: Any, key: str, *sites: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post("/api/v1/submissions", json={"sites": list(sites)}, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def get(client: Any, key: str, path: str, **params: Any) -> Any:
    return client.get(path, params=params, headers={"X-API-Key": key})


def test_submitter_sees_only_sites_it_submitted(client: Any, tenants: Any) -> None:
    shared = submit(
        client, tenants.a, {"domains": ["shared.com"], "evidence": [{"url": "https://shared.com/a-secret"}]}
    )[0]
    submit(client, tenants.b, {"domains": ["shared.com"], "evidence": [{"url": "https://shared.com/b-secret"}]})
    only_a = submit(client, tenants.a, {"domains": ["only-a.com"]})[0]
    only_b = submit(client, tenants.b, {"domains": ["only-b.com"]})[0]

    names = {s["name"] for s in get(client, tenants.a, "/api/v1/sites").json()["items"]}
    assert names == {"shared.com", "only-a.com"}
    assert get(client, tenants.a, f"/api/v1/sites/{only_b['site_id']}").status_code == 404
    assert get(client, tenants.a, f"/api/v1/sites/{only_a['site_id']}").status_code == 200

    detail = get(client, tenants.a, f"/api/v1/sites/{shared['site_id']}").json()
    assert [s["association"] for s in detail["submissions"]] == ["Association A"]
    urls = [e["url"] for s in detail["submissions"] for e in s["evidence"]]
    assert urls == ["https://shared.com/a-secret"]

    staff = get(client, tenants.operator, f"/api/v1/sites/{shared['site_id']}").json()
    assert sorted(s["association"] for s in staff["submissions"]) == ["Association A", "Association B"]
    assert len(get(client, tenants.operator, "/api/v1/sites").json()["items"]) == 3


def test_filters(client: Any, tenants: Any) -> None:
    submit(
        client,
        tenants.a,
        {"domains": ["raw-ja.com"], "languages": ["ja"], "content_types": ["manga"]},
        {"domains": ["truyen.vn"], "languages": ["vi"], "content_types": ["manga"]},
        {"domains": ["films.to"], "languages": ["en"], "content_types": ["film"]},
    )
    submit(client, tenants.b, {"domains": ["b-site.com"], "languages": ["ja"]})

    def names(key: str, **params: Any) -> set[str]:
        response = get(client, key, "/api/v1/sites", **params)
        assert response.status_code == 200, response.text
        return {s["name"] for s in response.json()["items"]}

    assert names(tenants.a, language="ja") == {"raw-ja.com"}
    assert names(tenants.operator, language="ja") == {"raw-ja.com", "b-site.com"}
    assert names(tenants.a, content_type="manga") == {"raw-ja.com", "truyen.vn"}
    assert names(tenants.a, q="TRUYEN") == {"truyen.vn"}
    assert names(tenants.a, q="%") == set()  # LIKE wildcards are escaped
    assert names(tenants.operator, association="Association B") == {"b-site.com"}
    assert names(tenants.a, association="Association B") == set()  # no peeking through a filter
    assert names(tenants.a, status="active") == {"raw-ja.com", "truyen.vn", "films.to"}
    assert get(client, tenants.a, "/api/v1/sites", status="bogus").status_code == 422
    assert get(client, tenants.a, "/api/v1/sites", content_type="comics").status_code == 422


def test_cursor_pagination_walks_every_site_once(client: Any, tenants: Any) -> None:
    submit(client, tenants.a, *[{"domains": [f"p{i}.net"]} for i in range(23)])
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 10}
        if cursor:
            params["cursor"] = cursor
        body = get(client, tenants.a, "/api/v1/sites", **params).json()
        seen += [s["id"] for s in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 23
    assert seen == sorted(seen, reverse=True)


def test_bad_cursor_is_a_clear_422(client: Any, tenants: Any) -> None:
    response = get(client, tenants.a, "/api/v1/sites", cursor="not-a-cursor")
    assert response.status_code == 422
    assert "cursor" in response.text


def test_operator_changes_status_with_audit(client: Any, tenants: Any, engine: Engine) -> None:
    site = submit(client, tenants.a, {"domains": ["seized.com"]})[0]
    response = client.patch(
        f"/api/v1/sites/{site['site_id']}", json={"status": "seized"}, headers={"X-API-Key": tenants.operator}
    )
    assert response.status_code == 200 and response.json()["status"] == "seized"
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT old_value, new_value FROM audit_event WHERE entity_type='site' AND field='status'")
        ).one()
    assert tuple(row) == ("active", "seized")
    forbidden = client.patch(
        f"/api/v1/sites/{site['site_id']}", json={"status": "closed"}, headers={"X-API-Key": tenants.a}
    )
    assert forbidden.status_code == 403
