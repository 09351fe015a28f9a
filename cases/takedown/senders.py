"""Associations' sender profiles: who signs their notices, and the statements they confirm.

A notice's statements and signature come from here only (:func:`notice_sender`): an operator drafting a
notice can give other details for it, never a statement.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from cases.audit.services import Actor, created, record, updated
from cases.db import utcnow
from cases.errors import InvalidInputError, NotFoundError
from cases.takedown.models import SenderProfile
from cases.takedown.schemas import SenderDetails
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


#: What only the association says, in its own sender profile: the legal statements, the signature
#: under them and the capacity it acts in (holder, agent with a mandate, through a trusted organisation). A notice's other details (a contact person, say) an operator may set for one notice.
PROFILE_ONLY = frozenset(
    {
        "good_faith",
        "accuracy_under_perjury",
        "bona_fide",
        "truth_statement",
        "signature",
        # a status a Digital Services Coordinator awarded the association (DSA Art. 22), never claimed per notice
        "trusted_flagger_coordinator",
        "trusted_flagger_awarded_on",
        "trusted_flagger_expertise",
    }
)


def notice_sender(session: Session, association_id: int, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sender of a new notice of the association: its stored profile, with `details` for this notice.

    `details` (what an operator gives through ``POST /notices`` or ``notices draft --sender``) may not
    carry a statement or the signature: those come only from the profile the association set
    (:class:`InvalidInputError` naming each one given). Every other detail is checked as the profile's
    own fields are (type, length) and, when not empty, replaces the profile's for this notice.
    """
    given = dict(details or {})
    problems = [
        f"sender.{key}: only the association makes it, in its sender profile "
        f"(PUT /api/v1/associations/{association_id}/sender-profile)"
        for key in sorted(given)
        if key in PROFILE_ONLY
    ]
    rest = {k: v for k, v in given.items() if k not in PROFILE_ONLY}
    try:
        checked = SenderDetails.model_validate(rest).model_dump(include=set(rest))
    except ValidationError as exc:
        problems += [f"sender.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        checked = {}
    if problems:
        raise InvalidInputError(problems)
    profile = get_sender_profile(session, association_id)
    stored = dict(profile.sender) if profile is not None else {}
    return {**stored, **{k: v for k, v in checked.items() if v not in ("", None)}}
