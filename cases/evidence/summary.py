"""The package's readable summary (``summary.html``), in the language of the notice it is for.

A notice in Japanese (the 送信防止措置 request under the Provider Liability Limitation Act) gets a
Japanese summary, every other notice, a site's package and a case's an English one. The summary has
a dozen fixed phrases, so they are a message table here rather than a catalogue: the hashes, URLs,
times and limits it shows are data, printed as they are (a limit's reason is the program's own
English text, quoted as recorded in the capture's timestamped manifest, so the two never disagree).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from cases.evidence.models import EvidenceCapture

#: the languages a summary is written in, English the default
LANGUAGES = ("en", "ja")

_MESSAGES: dict[str, dict[str, str]] = {
    "title": {"en": "Evidence package", "ja": "証拠パッケージ"},
    "scope": {"en": "Scope: {scope}. Made {created_at}.", "ja": "対象：{scope}。作成日時：{created_at}。"},
    "explain": {
        "en": "Each capture's manifest lists the SHA-256 of its WARC file, text and screenshot; its RFC 3161 "
        "token proves the manifest existed at the token's time. <code>piratewatch evidence verify</code> "
        "checks all of it offline.",
        "ja": "各取得のマニフェストには、WARC ファイル、テキスト及びスクリーンショットの SHA-256 ハッシュ値が"
        "記載されています。RFC 3161 タイムスタンプトークンは、そのマニフェストがトークンの時刻に存在していた"
        "ことを証明します。<code>piratewatch evidence verify</code> により、すべてをオフラインで検証できます。",
    },
    "col_url": {"en": "URL", "ja": "URL"},
    "col_captured": {"en": "captured", "ja": "取得日時"},
    "col_status": {"en": "status", "ja": "状態"},
    "col_http": {"en": "HTTP", "ja": "HTTP"},
    "col_manifest": {"en": "manifest SHA-256", "ja": "マニフェスト SHA-256"},
    "col_timestamp": {"en": "timestamp", "ja": "タイムスタンプ"},
    "col_screenshot": {"en": "screenshot", "ja": "スクリーンショット"},
    "status_complete": {"en": "complete", "ja": "完全"},
    "status_limited": {"en": "limited", "ja": "制限あり"},
    "status_failed": {"en": "failed", "ja": "失敗"},
    "not_timestamped": {"en": "not timestamped: {problem}", "ja": "タイムスタンプなし：{problem}"},
    "no_screenshot": {"en": "no screenshot", "ja": "スクリーンショットなし"},
    "screenshot_alt": {"en": "screenshot", "ja": "スクリーンショット"},
    "scope_notice": {"en": "notice {id}", "ja": "通知 {id}"},
    "scope_site": {"en": "site {id}", "ja": "サイト {id}"},
    "scope_case": {"en": "case {id}", "ja": "案件 {id}"},
}


def message(key: str, language: str, **values: object) -> str:
    """The phrase `key` in `language` (English for a language the table does not have)."""
    phrases = _MESSAGES[key]
    text = phrases.get(language, phrases["en"])
    return text.format(**values) if values else text


def scope_label(scope: str, language: str) -> str:
    """``notice 3`` as the summary writes it (``通知 3``); any other scope as it is."""
    kind, _, ident = scope.partition(" ")
    key = f"scope_{kind}"
    return message(key, language, id=ident) if key in _MESSAGES and ident else scope


def _status(capture: EvidenceCapture, language: str) -> str:
    key = f"status_{capture.status}"
    status = message(key, language) if key in _MESSAGES else capture.status
    return html.escape(status) + (": " + html.escape(capture.limit_reason) if capture.limit_reason else "")


def _row(capture: EvidenceCapture, language: str) -> str:
    shot = (
        f'<img src="captures/{capture.id}/screenshot.png" alt="{message("screenshot_alt", language)}" width="240">'
        if capture.screenshot_sha256
        else html.escape(capture.screenshot_problem or message("no_screenshot", language))
    )
    stamp = (
        capture.timestamped_at.isoformat()
        if capture.timestamped_at
        else message("not_timestamped", language, problem=capture.timestamp_problem or "")
    )
    # two rows a capture: its URL across the table on the first (a URL is the one value a reader
    # copies: it wraps only when longer than the page is wide), the facts on the second
    return (
        f"<tr class='url'><td rowspan='2'>{capture.id}</td>"
        f"<td colspan='5'>{message('col_url', language)}: <span class='url'>{html.escape(capture.url)}</span></td>"
        f"<td rowspan='2'>{shot}</td></tr>"
        f"<tr><td class='time'>{html.escape(capture.started_at.isoformat())}</td><td>{_status(capture, language)}</td>"
        f"<td>{capture.http_status or ''}</td><td><code>{capture.manifest_sha256}</code></td>"
        f"<td><span class='time'>{html.escape(stamp)}</span><br>{html.escape(capture.tsa_name or '')}</td>"
        "</tr>"
    )


def summary_html(scope: str, created_at: str, captures: Sequence[EvidenceCapture], language: str = "en") -> bytes:
    """The summary page of a package, in `language` (``en`` or ``ja``)."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: a summary is written in {' or '.join(LANGUAGES)}")
    m = {key: message(key, language) for key in _MESSAGES if key.startswith(("title", "explain", "col_"))}
    scope_line = message("scope", language, scope=scope_label(scope, language), created_at=created_at)
    head = "".join(
        f"<th>{m[k]}</th>" for k in ("col_captured", "col_status", "col_http", "col_manifest", "col_timestamp")
    )
    page = (
        f"<!DOCTYPE html><html lang='{language}'><head><meta charset='utf-8'><title>{m['title']}</title>"
        "<style>@page{size:A4 landscape;margin:12mm}body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #999;padding:4px;vertical-align:top;font-size:13px}th{white-space:nowrap}"
        "code{word-break:break-all}.url{overflow-wrap:anywhere}.time{white-space:nowrap}"
        "tr{break-inside:avoid}tr.url td{border-top:2px solid #333}</style>"
        f"</head><body><h1>{m['title']}</h1><p>{html.escape(scope_line)}</p><p>{m['explain']}</p>"
        f"<table><tr><th>#</th>{head}<th>{m['col_screenshot']}</th></tr>"
        + "".join(_row(c, language) for c in captures)
        + "</table></body></html>"
    )
    return page.encode()
