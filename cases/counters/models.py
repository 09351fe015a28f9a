"""The table of operation counters."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field

from cases.base import SQLModel
from cases.db import UTCDateTime, utcnow


class OperationCounter(SQLModel, table=True):
    """One cumulative counter: a family's sample with one set of labels.

    ``labels`` is the canonical ``k=v,k=v`` form (keys sorted; empty when the family has none).
    Histograms are stored as their ``_bucket`` (with an ``le`` label), ``_sum`` and ``_count`` samples.
    """

    __tablename__ = "operation_counter"

    name: str = Field(sa_type=sa.String(100), primary_key=True)
    labels: str = Field(sa_type=sa.String(300), primary_key=True, default="")
    value: float = 0.0
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
