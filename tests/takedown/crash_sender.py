"""Sends one approved notice by SMTP, then dies (SIGKILL) before the send is committed.

Run by ``test_delivery.py`` as a subprocess: ``python crash_sender.py DB_URL SMTP_PORT NOTICE_ID``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.takedown.delivery.channels import SmtpChannel
from cases.takedown.delivery.outbox import begin_send


async def main(db_url: str, port: int, notice_id: int) -> None:
    factory = session_factory(make_engine(db_url))
    actor = Actor("test:crash")
    channel = SmtpChannel("127.0.0.1", port, "notices@piratewatch.test", timeout=10)
    with transaction(factory) as session:
        started = begin_send(session, actor, notice_id, channel.name)
    await channel.send(started.outgoing)
    os.kill(os.getpid(), signal.SIGKILL)  # the crash: after the send, before finish_send commits


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
