"""Cursor pagination: stable under inserts, and as fast on page 2,000 as on page 1.

A cursor is the last id of the previous page, opaque to clients (base64 of JSON) so that the
ordering can change later without breaking them.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from cases.errors import InvalidInputError
from cases.messages import said

T = TypeVar("T")


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id to continue after; raise :class:`InvalidInputError` for a cursor we did not issue."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise InvalidInputError([said("cursor: not a cursor returned by this API")]) from exc
    if not isinstance(value, int):
        raise InvalidInputError([said("cursor: not a cursor returned by this API")])
    return value


class Page(BaseModel, Generic[T]):
    """One page of results; pass ``next_cursor`` back as ``cursor`` for the next page."""

    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None = None
    limit: int = 50
