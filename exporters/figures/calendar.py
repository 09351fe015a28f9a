"""Calendar months in a time zone."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

_LABEL = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA time zone `name`; ValueError with a clear message when there is none."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Asia/Tokyo or UTC)") from exc


@dataclass(frozen=True)
class Month:
    """One calendar month in one time zone: ``[start, end)``."""

    year: int
    month: int
    tz: zoneinfo.ZoneInfo

    @classmethod
    def parse(cls, label: str, tz: zoneinfo.ZoneInfo) -> Month:
        """The month `label` (``YYYY-MM``)."""
        found = _LABEL.match(label.strip())
        if found is None:
            raise ValueError(f"{label!r} is not a month: write it as YYYY-MM, e.g. 2026-10")
        return cls(int(found.group(1)), int(found.group(2)), tz)

    @classmethod
    def containing(cls, when: dt.datetime, tz: zoneinfo.ZoneInfo) -> Month:
        """The month `when` falls in, in `tz`."""
        local = when.astimezone(tz)
        return cls(local.year, local.month, tz)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.datetime:
        """Midnight on the first day, in the month's time zone."""
        return dt.datetime(self.year, self.month, 1, tzinfo=self.tz)

    @property
    def end(self) -> dt.datetime:
        """The start of the next month (excluded)."""
        return self.shift(1).start

    def shift(self, months: int) -> Month:
        """The month `months` later (earlier when negative)."""
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1, self.tz)

    def span(self, count: int) -> list[Month]:
        """The `count` months ending with this one, oldest first."""
        return [self.shift(-i) for i in range(count - 1, -1, -1)]

    def __str__(self) -> str:
        return self.label
