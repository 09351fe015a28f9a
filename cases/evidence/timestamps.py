"""RFC 3161 timestamp tokens: asking the configured TSA, and verifying a token (on receipt and offline).

The request is a DER ``TimeStampReq`` over SHA-256 of the bytes, with a nonce and ``certReq`` set
so the token carries the TSA's certificate; it is POSTed as ``application/timestamp-query`` and the
answer must be ``application/timestamp-reply`` (RFC 3161 §3.4). ``rfc3161-client`` builds the
request and checks the answer: status granted, the same nonce and imprint, the CMS signature, the
signer's critical ``timeStamping`` extended key usage, and the chain to the configured roots.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography import x509
from rfc3161_client import (
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from common.text import scrub

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
#: a TimeStampResp is a signed structure of a few kilobytes; a larger answer is not one
MAX_REPLY_BYTES = 256 * 1024


class TimestampError(Exception):
    """The TSA could not be asked, or its token does not verify (the message says which check failed)."""


@dataclass(frozen=True)
class TokenInfo:
    """What a verified token says."""

    gen_time: dt.datetime
    serial_number: int
    tsa_name: str
    policy: str


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    """Every certificate in PEM text (:class:`TimestampError` if there is none, or one is broken)."""
    try:
        found = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TimestampError(f"unreadable certificate: {exc}") from exc
    return found


def read_certificates(paths: Sequence[Path]) -> list[x509.Certificate]:
    found: list[x509.Certificate] = []
    for path in paths:
        found += load_certificates(path.read_bytes())
    return found


def _verifier(builder: VerifierBuilder, certificates: Sequence[x509.Certificate]) -> VerifierBuilder:
    roots = [c for c in certificates if c.issuer == c.subject]
    if not roots:
        raise TimestampError("no root certificate (self-signed) among the TSA certificates")
    for cert in certificates:
        builder = builder.add_root_certificate(cert) if cert in roots else builder.add_intermediate_certificate(cert)
    return builder


def _info(response: TimeStampResponse) -> TokenInfo:
    tst = response.tst_info
    name = tst.name
    value = getattr(name, "value", None)
    tsa_name = value.rfc4514_string() if isinstance(value, x509.Name) else str(value or "")
    gen_time = tst.gen_time if tst.gen_time.tzinfo else tst.gen_time.replace(tzinfo=dt.UTC)
    return TokenInfo(gen_time, tst.serial_number, tsa_name, tst.policy.dotted_string)


def verify_token(
    token: bytes, message: bytes, certificates: Sequence[x509.Certificate], *, nonce: int | None = None
) -> TokenInfo:
    """Check that `token` (a DER TimeStampResp) stamps `message` and chains to `certificates`; what it says."""
    try:
        response = decode_timestamp_response(token)
    except ValueError as exc:
        raise TimestampError(f"not an RFC 3161 TimeStampResp: {exc}") from exc
    if response.status != 0:  # PKIStatus granted; anything else carries no token (RFC 3161 §2.4.2)
        said = scrub("; ".join(response.status_string), max_length=200) or "no reason given"
        raise TimestampError(f"the TSA did not grant a token: PKIStatus {response.status} ({said})")
    builder = VerifierBuilder(nonce=nonce)
    try:
        _verifier(builder, certificates).build().verify_message(response, message)
    except VerificationError as exc:
        raise TimestampError(f"the token does not verify: {exc}") from exc
    except ValueError as exc:
        raise TimestampError(f"the token cannot be checked: {exc}") from exc
    return _info(response)


@dataclass(frozen=True)
class Authority:
    """The configured TSA: where to ask, and the certificates its tokens must chain to."""

    url: str
    certificates: tuple[x509.Certificate, ...]
    timeout: float = 15.0

    def certificates_pem(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding

        return b"".join(c.public_bytes(Encoding.PEM) for c in self.certificates)

    async def stamp(self, message: bytes, client: httpx.AsyncClient | None = None) -> tuple[bytes, TokenInfo]:
        """A token over `message` from this TSA, verified before it is returned."""
        request = TimestampRequestBuilder().data(message).nonce(nonce=True).cert_request(cert_request=True).build()
        own = client is None
        client = client or httpx.AsyncClient(timeout=self.timeout)
        try:
            answer = await client.post(self.url, content=request.as_bytes(), headers={"Content-Type": QUERY_TYPE})
        except httpx.HTTPError as exc:
            raise TimestampError(f"the TSA at {self.url} did not answer: {type(exc).__name__}: {exc}") from exc
        finally:
            if own:
                await client.aclose()
        if answer.status_code != 200:
            raise TimestampError(f"the TSA answered HTTP {answer.status_code}: {scrub(answer.text, max_length=200)}")
        kind = answer.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != REPLY_TYPE:
            raise TimestampError(f"the TSA answered {scrub(kind, max_length=80)!r}, not {REPLY_TYPE}")
        if len(answer.content) > MAX_REPLY_BYTES:
            raise TimestampError(f"the TSA's answer is {len(answer.content)} bytes: not a TimeStampResp")
        return answer.content, verify_token(answer.content, message, self.certificates, nonce=request.nonce)
