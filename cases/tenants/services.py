"""Associations, API keys and authentication."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.services import Actor, created, record, updated
from cases.base import table_of
from cases.db import utcnow
from cases.errors import ConflictError, InvalidInputError, NotFoundError
from cases.tenants.models import ApiKey, Association
from cases.tenants.roles import Role

KEY_PREFIX = "pw_"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: which key, which association, which role."""

    key_id: int
    association_id: int
    role: Role

    @property
    def sees_everything(self) -> bool:
        """Operators and admins see every association's data; submitters only their own."""
        return self.role.at_least(Role.OPERATOR)

    def actor(self, request_id: str | None = None) -> Actor:
        return Actor(f"key:{self.key_id}", self.association_id, request_id)


def hash_key(secret: str) -> str:
    """The stored form of an API key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_association(session: Session, name: str, actor: Actor) -> Association:
    """Create an association; raise :class:`ConflictError` if the name is taken."""
    clean = name.strip()
    if not clean:
        raise InvalidInputError(["association name: must not be empty"])
    if session.exec(select(Association).where(col(Association.name) == clean)).first() is not None:
        raise ConflictError(f"association {clean!r} already exists")
    association = Association(name=clean)
    session.add(association)
    session.flush()
    assert association.id is not None
    record(session, actor, [created("association", association.id, {"name": clean})])
    return association


def get_association(session: Session, name: str) -> Association:
    """The association called `name`; raise :class:`NotFoundError` if there is none."""
    association = session.exec(select(Association).where(col(Association.name) == name.strip())).first()
    if association is None:
        raise NotFoundError(f"no association named {name!r}")
    return association


def create_api_key(
    session: Session, association: Association, role: Role, actor: Actor, label: str = ""
) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the secret, which is not stored and cannot be shown again."""
    assert association.id is not None
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        association_id=association.id,
        role=role,
        label=label,
        prefix=secret[: len(KEY_PREFIX) + 8],
        key_hash=hash_key(secret),
    )
    session.add(key)
    session.flush()
    assert key.id is not None
    record(
        session,
        actor,
        [created("api_key", key.id, {"association_id": association.id, "role": role.value, "label": label})],
    )
    return key, secret


def revoke_api_key(session: Session, key_id: int, actor: Actor) -> ApiKey:
    """Revoke a key at once; requests with it get 401 from then on."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFoundError(f"no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(session, actor, [updated("api_key", key_id, "revoked_at", None, key.revoked_at)])
    return key


# Built once, of plain columns: every request authenticates, and building a statement or loading
# an ORM object costs more than running the query.
_KEYS = table_of(ApiKey)
_KEY_BY_HASH = sa.select(_KEYS.c.id, _KEYS.c.association_id, _KEYS.c.role, _KEYS.c.revoked_at).where(
    _KEYS.c.key_hash == sa.bindparam("key_hash")
)


def authenticate(session: Session, secret: str | None) -> Principal | None:
    """The principal for an API key, or None if the key is unknown or revoked."""
    if not secret or not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    key = session.execute(_KEY_BY_HASH, {"key_hash": hash_key(secret)}).first()
    if key is None or key.revoked_at is not None:
        return None
    return Principal(key.id, key.association_id, Role(key.role))


def list_api_keys(session: Session, association_id: int | None = None) -> list[ApiKey]:
    """Keys, newest first (secrets are never stored, so never listed)."""
    query = select(ApiKey).order_by(sa.desc(col(ApiKey.id)))
    if association_id is not None:
        query = query.where(col(ApiKey.association_id) == association_id)
    return list(session.exec(query))
