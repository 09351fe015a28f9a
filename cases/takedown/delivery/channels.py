"""Delivery channels: SMTP, Cloudflare's abuse-reports API, and file export, behind one interface.

Each channel can say whether the recipient already has a notice when the recipient lets us ask
(:meth:`Channel.lookup`); that is what the outbox's restart check uses. SMTP carries the notice's
idempotency key (the ``Message-ID`` and an ``X-Piratewatch-Idempotency-Key`` header), the file export
its file name; Cloudflare's API takes no reference of ours, so its channel
(:mod:`cases.takedown.delivery.cloudflare`) recognises a report by its contents.

Errors: :class:`DeliveryError` when the recipient refused or could not be reached (nothing was sent).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.charset
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib

from cases.errors import DeliveryError
from cases.takedown.config import NoticeSettings
from common.text import UnsafeTextError, email_address, header_value


@dataclass(frozen=True)
class OutgoingNotice:
    """A notice ready to leave: what every channel needs."""

    notice_id: int
    idempotency_key: str
    message_id: str
    recipient_name: str
    recipient_email: str | None
    subject: str
    text: str
    media_type: str
    #: when the notice was drafted: what a recipient filed since then may be this notice
    drafted_at: dt.datetime | None = None


class Channel(Protocol):
    """A way to deliver a notice."""

    name: str
    #: how many notices may be in flight through it at once
    concurrency: int

    async def send(self, notice: OutgoingNotice) -> dict[str, Any]:
        """Hand the notice over; returns what the recipient answered. Raises :class:`DeliveryError`."""
        ...

    async def lookup(self, notice: OutgoingNotice) -> bool | None:
        """Whether the recipient already has the notice: True, False, or None when it cannot be known."""
        ...

    def connected(self) -> AbstractAsyncContextManager[None]:
        """A scope in which sends may share connections to the recipient (a run of the outbox)."""
        ...


def message_id_for(idempotency_key: str, domain: str = "piratewatch.invalid") -> str:
    """The fixed Message-ID of a notice: the same on every attempt, so recipients can spot a repeat."""
    return f"<{idempotency_key}@{domain}>"


def _header(what: str, value: str, check: Callable[[str], str]) -> str:
    """`value` as `check` accepts it for a header; a permanent :class:`DeliveryError` naming `what` otherwise."""
    try:
        return check(value)
    except UnsafeTextError as exc:
        raise DeliveryError(f"cannot be sent as it stands: {what} {value[:80]!r}: {exc}", permanent=True) from exc


class _SmtpConnections:
    """Open connections to one relay, each reused for message after message within a scope."""

    def __init__(self, channel: SmtpChannel) -> None:
        self.channel = channel
        self.idle: list[aiosmtplib.SMTP] = []

    async def acquire(self) -> tuple[aiosmtplib.SMTP, bool]:
        """An open connection, and whether it was used before."""
        while self.idle:
            smtp = self.idle.pop()
            if smtp.is_connected:
                return smtp, True
        return await self.channel.connect(), False

    def release(self, smtp: aiosmtplib.SMTP) -> None:
        if smtp.is_connected:
            self.idle.append(smtp)

    async def close(self) -> None:
        for smtp in self.idle:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()
        self.idle.clear()


#: UTF-8 bodies as they are (8bit, which every relay takes: 8BITMIME), not base64: the raw message
#: reads as written, URLs included, where abuse desks' parsers and people look for them
_UTF8_8BIT = email.charset.Charset("utf-8")
_UTF8_8BIT.body_encoding = None  # type: ignore[assignment]  # None: "no encoding", as documented
#: except with lines longer than SMTP allows (998 octets): then quoted-printable, which wraps them
_UTF8_QUOTED_PRINTABLE = email.charset.Charset("utf-8")
_UTF8_QUOTED_PRINTABLE.body_encoding = email.charset.QP
_LONGEST_LINE = 900

_smtp_connections: ContextVar[_SmtpConnections | None] = ContextVar("smtp_connections", default=None)


class SmtpChannel:
    """E-mail through an SMTP relay (aiosmtplib).

    Outside :meth:`connected`, each message takes a connection of its own. Inside it (the outbox's
    runs), connections stay open and carry message after message: no TCP and EHLO handshake per
    notice, and the relay sees a few steady connections instead of one per message.
    """

    name = "smtp"

    def __init__(self, host: str, port: int, sender: str, timeout: float = 30.0, connections: int = 16) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout
        #: messages in flight at once, each on its own connection: what the relay is asked to accept
        self.concurrency = connections

    def build(self, notice: OutgoingNotice) -> Message:
        """The e-mail of a notice.

        Built with the ``compat32`` message classes: the header-parsing ``EmailMessage`` costs four
        times the CPU per message, and a notice's headers are ours (plain addresses, a subject
        encoded as RFC 2047 when it is not ASCII), so there is nothing for it to parse.
        """
        if not notice.recipient_email:
            raise DeliveryError(
                "cannot be sent as it stands: the recipient has no abuse e-mail address", permanent=True
            )
        # Every header-bound value checked as such: a registry's "abuse@host\r\nBcc: ..." never leaves.
        recipient = _header("the recipient's e-mail address", notice.recipient_email, email_address)
        subject = _header("the subject", notice.subject, header_value)
        message_id = _header("the Message-ID", notice.message_id, header_value)
        key = _header("the idempotency key", notice.idempotency_key, header_value)
        message: Message
        if notice.media_type.startswith("application/json"):
            message = MIMEApplication(notice.text.encode(), "json")
        else:
            long_lines = any(len(line.encode()) > _LONGEST_LINE for line in notice.text.splitlines())
            message = MIMENonMultipart("text", "plain")
            message.set_payload(notice.text, _UTF8_QUOTED_PRINTABLE if long_lines else _UTF8_8BIT)
        message["From"] = self.sender
        message["To"] = recipient
        if subject.isascii():
            message["Subject"] = subject
        else:  # RFC 2047, as the compat32 classes leave non-ASCII headers to the caller
            message["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = message_id
        message["X-Piratewatch-Idempotency-Key"] = key
        return message

    async def connect(self) -> aiosmtplib.SMTP:
        smtp = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=self.timeout)
        await smtp.connect()
        return smtp

    @contextlib.asynccontextmanager
    async def connected(self) -> AsyncIterator[None]:
        connections = _SmtpConnections(self)
        token = _smtp_connections.set(connections)
        try:
            yield
        finally:
            _smtp_connections.reset(token)
            await connections.close()

    async def send(self, notice: OutgoingNotice) -> dict[str, Any]:
        message = self.build(notice)
        try:
            raw = message.as_bytes()  # serialised once, here: a header the mailer cannot write fails this notice only
        except (HeaderParseError, ValueError, UnicodeError) as exc:
            raise DeliveryError(
                f"notice {notice.notice_id} cannot be written as e-mail: {exc}", permanent=True
            ) from exc
        recipient = str(message["To"])
        connections = _smtp_connections.get()
        try:
            if connections is not None and connections.channel is self:
                last = await self._send_on(connections, raw, recipient)
                return {"server": last, "refused": {}}
            answers, last = await aiosmtplib.send(
                raw,
                sender=self.sender,
                recipients=[recipient],
                hostname=self.host,
                port=self.port,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPException as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc
        except OSError as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port} unreachable: {exc}") from exc
        return {"server": last, "refused": {k: str(v) for k, v in answers.items()}}

    async def _send_on(self, connections: _SmtpConnections, raw: bytes, recipient: str) -> str:
        """One message over a shared connection; returns the relay's answer to it."""
        smtp, reused = await connections.acquire()
        try:
            try:
                await smtp.mail(self.sender)
            except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPResponseException) as exc:
                # Nothing of this message has left before MAIL FROM is accepted, so a reused connection
                # the relay has closed (idle too long, or its messages-per-connection limit: 421) is
                # replaced once without any risk of a second copy.
                closed = isinstance(exc, aiosmtplib.SMTPServerDisconnected) or exc.code == 421
                if not (reused and closed):
                    raise
                smtp.close()
                smtp = await self.connect()
                await smtp.mail(self.sender)
            await smtp.rcpt(recipient)
            answer = await smtp.data(raw)
        except BaseException:
            smtp.close()  # a connection in an unknown state is never reused
            raise
        connections.release(smtp)
        return answer.message

    async def lookup(self, notice: OutgoingNotice) -> bool | None:
        # SMTP cannot be asked what it received: the outbox treats the answer as unknown.
        return None


class FileChannel:
    """Writes each notice to a file, for web forms and bulk uploads done by hand."""

    name = "file"
    concurrency = 8

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, notice: OutgoingNotice) -> Path:
        suffix = "json" if notice.media_type.startswith("application/json") else "txt"
        return self.directory / f"notice-{notice.notice_id}-{notice.idempotency_key}.{suffix}"

    async def send(self, notice: OutgoingNotice) -> dict[str, Any]:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(notice)
        partial = path.with_suffix(".partial")
        # Written aside, then renamed: a crash never leaves half a notice under the final name.
        partial.write_text(notice.text, encoding="utf-8")
        os.replace(partial, path)
        return {"path": str(path)}

    async def lookup(self, notice: OutgoingNotice) -> bool | None:
        return any(self.directory.glob(f"notice-*-{notice.idempotency_key}.*"))

    def connected(self) -> AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()  # nothing to connect to


def configured_channels(settings: NoticeSettings, default_export_dir: Path) -> dict[str, Channel]:
    """Every channel the settings configure, by name (Cloudflare's API only with its URL and account)."""
    channels: dict[str, Channel] = {
        "smtp": SmtpChannel(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_sender,
            settings.smtp_timeout,
            settings.smtp_connections,
        ),
        "file": FileChannel(settings.export_dir or default_export_dir),
    }
    if settings.api_url and settings.api_account_id:
        from cases.takedown.delivery.cloudflare import CloudflareChannel  # it builds on this module

        channels["api"] = CloudflareChannel(
            settings.api_url, settings.api_account_id, settings.api_token, settings.api_timeout
        )
    return channels
