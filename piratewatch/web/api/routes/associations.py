"""``/api/v1/me`` and key management (admins)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, status
from pydantic import BaseModel

from cases.db import DbId
from cases.errors import NotFoundError
from cases.tenants.models import ApiKey, Association
from cases.tenants.roles import Role
from cases.tenants.services import create_api_key, get_association, list_api_keys, revoke_api_key
from piratewatch.web.api.deps import Admin, SessionDep, Submitter, request_id

router = APIRouter(prefix="/api/v1", tags=["tenants"])


class MeOut(BaseModel):
    association: str
    role: Role
    key_id: DbId


class KeyIn(BaseModel):
    association: str
    role: Role
    label: str = ""


class KeyOut(BaseModel):
    id: int
    association_id: DbId
    role: str
    label: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class KeyCreatedOut(KeyOut):
    key: str


def _key_out(key: ApiKey) -> KeyOut:
    return KeyOut(
        id=key.id or 0,
        association_id=key.association_id,
        role=key.role,
        label=key.label,
        prefix=key.prefix,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


@router.get("/me", response_model=MeOut)
def me(principal: Submitter, session: SessionDep) -> MeOut:
    """Who this key belongs to."""
    association = session.get(Association, principal.association_id)
    assert association is not None
    return MeOut(association=association.name, role=principal.role, key_id=principal.key_id)


@router.get("/keys", response_model=list[KeyOut])
def get_keys(principal: Admin, session: SessionDep) -> list[KeyOut]:
    """Every API key (admins). Secrets are never stored, so never shown."""
    return [_key_out(k) for k in list_api_keys(session)]


@router.post("/keys", response_model=KeyCreatedOut, status_code=status.HTTP_201_CREATED)
def post_key(
    body: KeyIn,
    request: Request,
    principal: Admin,
    session: SessionDep,
) -> KeyCreatedOut:
    """Create a key (admins). The secret is in this answer only."""
    association = get_association(session, body.association)
    key, secret = create_api_key(session, association, body.role, principal.actor(request_id(request)), body.label)
    return KeyCreatedOut(**_key_out(key).model_dump(), key=secret)


@router.delete("/keys/{key_id}", response_model=KeyOut)
def delete_key(
    key_id: DbId,
    request: Request,
    principal: Admin,
    session: SessionDep,
) -> KeyOut:
    """Revoke a key (admins); it stops working at once."""
    if session.get(ApiKey, key_id) is None:
        raise NotFoundError(f"no API key {key_id}")
    return _key_out(revoke_api_key(session, key_id, principal.actor(request_id(request))))
