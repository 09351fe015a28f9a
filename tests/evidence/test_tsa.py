"""The lab's TSA answers RFC 3161 as a real one does, and the client verifies what it gets."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from rfc3161_client import decode_timestamp_response

from cases.evidence.timestamps import Authority, TimestampError, read_certificates, verify_token
from lab.tsa import POLICY_OID, QUERY_TYPE, REPLY_TYPE

from .conftest import EvidenceLab


def _authority(tsa_url: str, *ca: object) -> Authority:
    return Authority(tsa_url, tuple(read_certificates(list(ca))))  # type: ignore[arg-type]


def test_a_token_is_granted_and_verified_on_receipt(evidence_lab: EvidenceLab) -> None:
    tsa = evidence_lab.tsa
    token, info = asyncio.run(_authority(tsa.url, tsa.ca_certificate).stamp(b"manifest bytes"))
    assert info.policy == POLICY_OID
    assert "piratewatch lab TSA" in info.tsa_name
    assert info.gen_time.tzinfo is not None
    # offline, later: the same token still verifies, and only for the same bytes
    assert (
        verify_token(token, b"manifest bytes", read_certificates([tsa.ca_certificate])).serial_number
        == info.serial_number
    )
    with pytest.raises(TimestampError, match="Mismatch between messages"):
        verify_token(token, b"manifest bytez", read_certificates([tsa.ca_certificate]))


def test_a_token_from_another_tsa_does_not_verify(evidence_lab: EvidenceLab) -> None:
    other = evidence_lab.other_tsa
    token, _ = asyncio.run(_authority(other.url, other.ca_certificate).stamp(b"manifest"))
    with pytest.raises(TimestampError, match="does not verify"):
        verify_token(token, b"manifest", read_certificates([evidence_lab.tsa.ca_certificate]))
    # and on receipt: a TSA whose tokens do not chain to the configured roots is refused
    with pytest.raises(TimestampError, match="does not verify"):
        asyncio.run(_authority(other.url, evidence_lab.tsa.ca_certificate).stamp(b"manifest"))


def test_the_lab_tsa_refuses_what_rfc_3161_over_http_does_not_allow(evidence_lab: EvidenceLab) -> None:
    url = evidence_lab.tsa.url
    assert httpx.get(url).status_code == 405
    assert httpx.post(url, content=b"x", headers={"Content-Type": "application/json"}).status_code == 415
    # a query that is not a TimeStampReq gets what RFC 3161 §2.4.2 prescribes: a TimeStampResp whose
    # PKIStatus is rejection (2) with failInfo badDataFormat, and no token
    garbage = httpx.post(url, content=b"\x30\x03\x02\x01\x01", headers={"Content-Type": QUERY_TYPE})
    assert garbage.status_code == 200
    assert garbage.headers["content-type"] == REPLY_TYPE
    assert decode_timestamp_response(garbage.content).status == 2
    with pytest.raises(TimestampError, match=r"did not grant a token: PKIStatus 2 \(Bad request format"):
        verify_token(garbage.content, b"m", read_certificates([evidence_lab.tsa.ca_certificate]))
    huge = httpx.post(url, content=b"\x00" * 100_000, headers={"Content-Type": QUERY_TYPE})
    assert huge.status_code == 413


def test_a_tsa_answering_something_else_is_a_failure_not_a_token(evidence_lab: EvidenceLab) -> None:
    # the fixture sites' server answers HTML: not a TimeStampResp
    authority = _authority(f"http://127.0.0.1:{evidence_lab.server.port}/", evidence_lab.tsa.ca_certificate)
    with pytest.raises(TimestampError, match="answered"):
        asyncio.run(authority.stamp(b"manifest"))


def test_broken_tokens_and_certificates_are_reported() -> None:
    with pytest.raises(TimestampError, match="not an RFC 3161 TimeStampResp"):
        verify_token(b"\x00garbage", b"m", [])
    from cases.evidence.timestamps import load_certificates

    with pytest.raises(TimestampError, match="unreadable certificate"):
        load_certificates(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
