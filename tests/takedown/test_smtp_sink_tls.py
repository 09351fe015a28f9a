"""The lab SMTP sink with a TLS context: STARTTLS offered (RFC 3207) and required before MAIL FROM."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import aiosmtplib
import pytest

from lab.smtp_sink import SmtpSink
from lab.tls import write_self_signed


def _contexts(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    key, cert = write_self_signed(tmp_path, ["localhost"], issuer="localhost")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def test_a_message_arrives_over_starttls_with_the_certificate_verified(tmp_path: Path) -> None:
    server_tls, client_tls = _contexts(tmp_path)

    async def send(port: int) -> bool:
        smtp = aiosmtplib.SMTP(hostname="localhost", port=port, timeout=10, tls_context=client_tls)
        await smtp.connect()  # upgrades: the sink offers STARTTLS
        encrypted = smtp.get_transport_info("sslcontext") is not None
        await smtp.sendmail("n@piratewatch.test", ["abuse@host.example"], b"Subject: notice\r\n\r\nbody\r\n")
        await smtp.quit()
        return encrypted

    with SmtpSink(tls_context=server_tls) as sink:
        assert asyncio.run(send(sink.port))
        assert [m["Subject"] for m in sink.messages] == ["notice"]


def test_mail_before_starttls_is_refused_with_530(tmp_path: Path) -> None:
    server_tls, _ = _contexts(tmp_path)

    async def send(port: int) -> None:
        smtp = aiosmtplib.SMTP(hostname="localhost", port=port, timeout=10, start_tls=False)
        await smtp.connect()
        try:
            await smtp.sendmail("n@piratewatch.test", ["abuse@host.example"], b"Subject: notice\r\n\r\nbody\r\n")
        finally:
            smtp.close()

    with SmtpSink(tls_context=server_tls) as sink:
        with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
            asyncio.run(send(sink.port))
        assert refused.value.code == 530
        assert sink.messages == []
