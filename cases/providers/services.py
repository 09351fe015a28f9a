"""Adding, editing and seeding providers (every change audited)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, col, select

from cases.audit.services import Actor, created, record, updated
from cases.db import utcnow
from cases.errors import ConflictError, InvalidInputError, NotFoundError
from cases.providers.models import Provider, ProviderKind

#: Fields an operator may set.
EDITABLE = (
    "kind",
    "country",
    "abuse_email",
    "abuse_form_url",
    "abuse_api_url",
    "accepted_formats",
    "expected_response_days",
)


def _check(values: Mapping[str, Any]) -> None:
    problems = []
    if "kind" in values and values["kind"] not in {k.value for k in ProviderKind}:
        problems.append(f"kind: must be one of {', '.join(k.value for k in ProviderKind)}")
    email = values.get("abuse_email")
    if email is not None and "@" not in email:
        problems.append("abuse_email: not an e-mail address")
    country = values.get("country")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        problems.append("country: must be an ISO 3166 alpha-2 code")
    days = values.get("expected_response_days")
    if days is not None and days < 0:
        problems.append("expected_response_days: must not be negative")
    if problems:
        raise InvalidInputError(problems)


def get_provider(session: Session, provider_id: int) -> Provider:
    """A provider by id; :class:`NotFoundError` if there is none."""
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFoundError(f"provider {provider_id} not found")
    return provider


def find_provider(session: Session, name: str) -> Provider | None:
    """The provider called `name` (exact), or None."""
    return session.exec(select(Provider).where(col(Provider.name) == name.strip())).first()


def add_provider(session: Session, actor: Actor, name: str, kind: str, **values: Any) -> Provider:
    """Add a provider; :class:`ConflictError` if the name is taken."""
    clean = name.strip()
    if not clean:
        raise InvalidInputError(["name: must not be empty"])
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInputError([f"{k}: unknown field" for k in sorted(unknown)])
    _check({"kind": kind, **values})
    if find_provider(session, clean) is not None:
        raise ConflictError(f"provider {clean!r} already exists")
    if values.get("country"):
        values["country"] = values["country"].upper()
    provider = Provider(name=clean, kind=ProviderKind(kind), **values)
    session.add(provider)
    session.flush()
    assert provider.id is not None
    record(session, actor, [created("provider", provider.id, {"name": clean, "kind": kind, **values})])
    return provider


def edit_provider(session: Session, actor: Actor, provider_id: int, **values: Any) -> Provider:
    """Change some fields of a provider (operators), one audit event per changed field."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInputError([f"{k}: unknown field" for k in sorted(unknown)])
    _check(values)
    if values.get("country"):
        values["country"] = values["country"].upper()
    provider = get_provider(session, provider_id)
    changes = []
    for name, value in values.items():
        old = getattr(provider, name)
        if old != value:
            changes.append(updated("provider", provider_id, name, old, value))
            setattr(provider, name, value)
    if changes:
        provider.updated_at = utcnow()
        record(session, actor, changes)
        session.add(provider)
    return provider


def seed_providers(session: Session, actor: Actor, entries: Iterable[Mapping[str, Any]]) -> list[Provider]:
    """Add the providers of `entries` that are not known yet (by name); known ones are left as operators edited them.

    `entries` are plain dicts (``name``, ``kind`` and any of :data:`EDITABLE`), e.g. the abuse
    contacts of a resolution snapshot's JSON, so this package never imports the resolver.
    """
    added = []
    for entry in entries:
        name = str(entry.get("name") or "").strip()
        if not name or find_provider(session, name) is not None:
            continue
        values = {k: entry[k] for k in EDITABLE if k in entry and k != "kind" and entry[k] is not None}
        added.append(add_provider(session, actor, name, str(entry.get("kind", "host")), **values))
    return added


def list_providers(session: Session, kind: str | None = None) -> list[Provider]:
    """Providers by name, optionally of one kind."""
    query = select(Provider).order_by(col(Provider.name))
    if kind:
        query = query.where(col(Provider.kind) == kind)
    return list(session.exec(query))


def entries_from_abuse_contacts(
    contacts: Iterable[Mapping[str, Any]], names: Mapping[str, str | None]
) -> list[dict[str, Any]]:
    """Provider entries (for :func:`seed_providers`) from a resolution's abuse contacts, as plain data.

    `contacts` are the ``abuse_contacts`` of a resolution snapshot's JSON (``party``, ``organisation``,
    ``kind``: email/form/api/phone, ``value``); `names` gives each party's name when a contact has no
    organisation (the snapshot's ``host_organisation``, ``cdn``, ``registrar``).
    """
    entries: dict[str, dict[str, Any]] = {}
    for contact in contacts:
        party = str(contact.get("party") or "")
        name = str(contact.get("organisation") or names.get(party) or "").strip()
        if not name or party not in {k.value for k in ProviderKind}:
            continue
        entry = entries.setdefault(name, {"name": name, "kind": party})
        field = {"email": "abuse_email", "form": "abuse_form_url", "api": "abuse_api_url"}.get(str(contact.get("kind")))
        if field and contact.get("value"):
            entry.setdefault(field, str(contact["value"]))
    for party, named in names.items():
        if named and named.strip() and party in {k.value for k in ProviderKind}:
            entries.setdefault(named.strip(), {"name": named.strip(), "kind": party})
    return list(entries.values())
