"""Opening cases when a resolution finds parties who can act on a site."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.infra.models import ResolutionSnapshot
from cases.providers.services import entries_from_abuse_contacts, find_provider, seed_providers
from cases.takedown.models import TakedownCase
from cases.takedown.services import open_case
from common.text import scrub


def open_cases_from_resolution(session: Session, actor: Actor, site_id: int) -> list[TakedownCase]:
    """Seed the directory from the site's latest resolution and open a case with each party found.

    Providers already in the directory keep what operators entered; only unknown ones are added
    from the resolution's abuse contacts.
    """
    snapshot = session.exec(
        select(ResolutionSnapshot)
        .where(col(ResolutionSnapshot.site_id) == site_id)
        .order_by(sa.desc(col(ResolutionSnapshot.resolved_at)))
    ).first()
    if snapshot is None:
        return []
    names = {"host": snapshot.host_organisation, "cdn": snapshot.cdn, "registrar": snapshot.registrar}
    entries = entries_from_abuse_contacts(snapshot.profile.get("abuse_contacts", []), names)
    # The host's country (from its network's registry) decides which law a notice to it relies on.
    hosting = snapshot.profile.get("hosting") or [{}]
    host_country = str(hosting[0].get("country") or "").upper()
    for entry in entries:
        if entry["kind"] == "host" and entry["name"] == scrub(snapshot.host_organisation) and host_country:
            entry.setdefault("country", host_country[:2])
    seed_providers(session, actor, entries)
    cases = []
    for entry in entries:
        provider = find_provider(session, entry["name"])
        if provider is not None and provider.id is not None:
            cases.append(open_case(session, actor, site_id, provider.id, step=entry["kind"]))
    return cases
