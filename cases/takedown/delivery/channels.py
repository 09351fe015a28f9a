"""Delivery channels: SMTP, a Cloudflare-style abuse-reports API, and file export, behind one interface.

Each channel puts the notice's idempotency key into what it sends (SMTP: the ``Message-ID`` and an
``X-Piratewatch-Idempotency-Key`` header; API: an ``Idempotency-Key`` header and the report's
``reference``; file: the file name), and can say whether a notice with a key was already received
when the recipient lets us ask (:meth:`Channel.lookup`). That is what the outbox's restart check uses.

Errors: :class:`DeliveryError` when the recipient refused or could not be reached (nothing was sent).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib
import httpx

from cases.takedown.config import NoticeSettings


class DeliveryError(Exception):
    """Raised by a channel when the notice could not be handed over (the outbox may retry it)."""


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


class Channel(Protocol):
    """A way to deliver a notice."""

    name: str

    async def send(self, notice: OutgoingNotice) -> dict[str, Any]:
        """Hand the notice over; returns what the recipient answered. Raises :class:`DeliveryError`."""
        ...

    async def lookup(self, idempotency_key: str) -> bool | None:
        """Whether the recipient already has the notice: True, False, or None when it cannot be known."""
        ...


def message_id_for(idempotency_key: str, domain: str = "piratewatch.invalid") -> str:
    """The fixed Message-ID of a notice: the same on every attempt, so recipients can spot a repeat."""
    return f"<{idempotency_key}@{domain}>"


class SmtpChannel:
    """E-mail through an SMTP relay (aiosmtplib)."""

    name = "smtp"

    def __init__(self, host: str, port: int, sender: str, timeout: float = 30.0) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def build(self, notice: OutgoingNotice) -> EmailMessage:
        """The e-mail of a notice."""
        if not notice.recipient_email:
            raise DeliveryError(f"notice {notice.notice_id}: the recipient has no abuse e-mail address")
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notice.recipient_email
        message["Subject"] = notice.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = notice.message_id
        message["X-Piratewatch-Idempotency-Key"] = notice.idempotency_key
        if notice.media_type.startswith("application/json"):
            message.set_content(notice.text.encode(), maintype="application", subtype="json")
        else:
            message.set_content(notice.text)
        return message

    async def send(self, notice: OutgoingNotice) -> dict[str, Any]:
        message = self.build(notice)
        try:
            answers, last = await aiosmtplib.send(message, hostname=self.host, port=self.port, timeout=self.timeout)
        except aiosmtplib.SMTPException as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc
        except OSError as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port} unreachable: {exc}") from exc
        return {"server": last, "refused": {k: str(v) for k, v in answers.items()}}

    async def lookup(self, idempotency_key: str) -> bool | None:
        # SMTP cannot be asked what it received: the outbox treats the answer as unknown.
        return None


class ApiChannel:
    """A Cloudflare-style abuse-reports API: one POST per report, each with the notice's key."""

    name = "api"

    def __init__(
        self, base_url: str, token: str = "", timeout: float = 30.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = httpx.Timeout(timeout)
        self.transport = transport

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base_url, headers=self.headers, timeout=self.timeout, transport=self.transport
        )

    async def send(self, notice: OutgoingNotice) -> dict[str, Any]:
        reports = json.loads(notice.text)["reports"] if notice.media_type.startswith("application/json") else None
        if not reports:
            raise DeliveryError(f"notice {notice.notice_id}: the API channel needs a JSON abuse report")
        ids = []
        async with self._client() as client:
            for index, report in enumerate(reports):
                try:
                    answer = await client.post(
                        "/abuse-reports/abuse_dmca",
                        json=report,
                        headers={"Idempotency-Key": f"{notice.idempotency_key}-{index}"},
                    )
                except httpx.HTTPError as exc:
                    raise DeliveryError(f"API {self.base_url}: {exc}") from exc
                if answer.status_code >= 400:
                    raise DeliveryError(f"API {self.base_url} answered {answer.status_code}: {answer.text[:200]}")
                ids.append(answer.json().get("result", {}).get("id"))
        return {"report_ids": ids}

    async def lookup(self, idempotency_key: str) -> bool | None:
        async with self._client() as client:
            try:
                answer = await client.get("/abuse-reports", params={"reference": idempotency_key})
            except httpx.HTTPError:
                return None
        if answer.status_code != 200:
            return None
        return bool(answer.json().get("result"))


class FileChannel:
    """Writes each notice to a file, for web forms and bulk uploads done by hand."""

    name = "file"

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

    async def lookup(self, idempotency_key: str) -> bool | None:
        return any(self.directory.glob(f"notice-*-{idempotency_key}.*"))


def configured_channels(settings: NoticeSettings, default_export_dir: Path) -> dict[str, Channel]:
    """Every channel the settings configure, by name (the API channel only with an API URL)."""
    channels: dict[str, Channel] = {
        "smtp": SmtpChannel(settings.smtp_host, settings.smtp_port, settings.smtp_sender, settings.smtp_timeout),
        "file": FileChannel(settings.export_dir or default_export_dir),
    }
    if settings.api_url:
        channels["api"] = ApiChannel(settings.api_url, settings.api_token, settings.api_timeout)
    return channels
