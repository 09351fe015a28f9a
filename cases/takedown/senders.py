"""Associations' sender profiles: who signs their notices, and the statements they confirm."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from cases.audit.services import Actor, created, record, updated
from cases.db import utcnow
from cases.errors import NotFoundError
from cases.takedown.models import SenderProfile
from cases.tenants.models import Association


def get_sender_profile(session: Session, association_id: int) -> SenderProfile | None:
    """The association's sender profile, if it set one."""
    return session.get(SenderProfile, association_id)


def set_sender_profile(session: Session, actor: Actor, association_id: int, sender: dict[str, Any]) -> SenderProfile:
    """Replace the association's sender profile; each changed field is audited."""
    if session.get(Association, association_id) is None:
        raise NotFoundError(f"association {association_id} not found")
    profile = session.get(SenderProfile, association_id)
    if profile is None:
        profile = SenderProfile(association_id=association_id, sender=dict(sender))
        session.add(profile)
        record(session, actor, [created("sender_profile", association_id, dict(sender))])
    else:
        changes = [
            updated("sender_profile", association_id, key, profile.sender.get(key), sender.get(key))
            for key in sorted(set(profile.sender) | set(sender))
            if profile.sender.get(key) != sender.get(key)
        ]
        record(session, actor, changes)
        profile.sender, profile.updated_at = dict(sender), utcnow()
        session.add(profile)
    session.flush()
    return profile
