"""Reading RDAP answers (RFC 9083) as registries really write them.

Registries nest the abuse contact at different depths (inside the registrar entity for gTLD domains,
inside the organisation entity for ARIN networks), write vCard arrays with odd shapes, and fill
privacy placeholders ("REDACTED FOR PRIVACY"). Every member is read through
:class:`resolver.rdap_shape.Shape`: a member of the wrong type is a *problem* naming the field, and
the rest of the answer is still read. Only an answer that is not the object asked for at all (not a
JSON object, an RDAP error object or a search result served with HTTP 200, another object class,
nested deeper than :data:`~resolver.rdap_shape.MAX_DEPTH`) raises :class:`RdapFormatError`. The
client records both as failures naming the server.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from common.text import UnsafeTextError, normalize_url
from resolver.errors import RdapFormatError
from resolver.rdap_networks import cidrs_of
from resolver.rdap_shape import MAX_DEPTH, Shape, depth_of

_PLACEHOLDER = re.compile(
    r"redacted|data protected|not disclosed|withheld|privacy|gdpr|please query|non-public|statutory masking",
    re.IGNORECASE,
)
#: entities nested deeper than this are not read (registrar → abuse contact is two levels)
_ENTITY_DEPTH = 8
#: entities read per answer (real answers have a few dozen); the rest are a problem, not a stall
MAX_ENTITIES = 1000
_SEARCH_RESULTS = ("domainSearchResults", "ipSearchResults", "entitySearchResults", "nameserverSearchResults")


def is_placeholder(value: str | None) -> bool:
    """True for empty values and privacy placeholders, which must never be reported as contacts."""
    return value is None or not value.strip() or bool(_PLACEHOLDER.search(value))


@dataclass
class Contact:
    roles: list[str]
    name: str | None = None
    organisation: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    handle: str | None = None
    is_org: bool = False


def _vcard_fields(vcard: Any, path: str, shape: Shape) -> Iterator[tuple[str, list[Any]]]:
    """(property name, values) of a jCard (RFC 7095): ``["vcard", [[name, params, type, value, ...], ...]]``."""
    if vcard is None or not (isinstance(vcard, list) and len(vcard) == 2 and isinstance(vcard[1], list)):
        shape.problem(path, 'not a jCard (RFC 7095: ["vcard", [properties]])')
        return
    for i, prop in enumerate(vcard[1]):
        if isinstance(prop, list) and len(prop) >= 4 and isinstance(prop[0], str):
            yield prop[0].lower(), prop[3:]
        else:
            shape.problem(f"{path}[1][{i}]", "not a jCard property [name, parameters, type, value]")


def _joined(values: list[Any]) -> str | None:
    """A property's values as one string: a phone may come as several values ("+7", "495", "1234567")."""
    parts: list[str] = []
    for value in values:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):  # a structured value
            parts += [v for v in value if isinstance(v, str)]
    text = " ".join(p.strip() for p in parts if p.strip())
    return text or None


def contact_of(entity: dict[str, Any], path: str, shape: Shape) -> Contact:
    """The names, e-mails and phones of one entity (placeholders dropped)."""
    roles = [r.lower() for r in shape.strings(entity, "roles", path)]
    contact = Contact(roles=roles, handle=shape.text(entity, "handle", path))
    if "vcardArray" not in entity:
        return contact
    for name, values in _vcard_fields(entity["vcardArray"], f"{path}.vcardArray", shape):
        raw = _joined(values) if name == "tel" else (values[0] if isinstance(values[0], str) else None)
        if raw is None and name in ("fn", "org", "email", "tel"):
            shape.problem(f"{path}.vcardArray {name}", "the value is not a string")
            continue
        text = shape.as_text(raw, f"{path}.vcardArray {name}") if raw is not None else None
        if name == "fn" and not is_placeholder(text):
            contact.name = text
        elif name == "kind" and text == "org":
            contact.is_org = True
        elif name == "org" and not is_placeholder(text):
            contact.organisation = text
        elif name == "email" and not is_placeholder(text) and text and "@" in text:
            contact.emails.append(text.strip().lower())
        elif name == "tel":
            number = text.removeprefix("tel:") if text else None
            if not is_placeholder(number) and number:
                contact.phones.append(number.strip())
    return contact


def walk_entities(
    obj: dict[str, Any], path: str, shape: Shape
) -> Iterator[tuple[str, dict[str, Any], Contact, list[Contact]]]:
    """Every entity under `obj`: its path, itself, its contact and its parents' contacts (nearest first).

    Iterative, and no deeper than :data:`_ENTITY_DEPTH`: an answer cannot exhaust the stack.
    """
    stack: list[tuple[dict[str, Any], str, list[Contact]]] = [(obj, path, [])]
    left = MAX_ENTITIES
    while stack:
        node, where, parents = stack.pop()
        if len(parents) >= _ENTITY_DEPTH:
            continue
        children = shape.objects(node, "entities", where, limit=left)
        left -= len(children)
        found = [(child_path, child, contact_of(child, child_path, shape), parents) for child_path, child in children]
        yield from found
        stack.extend((child, child_path, [contact, *chain]) for child_path, child, contact, chain in reversed(found))


def _date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def events(obj: dict[str, Any], shape: Shape) -> dict[str, dt.datetime]:
    out: dict[str, dt.datetime] = {}
    for where, event in shape.objects(obj, "events", ""):
        action = shape.text(event, "eventAction", where)
        when = _date(event.get("eventDate"))
        if "eventDate" in event and when is None:
            shape.problem(f"{where}.eventDate", "not an RFC 3339 date")
        if when and action:
            out.setdefault(action.lower(), when)
    return out


def _url(value: str | None, path: str, shape: Shape) -> str | None:
    if value is None:
        return None
    try:
        return normalize_url(value)
    except UnsafeTextError as exc:
        shape.problem(path, f"not a usable URL ({exc})")
        return None


def related_links(obj: dict[str, Any], shape: Shape) -> list[str]:
    """``related`` RDAP links (the registrar's own RDAP server for thin registries), as usable URLs."""
    out = []
    for where, link in shape.objects(obj, "links", ""):
        rel, kind = shape.text(link, "rel", where), shape.text(link, "type", where)
        if rel == "related" and "rdap" in (kind or "application/rdap+json"):
            url = _url(shape.text(link, "href", where, max_length=2000), f"{where}.href", shape)
            if url:
                out.append(url)
    return out


def check_object(answer: Any, expected: str, member: str) -> dict[str, Any]:
    """`answer` if it is an RDAP object of class `expected`; :class:`RdapFormatError` saying what it is otherwise."""
    if not isinstance(answer, dict):
        raise RdapFormatError("the answer is not a JSON object")
    if "errorCode" in answer:
        title = Shape().as_text(answer.get("title"), "title") or "no title"
        raise RdapFormatError(
            f"an RDAP error object (errorCode {str(answer['errorCode'])[:20]}: {title}), not a {expected}"
        )
    for key in _SEARCH_RESULTS:
        if key in answer:
            raise RdapFormatError(f"a search result ({key}), not a {expected} object")
    if depth_of(answer) > MAX_DEPTH:
        raise RdapFormatError(f"nested deeper than {MAX_DEPTH} levels")
    klass = answer.get("objectClassName")
    if klass is None and member not in answer:
        raise RdapFormatError(f"no objectClassName and no {member}: not a {expected} object")
    if klass is not None and klass != expected:
        raise RdapFormatError(f"expected a {expected} object, got {str(klass)[:40]!r}")
    return answer


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))  # linear, order kept


@dataclass
class DomainFacts:
    registrar: str | None = None
    registrar_iana_id: str | None = None
    registrar_url: str | None = None
    abuse_emails: list[str] = field(default_factory=list)
    abuse_phones: list[str] = field(default_factory=list)
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    expires: dt.datetime | None = None
    statuses: list[str] = field(default_factory=list)
    nameservers: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    #: members of the wrong type, each naming the field (recorded as failures by the client)
    problems: list[str] = field(default_factory=list)


def _registrar_of(entity: dict[str, Any], where: str, contact: Contact, facts: DomainFacts, shape: Shape) -> None:
    facts.registrar = contact.organisation or contact.name or facts.registrar
    for id_path, public_id in shape.objects(entity, "publicIds", where):
        if "iana" in (shape.text(public_id, "type", id_path) or "").lower():
            identifier = public_id.get("identifier")
            if isinstance(identifier, int) and not isinstance(identifier, bool):
                facts.registrar_iana_id = str(identifier)
            else:
                facts.registrar_iana_id = shape.text(public_id, "identifier", id_path, max_length=20)
    for link_path, link in shape.objects(entity, "links", where):
        if shape.text(link, "rel", link_path) in ("about", "self") and facts.registrar_url is None:
            href = shape.text(link, "href", link_path, max_length=2000)
            facts.registrar_url = _url(href, f"{link_path}.href", shape)


def parse_domain(answer: Any) -> DomainFacts:
    """Registrar, its abuse contact, dates, statuses and name servers of an RDAP domain object."""
    obj = check_object(answer, "domain", "ldhName")
    shape = Shape()
    facts = DomainFacts()
    when = events(obj, shape)
    facts.created = when.get("registration")
    facts.updated = when.get("last changed") or when.get("last update")
    facts.expires = when.get("expiration")
    facts.statuses = _unique(shape.strings(obj, "status", ""))
    names = (shape.text(n, "ldhName", where, max_length=253) for where, n in shape.objects(obj, "nameservers", ""))
    facts.nameservers = sorted({n.rstrip(".").lower() for n in names if n})
    facts.related = related_links(obj, shape)
    emails: list[str] = []
    phones: list[str] = []
    for where, entity, contact, parents in walk_entities(obj, "", shape):
        if "registrar" in contact.roles and not parents:
            _registrar_of(entity, where, contact, facts, shape)
        if "abuse" in contact.roles and (not parents or any("registrar" in p.roles for p in parents)):
            emails += contact.emails
            phones += contact.phones
    facts.abuse_emails, facts.abuse_phones = _unique(emails), _unique(phones)
    facts.problems = shape.all_problems()
    return facts


@dataclass
class NetworkFacts:
    name: str | None = None
    handle: str | None = None
    #: the first of `cidrs` (what a profile shows as the network's range)
    cidr: str | None = None
    #: every CIDR of the network (ARIN describes many networks as several)
    cidrs: list[str] = field(default_factory=list)
    country: str | None = None
    organisation: str | None = None
    abuse_emails: list[str] = field(default_factory=list)
    abuse_phones: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_network(answer: Any) -> NetworkFacts:
    """Name, range, country, holder and abuse contact of an RDAP IP network object."""
    obj = check_object(answer, "ip network", "startAddress")
    shape = Shape()
    cidrs, shown = cidrs_of(obj, shape)
    facts = NetworkFacts(
        name=shape.text(obj, "name", ""),
        handle=shape.text(obj, "handle", ""),
        country=shape.text(obj, "country", "", max_length=8),
        cidr=shown,
        cidrs=cidrs,
    )
    emails: list[str] = []
    phones: list[str] = []
    for _where, _entity, contact, _parents in walk_entities(obj, "", shape):
        holder = {"registrant", "administrative"} & set(contact.roles) or (
            contact.is_org and "abuse" not in contact.roles
        )
        if facts.organisation is None and holder:
            facts.organisation = contact.organisation or contact.name
        if "abuse" in contact.roles:
            emails += contact.emails
            phones += contact.phones
    facts.abuse_emails, facts.abuse_phones = _unique(emails), _unique(phones)
    facts.problems = shape.all_problems()
    return facts
