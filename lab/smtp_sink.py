"""An SMTP server on loopback that keeps every message it receives (aiosmtpd), for the demo and the tests.

It stands in for the abuse desks notices are mailed to: the demo's notices land here, and tests count
what arrived (a notice must arrive exactly once, even across crashes). Messages are kept in memory and,
when a directory is given, written there as ``.eml`` files too, so a person can open them.

With a TLS context it offers STARTTLS (RFC 3207) and, like a relay that requires it, answers
``530 Must issue a STARTTLS command first`` to MAIL FROM on a connection not yet upgraded (aiosmtpd's
``require_starttls``).
"""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from lab.http_util import free_port


class SmtpSink:
    """``with SmtpSink() as sink: ... sink.port ... sink.messages``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int | None = None,
        maildir: Path | None = None,
        messages_per_connection: int | None = None,
        refuse: frozenset[str] = frozenset(),
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port()
        self.maildir = maildir
        #: like a relay's limit: past it, MAIL FROM on the same connection is answered 421
        self.messages_per_connection = messages_per_connection
        #: recipients answered 550 at RCPT TO, like a mailbox that does not exist
        self.refuse = refuse
        self.messages: list[EmailMessage] = []
        #: the client's (address, port) of each message, in order: which connection carried it
        self.peers: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        self._controller = Controller(
            self, hostname=host, port=self.port, tls_context=tls_context, require_starttls=tls_context is not None
        )

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        if self.messages_per_connection is not None:
            with self._lock:
                carried = self.peers.count(tuple(session.peer))
            if carried >= self.messages_per_connection:
                return "421 too many messages on this connection"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
            self.peers.append(tuple(session.peer))
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
