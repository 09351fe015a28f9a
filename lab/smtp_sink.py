"""An SMTP server on loopback that keeps every message it receives (aiosmtpd), for the demo and the tests.

It stands in for the abuse desks notices are mailed to: the demo's notices land here, and tests count
what arrived (a notice must arrive exactly once, even across crashes). Messages are kept in memory and,
when a directory is given, written there as ``.eml`` files too, so a person can open them.
"""

from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from lab.http_util import free_port


class SmtpSink:
    """``with SmtpSink() as sink: ... sink.port ... sink.messages``."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, maildir: Path | None = None) -> None:
        self.host = host
        self.port = port or free_port()
        self.maildir = maildir
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname=host, port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
            count = len(self.messages)
        if self.maildir is not None:
            self.maildir.mkdir(parents=True, exist_ok=True)
            (self.maildir / f"{count:05d}.eml").write_bytes(envelope.content)
        return "250 OK"

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
