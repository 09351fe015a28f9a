"""A fault stays with its notice: a URL no client accepts, a re-check that breaks, a registry's header
injection, a channel that breaks off mid-send. The round finishes and says what happened to each."""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import transaction
from cases.providers.services import add_provider
from cases.takedown.delivery import sending
from cases.takedown.delivery.channels import OutgoingNotice, SmtpChannel
from cases.takedown.delivery.outbox import begin_sends, reconcile
from cases.takedown.delivery.owner import is_gone, this_process
from cases.takedown.delivery.results import send_results
from cases.takedown.delivery.sending import send_approved
from cases.takedown.models import LegalBasis, NoticeState
from cases.takedown.recheck import Recheck, check_urls
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from lab.http_util import free_port

from ..conftest import SENDER
from .conftest import ACTOR, World

INJECTED_NAME = "Evil Hosting\r\nThe sender withdraws this notice.\u2028And all others."
INJECTED_EMAIL = "abuse@evil.example\r\nBcc: victim@x.org"


def _approved(factory: sessionmaker[Session], world: World, provider_id: int, basis: LegalBasis) -> int:
    with transaction(factory) as session:
        case = open_case(session, ACTOR, world.site_id, provider_id)
        notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, basis, dict(SENDER))
        submit_for_review(session, ACTOR, notice.id or 0)
        approve(session, ACTOR, notice.id or 0)
        return notice.id or 0


def _second_host(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as session:
        return add_provider(session, ACTOR, "Second Hosting", "host", abuse_email="abuse@second.example").id or 0


def _tamper_host(engine: Engine, world: World) -> None:
    """The host's directory row as a registry could have left it before values were checked on the way in."""
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE provider SET name = :name, abuse_email = :email WHERE id = :id"),
            {"name": INJECTED_NAME, "email": INJECTED_EMAIL, "id": world.host_id},
        )


def test_no_line_of_the_legal_text_starts_with_a_registrys_words(
    factory: sessionmaker[Session], engine: Engine, world: World
) -> None:
    _tamper_host(engine, world)
    notice_id = _approved(factory, world, world.host_id, LegalBasis.DMCA)
    with factory() as session:
        text = get_notice(session, notice_id).rendered_text or ""
    assert "To: Evil Hosting The sender withdraws this notice. And all others." in text
    assert not any(line.lstrip().startswith(("The sender withdraws", "And all others")) for line in text.splitlines())
    assert "\r" not in text and "\u2028" not in text
    # the sender's own multi-line fields keep their lines
    assert "4. I have a good faith belief" in text


async def test_a_header_injection_address_fails_its_notice_only(
    factory: sessionmaker[Session], engine: Engine, world: World, smtp_sink: Any
) -> None:
    _tamper_host(engine, world)
    bad = _approved(factory, world, world.host_id, LegalBasis.DMCA)
    good = _approved(factory, world, _second_host(factory), LegalBasis.DMCA)
    channel = SmtpChannel("127.0.0.1", smtp_sink.port, "notices@piratewatch.test", timeout=10)

    done = await send_approved(factory, ACTOR, {"smtp": channel})

    with factory() as session:
        results = {r.notice_id: r for r in send_results(session, done)}
        notice = get_notice(session, bad)
    assert results[good].sent
    assert results[bad].state == NoticeState.IN_REVIEW and not results[bad].sent
    assert (
        "cannot be sent as it stands" in results[bad].detail and "the recipient's e-mail address" in results[bad].detail
    )
    assert notice.review_reason is not None and "cannot be sent as it stands" in notice.review_reason
    (message,) = smtp_sink.messages  # only the good notice left, and nobody was copied in
    assert message["To"] == "abuse@second.example" and message["Bcc"] is None
    with engine.connect() as conn:
        states = dict(conn.execute(sa.text("SELECT notice_id, state FROM delivery_attempt")).all())
    assert states == {bad: "failed", good: "sent"}
    # the bad notice is not tried again round after round: it waits for an operator in review
    assert await send_approved(factory, ACTOR, {"smtp": channel}) == []


class _BreaksOnFirst:
    """A channel whose first hand-over breaks off in a way that says nothing about whether it left."""

    name = "smtp"
    concurrency = 2

    def __init__(self, breaks: int) -> None:
        self.breaks = breaks

    async def send(self, notice: OutgoingNotice) -> dict[str, Any]:
        if notice.notice_id == self.breaks:
            raise RuntimeError("connection reset in the middle of DATA")
        return {"server": "250 ok"}

    async def lookup(self, idempotency_key: str) -> bool | None:
        return None


async def test_a_send_that_breaks_off_leaves_that_notice_in_doubt_and_the_round_goes_on(
    factory: sessionmaker[Session], world: World
) -> None:
    first = _approved(factory, world, world.host_id, LegalBasis.DMCA)
    second = _approved(factory, world, _second_host(factory), LegalBasis.DMCA)
    done = await sending.send_batch(factory, ACTOR, _BreaksOnFirst(first), [first, second])  # type: ignore[arg-type]

    with factory() as session:
        results = {r.notice_id: r for r in send_results(session, done)}
    assert results[second].sent
    assert results[first].state == NoticeState.SENDING and results[first].failed
    assert "in doubt" in results[first].detail


async def test_a_url_no_client_accepts_is_left_out_with_its_reason() -> None:
    refused = f"http://127.0.0.1:{free_port()}/gone"
    findings = await check_urls(
        Recheck(timeout=2), ["http://ｐｏｉｓｏｎ.example/x", "http://x.example/a\x7fb", refused]
    )
    assert [f is not None and not f.gone for f in findings] == [True, True, True]
    assert findings[0] is not None and findings[0].reason.startswith("could not be checked: InvalidURL")
    assert findings[2] is not None and findings[2].reason.startswith("unreachable")


async def test_a_recheck_that_breaks_sends_only_that_notice_back_to_review(
    factory: sessionmaker[Session], world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    broken = _approved(factory, world, world.host_id, LegalBasis.DMCA)
    fine = _approved(factory, world, _second_host(factory), LegalBasis.DMCA)

    async def recheck_notice(
        factory: Any, actor: Any, notice_id: int, policy: Recheck, client: Any = None
    ) -> dict[str, str]:
        if notice_id == broken:
            raise UnicodeError("a page no decoder could read")
        return {}  # the other notice's URLs all pass (no network in this test)

    monkeypatch.setattr(sending, "recheck_notice", recheck_notice)
    from cases.takedown.delivery.channels import FileChannel

    done = await send_approved(factory, ACTOR, FileChannel(tmp_path), recheck=Recheck())

    with factory() as session:
        results = {r.notice_id: r for r in send_results(session, done)}
    assert results[fine].sent
    assert results[broken].state == NoticeState.IN_REVIEW
    assert "the re-check failed: UnicodeError: a page no decoder could read" in results[broken].detail


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(child.stdout)


def test_a_sender_is_gone_only_when_that_is_certain() -> None:
    assert not is_gone(this_process())
    assert is_gone(f"{socket.gethostname()}:{_dead_pid()}:1")
    host, pid, start = this_process().split(":")
    assert is_gone(f"{host}:{pid}:{int(start) + 1}")  # the pid now belongs to another process
    assert not is_gone(f"elsewhere.invalid:{_dead_pid()}:1")  # another machine: it cannot be known
    assert not is_gone(None)


async def test_reconcile_settles_a_dead_senders_attempt_at_once(
    factory: sessionmaker[Session], engine: Engine, world: World, smtp_sink: Any
) -> None:
    dead_id = _approved(factory, world, world.host_id, LegalBasis.DMCA)
    alive = _approved(factory, world, _second_host(factory), LegalBasis.DMCA)
    with transaction(factory) as session:
        begin_sends(session, ACTOR, [dead_id, alive], "smtp")
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE delivery_attempt SET owner = :owner WHERE notice_id = :id"),
            {"owner": f"{socket.gethostname()}:{_dead_pid()}:1", "id": dead_id},
        )
    channel = SmtpChannel("127.0.0.1", smtp_sink.port, "notices@piratewatch.test")

    decisions = await reconcile(factory, ACTOR, {"smtp": channel})  # the default in-flight time: 5 minutes

    assert decisions == {dead_id: "unconfirmed"}  # settled now; this process's own send is left alone
    with engine.connect() as conn:
        states = dict(conn.execute(sa.text("SELECT notice_id, state FROM delivery_attempt")).all())
    assert states == {dead_id: "unconfirmed", alive: "sending"}
