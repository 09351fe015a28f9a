"""A capture as one gzipped WARC 1.1 file, written by ``warcio``: warcinfo, then per exchange a
``response`` and its ``request`` record, then the capture's ``metadata``, the visible text and the
screenshot as ``resource`` records (Browsertrix Crawler's convention: ``urn:text:<url>`` and ``urn:view:<url>``).

A body cut short keeps the ``WARC-Truncated`` reason of WARC 1.1 (``length``, ``time``, ``disconnect``).
Chunked framing is undone by the HTTP client, so a ``Transfer-Encoding`` header is kept as
``X-Archive-Orig-Transfer-Encoding`` (the Wayback convention) and readers do not de-chunk again.
"""

from __future__ import annotations

import io
import json
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawlers.capture.fetch import Capture, Exchange

WARC_MEDIA_TYPE = "application/warc"


def _response_headers(exchange: Exchange) -> StatusAndHeaders:
    headers = [
        (f"X-Archive-Orig-{k}" if k.lower() == "transfer-encoding" else k, v) for k, v in exchange.response_headers
    ]
    return StatusAndHeaders(f"{exchange.status} {exchange.reason}".strip(), headers, protocol=exchange.http_version)


def _exchange_records(writer: WARCWriter, exchange: Exchange) -> None:
    request = writer.create_warc_record(
        exchange.url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(exchange.request_line, exchange.request_headers, is_http_request=True),
        warc_headers_dict={"WARC-Date": exchange.started_at.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    if exchange.status is not None:
        extra = {"WARC-Date": exchange.started_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if exchange.truncated:
            extra["WARC-Truncated"] = exchange.truncated
        if exchange.server_address:
            extra["WARC-IP-Address"] = exchange.server_address
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(bytes(exchange.body)),
            length=len(exchange.body),
            http_headers=_response_headers(exchange),
            warc_headers_dict=extra,
        )
        writer.write_record(response)
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
    writer.write_record(request)


def capture_summary(capture: Capture) -> dict[str, Any]:
    """What the metadata record says of the capture (the same facts the manifest holds)."""
    return {
        "url": capture.url,
        "status": capture.status,
        "limit": capture.limit,
        "problems": capture.problems,
        "started_at": capture.started_at.isoformat(),
        "finished_at": capture.finished_at.isoformat() if capture.finished_at else None,
        "screenshot_problem": capture.screenshot_problem,
        "exchanges": [
            {
                "url": e.url,
                "status": e.status,
                "truncated": e.truncated,
                "server_address": e.server_address,
                "client_address": e.client_address,
                "bytes": len(e.body),
            }
            for e in capture.exchanges
        ],
    }


def _resource(writer: WARCWriter, uri: str, data: bytes, media_type: str) -> None:
    record = writer.create_warc_record(
        uri, "resource", payload=io.BytesIO(data), length=len(data), warc_content_type=media_type
    )
    writer.write_record(record)


def write_warc(capture: Capture, software: str) -> bytes:
    """The capture as the bytes of one ``.warc.gz`` file (one gzip member per record)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
    info = {
        "software": software,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
    }
    writer.write_record(writer.create_warcinfo_record("capture.warc.gz", info))
    for exchange in capture.exchanges:
        _exchange_records(writer, exchange)
    summary = json.dumps(capture_summary(capture), ensure_ascii=False, sort_keys=True).encode()
    writer.write_record(
        writer.create_warc_record(
            capture.url,
            "metadata",
            payload=io.BytesIO(summary),
            length=len(summary),
            warc_content_type="application/json",
        )
    )
    text = capture.text.encode()
    _resource(writer, f"urn:text:{capture.url}", text, "text/plain; charset=utf-8")
    if capture.screenshot is not None:
        _resource(writer, f"urn:view:{capture.url}", capture.screenshot, "image/png")
    return out.getvalue()
