"""Reading operation counters (the metrics collector does, at scrape time)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from cases.base import table_of
from cases.counters.models import OperationCounter


def all_counts(session: Session) -> list[tuple[str, str, float]]:
    """Every stored counter as ``(name, labels, value)``."""
    table = table_of(OperationCounter)
    return [
        (str(n), str(lb), float(v))
        for n, lb, v in session.execute(sa.select(table.c.name, table.c.labels, table.c.value).order_by(table.c.name))
    ]
