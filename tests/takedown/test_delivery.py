"""Delivery through real local servers: SMTP (aiosmtpd), files; crashes (Cloudflare's API: test_cloudflare.py)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import transaction
from cases.takedown.delivery.channels import (
    DeliveryError,
    FileChannel,
    OutgoingNotice,
    SmtpChannel,
    message_id_for,
)
from cases.takedown.delivery.outbox import confirm_unconfirmed, outgoing_for, reconcile
from cases.takedown.delivery.sending import send_approved, send_batch, send_notice
from cases.takedown.models import NoticeState
from cases.takedown.services import get_notice
from lab.http_util import free_port
from lab.smtp_sink import SmtpSink

ACTOR = Actor("test:delivery")


def smtp(port: int) -> SmtpChannel:
    return SmtpChannel("127.0.0.1", port, "notices@piratewatch.test", timeout=10)


async def test_smtp_delivery_carries_the_idempotency_key(
    factory: sessionmaker[Session], approved_notice: int, smtp_sink: Any
) -> None:
    notice = await send_notice(factory, ACTOR, smtp(smtp_sink.port), approved_notice)
    assert notice.state == NoticeState.SENT and notice.sent_at is not None
    assert notice.due_at == notice.sent_at + dt.timedelta(days=3)  # DMCA to a host
    (message,) = smtp_sink.messages
    assert message["To"] == "abuse@host.example"
    assert message["Message-ID"] == f"<{notice.idempotency_key}@piratewatch.invalid>"
    assert message["X-Piratewatch-Idempotency-Key"] == notice.idempotency_key
    assert message["Subject"].startswith("DMCA notice of copyright infringement")
    assert "https://manga-raw.io/w1/0" in message.get_payload(decode=True).decode()
    assert await send_approved(factory, ACTOR, smtp(smtp_sink.port)) == []  # nothing sent twice


async def test_unreachable_server_leaves_the_notice_approved(
    factory: sessionmaker[Session], approved_notice: int, engine: Engine
) -> None:
    notice = await send_notice(factory, ACTOR, smtp(free_port()), approved_notice)
    assert notice.state == NoticeState.APPROVED
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT state, error FROM delivery_attempt")).one()
    assert row[0] == "failed" and "Error connecting" in row[1]


def test_crash_after_smtp_send_never_sends_twice(
    factory: sessionmaker[Session], approved_notice: int, smtp_sink: Any, db_url: str
) -> None:
    script = Path(__file__).with_name("crash_sender.py")
    done = subprocess.run(
        [sys.executable, str(script), db_url, str(smtp_sink.port), str(approved_notice)], timeout=60, check=False
    )
    assert done.returncode == -signal.SIGKILL
    assert len(smtp_sink.messages) == 1
    with transaction(factory) as session:
        assert get_notice(session, approved_notice).state == NoticeState.SENDING

    # The restart: reconcile first, then the usual sending loop.
    import asyncio

    decisions = asyncio.run(reconcile(factory, ACTOR, {"smtp": smtp(smtp_sink.port)}, older_than=dt.timedelta(0)))
    assert decisions == {approved_notice: "unconfirmed"}
    assert asyncio.run(send_approved(factory, ACTOR, smtp(smtp_sink.port))) == []
    assert len(smtp_sink.messages) == 1  # exactly one message, for ever
    with transaction(factory) as session:
        notice = confirm_unconfirmed(session, ACTOR, approved_notice, was_sent=True)
        assert notice.state == NoticeState.SENT


async def test_file_export(factory: sessionmaker[Session], approved_notice: int, tmp_path: Path) -> None:
    channel = FileChannel(tmp_path / "out")
    notice = await send_notice(factory, ACTOR, channel, approved_notice)
    (path,) = (tmp_path / "out").iterdir()
    assert path.read_text(encoding="utf-8") == notice.rendered_text
    assert await channel.lookup(outgoing_for(factory, notice.id or 0)) is True


async def test_each_notice_takes_its_recipients_channel(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any], smtp_sink: Any, tmp_path: Path
) -> None:
    from cases.takedown.models import LegalBasis
    from cases.takedown.review import approve
    from cases.takedown.services import draft_notice, open_case, submit_for_review

    ids = {}
    with transaction(factory) as session:
        for name, provider_id, basis in [
            ("host", world.host_id, LegalBasis.DMCA),  # has an abuse address: e-mail
            ("search", world.search_id, LegalBasis.SEARCH),  # a bulk-upload file
            ("cdn", world.cdn_id, LegalBasis.DMCA),  # no abuse address, no API template: a file for its form
        ]:
            case = open_case(session, ACTOR, world.site_id, provider_id)
            notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, basis, sender)
            submit_for_review(session, ACTOR, notice.id or 0)
            approve(session, ACTOR, notice.id or 0)
            ids[name] = notice.id
    # only e-mail and files are configured: every notice finds its way, none twice
    channels = {"smtp": smtp(smtp_sink.port), "file": FileChannel(tmp_path / "out")}
    sent = await send_approved(factory, ACTOR, channels)
    assert {n.id for n in sent} == set(ids.values()) and all(n.state == NoticeState.SENT for n in sent)
    assert [m["X-Piratewatch-Idempotency-Key"] for m in smtp_sink.messages] == [
        n.idempotency_key for n in sent if n.id == ids["host"]
    ]
    assert len(list((tmp_path / "out").iterdir())) == 2
    with factory() as session:
        channel_of = dict(session.execute(sa.text("SELECT notice_id, channel FROM delivery_attempt")).all())
    assert channel_of == {ids["host"]: "smtp", ids["search"]: "file", ids["cdn"]: "file"}


async def test_a_notice_whose_channel_is_not_configured_waits(
    factory: sessionmaker[Session], approved_notice: int, tmp_path: Path
) -> None:
    assert await send_approved(factory, ACTOR, {"file": FileChannel(tmp_path)}) == []
    with factory() as session:
        assert get_notice(session, approved_notice).state == NoticeState.APPROVED


class _FlakyChannel:
    """Sends overlap (each waits for all of them to be in flight); refuses one notice."""

    name = "file"
    concurrency = 8

    def __init__(self, refuse: int, in_flight_goal: int) -> None:
        self.refuse, self.goal = refuse, in_flight_goal
        self.in_flight = self.most_in_flight = 0
        self.sent: list[int] = []
        self.all_in_flight: asyncio.Event | None = None

    async def send(self, notice: Any) -> dict[str, Any]:
        if self.all_in_flight is None:
            self.all_in_flight = asyncio.Event()
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if self.in_flight >= self.goal:
            self.all_in_flight.set()
        try:
            await asyncio.wait_for(self.all_in_flight.wait(), timeout=5)
        finally:
            self.in_flight -= 1
        if notice.notice_id == self.refuse:
            raise DeliveryError("550 mailbox unavailable")
        self.sent.append(notice.notice_id)
        return {"ok": True}

    async def lookup(self, notice: OutgoingNotice) -> bool | None:
        return None

    def connected(self) -> Any:
        return contextlib.nullcontext()


async def test_a_batch_sends_together_and_one_refusal_fails_only_its_notice(
    factory: sessionmaker[Session], world: Any, sender: dict[str, Any]
) -> None:
    from cases.takedown.models import LegalBasis
    from cases.takedown.review import approve
    from cases.takedown.services import draft_notice, open_case, submit_for_review

    ids = []
    with transaction(factory) as session:
        for provider_id, basis in [
            (world.host_id, LegalBasis.DMCA),
            (world.search_id, LegalBasis.SEARCH),
            (world.cdn_id, LegalBasis.DMCA),
        ]:
            case = open_case(session, ACTOR, world.site_id, provider_id)
            notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, basis, sender)
            submit_for_review(session, ACTOR, notice.id or 0)
            approve(session, ACTOR, notice.id or 0)
            ids.append(notice.id or 0)
    channel = _FlakyChannel(refuse=ids[1], in_flight_goal=3)
    done = await send_batch(factory, ACTOR, channel, ids)
    assert channel.most_in_flight == 3  # the sends overlapped
    assert {n.id: n.state for n in done} == {
        ids[0]: NoticeState.SENT,
        ids[1]: NoticeState.APPROVED,  # refused: back to approved, for the next round
        ids[2]: NoticeState.SENT,
    }
    assert sorted(channel.sent) == sorted([ids[0], ids[2]])
    with factory() as session:
        attempts = dict(session.execute(sa.text("SELECT notice_id, state FROM delivery_attempt")).all())
    assert attempts == {ids[0]: "sent", ids[1]: "failed", ids[2]: "sent"}
    # a second batch over the same notices takes only the one still approved
    channel = _FlakyChannel(refuse=-1, in_flight_goal=1)
    again = await send_batch(factory, ACTOR, channel, ids)
    assert [n.id for n in again] == [ids[1]] and channel.sent == [ids[1]]


def _outgoing(i: int, subject: str) -> OutgoingNotice:
    key = f"{i:032x}"
    return OutgoingNotice(
        notice_id=i,
        idempotency_key=key,
        message_id=message_id_for(key),
        recipient_name="Host",
        recipient_email="abuse@host.example",
        subject=subject,
        text=f"{subject}\n\nhttps://manga-raw.io/w1/{i}\n",
        media_type="text/plain",
    )


async def test_smtp_connections_are_reused_and_replaced_when_the_relay_closes_them() -> None:
    # the relay takes two messages per connection, then answers MAIL FROM with 421
    with SmtpSink(messages_per_connection=2) as sink:
        channel = SmtpChannel("127.0.0.1", sink.port, "n@piratewatch.test", timeout=10, connections=1)
        async with channel.connected():
            for i in range(5):
                await channel.send(_outgoing(i, f"送信防止措置依頼 {i}"))
        for i in range(5, 7):  # outside the scope: a connection per message
            await channel.send(_outgoing(i, f"Notice {i}"))
    assert [m["Message-ID"] for m in sink.messages] == [message_id_for(f"{i:032x}") for i in range(7)]
    assert sink.messages[0]["Subject"] == "送信防止措置依頼 0"  # RFC 2047 on the wire, decoded here
    assert "https://manga-raw.io/w1/0" in sink.messages[0].get_content()
    assert sink.messages[0]["Content-Transfer-Encoding"] == "8bit"  # not base64: ...
    assert "https://manga-raw.io/w1/0" in sink.messages[0].get_payload()  # ... the raw body shows the URLs
    assert sink.messages[5]["Content-Transfer-Encoding"] == "7bit"
    connections = [sink.peers[0:2], sink.peers[2:4], sink.peers[4:5], sink.peers[5:6], sink.peers[6:7]]
    assert all(len(set(c)) == 1 for c in connections)  # two messages on each reused connection ...
    assert len({c[0] for c in connections}) == 5  # ... and a new one after each 421, and outside the scope


async def test_a_refused_recipient_fails_that_notice_only_and_the_next_one_goes() -> None:
    with SmtpSink(refuse=frozenset({"gone@host.example"})) as sink:
        channel = SmtpChannel("127.0.0.1", sink.port, "n@piratewatch.test", timeout=10, connections=1)
        refused = OutgoingNotice(**{**_outgoing(1, "Notice 1").__dict__, "recipient_email": "gone@host.example"})
        async with channel.connected():
            with pytest.raises(DeliveryError, match="no such mailbox"):
                await channel.send(refused)
            await channel.send(_outgoing(2, "Notice 2"))
    assert [m["Message-ID"] for m in sink.messages] == [message_id_for(f"{2:032x}")]
