"""Adding, editing and seeding providers (every change audited)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, col, select

from cases.audit.services import Actor, created, record, updated
from cases.db import utcnow
from cases.errors import ConflictError, InvalidInputError, NotFoundError
from cases.messages import said
from cases.providers.models import Provider, ProviderKind
from common.text import UnsafeTextError, email_address, header_value, normalize_url, scrub

#: Fields an operator may set.
EDITABLE = (
    "kind",
    "country",
    "abuse_email",
    "abuse_form_url",
    "abuse_api_url",
    "dmca_agent_email",
    "accepted_formats",
    "expected_response_days",
    "crawl_names",
)


#: a service's name as the crawls record it (``google-adsense``, ``ko-fi``)
CRAWL_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")

#: fields that always hold a value: an edit may change them, never empty them
_REQUIRED = ("kind", "accepted_formats", "expected_response_days")


def _check(values: dict[str, Any]) -> None:
    """Refuse what a provider may not hold, naming each problem; normalise the rest in place.

    A provider's name and abuse address end up in a notice's "To:" line and in an e-mail's headers,
    so they must be one line, and the address one address (``abuse@host\r\nBcc: ...`` is refused).
    """
    problems = []
    for name in _REQUIRED:
        if name in values and values[name] is None:
            problems.append(f"{name}: may not be null")
    if values.get("kind") is not None and values["kind"] not in {k.value for k in ProviderKind}:
        problems.append(f"kind: must be one of {', '.join(k.value for k in ProviderKind)}")
    for name in ("abuse_email", "dmca_agent_email"):
        if values.get(name) is not None:
            try:
                values[name] = email_address(str(values[name]))
            except UnsafeTextError as exc:
                problems.append(f"{name}: {exc}")
    for name in ("abuse_form_url", "abuse_api_url"):
        if values.get(name) is not None:
            try:
                values[name] = normalize_url(str(values[name]))
            except UnsafeTextError as exc:
                problems.append(f"{name}: {exc}")
    country = values.get("country")
    if country is not None and (not isinstance(country, str) or len(country) != 2 or not country.isalpha()):
        problems.append("country: must be an ISO 3166 alpha-2 code")
    elif country is not None:
        values["country"] = country.upper()
    formats = values.get("accepted_formats")
    if formats is not None and (
        not isinstance(formats, list) or not all(isinstance(f, str) and f.isidentifier() for f in formats)
    ):
        problems.append("accepted_formats: a list of template names (letters, digits and _)")
    names = values.get("crawl_names")
    if names is not None and (
        not isinstance(names, list)
        or len(names) > 20
        or not all(isinstance(n, str) and CRAWL_NAME.fullmatch(n) for n in names)
    ):
        problems.append("crawl_names: at most 20 names as crawls give them (a-z, 0-9 and -, e.g. adsterra, paypal)")
    days = values.get("expected_response_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 365):
        problems.append("expected_response_days: a whole number of days from 0 to 365")
    if problems:
        raise InvalidInputError(problems)


def _name(name: str) -> str:
    try:
        clean = header_value(name)
    except UnsafeTextError as exc:
        raise InvalidInputError([f"name: {exc}"]) from exc
    if not clean:
        raise InvalidInputError([said("name: must not be empty")])
    return clean


def get_provider(session: Session, provider_id: int) -> Provider:
    """A provider by id; :class:`NotFoundError` if there is none."""
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFoundError(said("provider {provider} not found", provider=provider_id))
    return provider


def find_provider(session: Session, name: str) -> Provider | None:
    """The provider called `name` (exact), or None."""
    return session.exec(select(Provider).where(col(Provider.name) == name.strip())).first()


def add_provider(session: Session, actor: Actor, name: str, kind: str, **values: Any) -> Provider:
    """Add a provider; :class:`ConflictError` if the name is taken."""
    clean = _name(name)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInputError([said("{field}: unknown field", field=k) for k in sorted(unknown)])
    values = {k: v for k, v in values.items() if v is not None or k in _REQUIRED}
    checked = {**values, "kind": kind}
    _check(checked)
    values = {k: v for k, v in checked.items() if k != "kind"}
    if find_provider(session, clean) is not None:
        raise ConflictError(said("provider {name!r} already exists", name=clean))
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
        raise InvalidInputError([said("{field}: unknown field", field=k) for k in sorted(unknown)])
    values = dict(values)
    _check(values)
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
        name = scrub(entry.get("name"), max_length=300)
        if not name or find_provider(session, name) is not None:
            continue
        values = {k: entry[k] for k in EDITABLE if k in entry and k != "kind" and entry[k] is not None}
        try:
            _check(values)
        except InvalidInputError:
            # An entry from a registry answer: what it says wrongly is left out, the provider still added.
            values = {k: v for k, v in values.items() if _valid(k, v)}
        added.append(add_provider(session, actor, name, str(entry.get("kind", "host")), **values))
    return added


def _valid(name: str, value: Any) -> bool:
    try:
        _check({name: value})
    except InvalidInputError:
        return False
    return True


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
        # Registry data is hostile: a name with line breaks would become lines of a notice.
        name = scrub(contact.get("organisation"), max_length=300) or scrub(names.get(party), max_length=300) or ""
        if not name or party not in {k.value for k in ProviderKind}:
            continue
        entry = entries.setdefault(name, {"name": name, "kind": party})
        field = {"email": "abuse_email", "form": "abuse_form_url", "api": "abuse_api_url"}.get(str(contact.get("kind")))
        if field and contact.get("value"):
            entry.setdefault(field, str(contact["value"]))
    for party, named in names.items():
        clean = scrub(named, max_length=300)
        if clean and party in {k.value for k in ProviderKind}:
            entries.setdefault(clean, {"name": clean, "kind": party})
    return list(entries.values())
