"""Secrets never reach a log line: API keys and tokens in URLs, credentials in URLs, and header values.

httpx logs every request at INFO with its full URL (``HTTP Request: GET https://api…?api_key=…``);
exceptions quote URLs too. :class:`RedactSecrets` rewrites a record's message (and its traceback)
with each secret replaced by ``[REDACTED]``. :func:`install_redaction` installs it once for the whole
process, in the log record factory, so every record of every logger passes through it whichever
handlers are configured later (uvicorn's, procrastinate's, a test's capture).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

REDACTED = "[REDACTED]"

#: query (or form, or ``k=v`` in a message) parameters whose value is a secret
_SECRET_PARAMETER = re.compile(
    r"(?i)(?P<name>\b(?:api[_-]?key|apikey|key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|"
    r"secret|client[_-]?secret|password|passwd|pwd|auth|signature|sig|session[_-]?id))"
    r"(?P<eq>=|%3D)(?P<value>[^&#\s'\"<>,;)\]}]+)"
)
#: ``scheme://user:password@host``: the password
_URL_CREDENTIALS = re.compile(r"(?i)(?P<scheme>\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]*:)(?P<value>[^@/\s'\"]+)(?=@)")
#: header values: ``Authorization: Bearer x``, ``'x-api-key': 'x'``, ``Cookie=x``
_SECRET_HEADER = re.compile(
    r"(?i)(?P<name>\b(?:proxy-)?authorization|\bx-api-key|\bapi-key|\bset-cookie|\bcookie)"
    r"(?P<sep>['\"]?\s*[:=]\s*['\"]?)(?P<scheme>(?:bearer|basic|token|digest|apikey)\s+)?(?P<value>[^'\"\s,}\]]+)"
)


def redact(text: str) -> str:
    """`text` with every secret it shows replaced by ``[REDACTED]``."""
    if not text:
        return text
    text = _SECRET_HEADER.sub(lambda m: f"{m['name']}{m['sep']}{m['scheme'] or ''}{REDACTED}", text)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{REDACTED}", text)
    return _SECRET_PARAMETER.sub(lambda m: f"{m['name']}{m['eq']}{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """Rewrites each record: its message formatted and redacted, its traceback redacted; never drops one."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the logging module reports it, we leave it alone
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_installed = threading.Lock()
_FILTER = RedactSecrets()
_done = False


def install_redaction() -> None:
    """Pass every log record of this process through :class:`RedactSecrets` (once; later calls do nothing)."""
    global _done
    with _installed:
        if _done:
            return
        previous = logging.getLogRecordFactory()

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _FILTER.filter(record)
            return record

        logging.setLogRecordFactory(redacting_factory)
        _done = True
