"""The roles of API keys (a module of its own: the command line names them without loading the store)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What a key may do. Roles are ordered: each includes the rights of the ones before it."""

    SUBMITTER = "submitter"  # an association's staff: submit sites, see their own data
    OPERATOR = "operator"  # reviews the takedown queue: sees every association's data
    ADMIN = "admin"  # manages associations and keys

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank
