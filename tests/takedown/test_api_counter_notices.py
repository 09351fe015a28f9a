"""The counter-notice steps over the API: the clock as each association sees it, the operators' steps,
and hostile bodies refused with 422 naming the field, the notice left as it was."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.models import AuditEvent
from cases.audit.services import Actor
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.services import get_notice

from .conftest import sent_weeks_ago

ACTOR = Actor("test:api-counter")


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


@pytest.fixture
async def sent_notice(factory: sessionmaker[Session], approved_notice: int, tmp_path: Path) -> int:
    """Association A's DMCA notice to the host, sent."""
    await send_notice(factory, ACTOR, FileChannel(tmp_path / "out"), approved_notice)
    return approved_notice


# (body, the field the 422 must name): wrong types, NUL, a lone surrogate, too long, times that cannot be a step
HOSTILE: list[tuple[Any, str]] = [
    ({"body": "the poster\u0000 objects"}, "body"),
    ({"body": "x" * 100_001}, "body"),
    ({"body": ["a", "list"]}, "body"),
    ({"received_at": 1_700_000_000}, "received_at"),  # epoch seconds are not taken for a time
    ({"received_at": "next tuesday"}, "received_at"),
    ({"received_at": "2026-13-40T00:00:00"}, "received_at"),
    ({"received_at": "1999-12-31T23:00:00+00:00"}, "received_at"),
    ({"received_at": "9999-12-31T23:59:59-23:59"}, "received_at"),  # out of the calendar once in UTC
    ({"received_at": "2200-01-01T00:00:00Z"}, "received_at"),  # has not happened yet
    ({"received_at": None, "signature": "forged"}, "signature"),
    (["not", "an", "object"], "body"),
]


async def test_the_counter_notice_steps_over_the_api(
    client: Any, tenants: Any, world: Any, sent_notice: int, factory: sessionmaker[Session]
) -> None:
    url = f"/api/v1/notices/{sent_notice}"
    before = client.get(f"{url}/clock", headers=h(tenants.a))
    assert before.status_code == 200, before.text
    assert before.json()["state"] == "sent" and before.json()["counter_kind"] is None
    assert before.json()["next_steps"] == ["counter-notice"]
    assert before.json()["meaning"] == "no counter-notice or objection recorded"
    assert client.get(f"{url}/clock", headers=h(tenants.b)).status_code == 404
    assert client.post(f"{url}/counter-notice", json={}, headers=h(tenants.a)).status_code == 403

    for body, field in HOSTILE:
        answer = client.post(f"{url}/counter-notice", json=body, headers=h(tenants.operator))
        assert answer.status_code == 422, (body if len(str(body)) < 200 else field, answer.text[:300])
        assert field in json.dumps(answer.json()["detail"])[:2000], (field, answer.text[:300])
    # a lone surrogate travels as the escape a hostile client writes
    raw = '{"body": "\\ud800 counter"}'
    answer = client.post(
        f"{url}/counter-notice", content=raw, headers={**h(tenants.operator), "Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    with factory() as session:
        assert get_notice(session, sent_notice).state == "sent"  # nothing of the refused bodies was kept

    friday = sent_weeks_ago(factory, sent_notice, days=8)  # in the past, its 10 business days not over
    body = {"received_at": friday.isoformat(), "body": "I swear, under penalty of perjury, that it was a mistake."}
    countered = client.post(f"{url}/counter-notice", json=body, headers=h(tenants.operator))
    assert countered.status_code == 200, countered.text
    clock = countered.json()
    assert (clock["state"], clock["counter_kind"], clock["next_steps"]) == (
        "counter_noticed",
        "dmca_512g",
        ["action-filed"],
    )
    assert clock["clock_ends_at"].startswith((friday + dt.timedelta(days=14)).date().isoformat())
    assert clock["restore_latest_at"].startswith((friday + dt.timedelta(days=20)).date().isoformat())
    assert clock["running"] is True
    assert "unless an action is filed" in clock["meaning"]
    # association A reads the same clock; B still does not know the notice
    assert client.get(f"{url}/clock", headers=h(tenants.a)).json() == clock
    assert client.get(f"{url}/clock", headers=h(tenants.b)).status_code == 404
    again = client.post(f"{url}/counter-notice", json=body, headers=h(tenants.operator))
    assert again.status_code == 409 and "counter_noticed" in again.text
    japanese = client.post(f"{url}/poster-inquired", json={}, headers=h(tenants.operator))
    assert japanese.status_code == 409 and "Japanese request" in japanese.text
    early = {"filed_at": "1990-01-01T00:00:00Z"}
    assert client.post(f"{url}/action-filed", json=early, headers=h(tenants.operator)).status_code == 422

    filed = client.post(f"{url}/action-filed", json={}, headers=h(tenants.operator))
    assert filed.status_code == 200, filed.text
    assert filed.json()["state"] == "action_filed" and filed.json()["next_steps"] == []
    assert filed.json()["meaning"].endswith("the content stays down")
    with factory() as session:
        events = session.exec(
            select(AuditEvent).where(
                col(AuditEvent.entity_type) == "notice", col(AuditEvent.entity_id) == str(sent_notice)
            )
        ).all()
    by_key = {(e.field, e.new_value) for e in events if e.actor.startswith("key:")}
    assert ("state", "counter_noticed") in by_key and ("state", "action_filed") in by_key
    assert ("counter_kind", "dmca_512g") in by_key
    assert any(field == "action_filed_at" for field, _ in by_key)
