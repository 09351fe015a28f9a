"""Reading associations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.tenants.models import Association


def association_choices(session: Session) -> list[tuple[int, str]]:
    """Every association, by name (the queue's filter)."""
    return [
        (int(i), str(n))
        for i, n in session.execute(
            sa.select(col(Association.id), col(Association.name)).order_by(col(Association.name))
        )
    ]
