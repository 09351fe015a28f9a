"""The metadata every table of the store registers on, with its constraint naming convention."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlmodel import SQLModel

from cases.db import NAMING_CONVENTION

# Set before any table is declared: names are fixed when a constraint is created.
SQLModel.metadata.naming_convention = NAMING_CONVENTION

metadata = SQLModel.metadata

__all__ = ["SQLModel", "metadata", "table_of"]


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a model (for bulk statements that skip the ORM)."""
    return cast(sa.Table, model.__table__)  # type: ignore[attr-defined]
