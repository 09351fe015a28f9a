"""Reading RDAP answers (RFC 9083) as registries really write them.

Everything here is defensive: registries nest the abuse contact at different depths (inside the
registrar entity for gTLD domains, inside the organisation entity for ARIN networks), write vCard
arrays with odd shapes, and fill privacy placeholders ("REDACTED FOR PRIVACY"). A shape we cannot
read raises :class:`RdapFormatError`, which the client records as a failure.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from resolver.errors import RdapFormatError

_PLACEHOLDER = re.compile(
    r"redacted|data protected|not disclosed|withheld|privacy|gdpr|please query|non-public|statutory masking",
    re.IGNORECASE,
)


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


def _vcard_fields(vcard: Any) -> Iterator[tuple[str, Any]]:
    if not isinstance(vcard, list) or len(vcard) != 2 or not isinstance(vcard[1], list):
        return
    for prop in vcard[1]:
        if isinstance(prop, list) and len(prop) >= 4 and isinstance(prop[0], str):
            yield prop[0].lower(), prop[3]


def contact_of(entity: dict[str, Any]) -> Contact:
    """The names, e-mails and phones of one entity (placeholders dropped)."""
    roles = [r for r in entity.get("roles", []) if isinstance(r, str)]
    contact = Contact(roles=roles, handle=entity.get("handle") if isinstance(entity.get("handle"), str) else None)
    for name, value in _vcard_fields(entity.get("vcardArray")):
        text = value if isinstance(value, str) else None
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


def walk_entities(obj: dict[str, Any], depth: int = 0) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Every entity under `obj`, with its chain of parent entities (nested to any depth)."""
    entities = obj.get("entities", [])
    if not isinstance(entities, list) or depth > 8:
        return
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        yield entity, []
        for child, parents in walk_entities(entity, depth + 1):
            yield child, [entity, *parents]


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


def events(obj: dict[str, Any]) -> dict[str, dt.datetime]:
    out: dict[str, dt.datetime] = {}
    for event in obj.get("events", []) if isinstance(obj.get("events"), list) else []:
        if isinstance(event, dict):
            when = _date(event.get("eventDate"))
            if when and isinstance(event.get("eventAction"), str):
                out.setdefault(event["eventAction"].lower(), when)
    return out


def related_links(obj: dict[str, Any]) -> list[str]:
    """``related`` RDAP links (the registrar's own RDAP server for thin registries)."""
    out = []
    for link in obj.get("links", []) if isinstance(obj.get("links"), list) else []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "related"
            and isinstance(link.get("href"), str)
            and "rdap" in str(link.get("type", "application/rdap+json"))
        ):
            out.append(link["href"])
    return out


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


def parse_domain(answer: Any) -> DomainFacts:
    """Registrar, its abuse contact, dates, statuses and name servers of an RDAP domain object."""
    if not isinstance(answer, dict):
        raise RdapFormatError("the answer is not a JSON object")
    if answer.get("objectClassName") not in (None, "domain"):
        raise RdapFormatError(f"expected a domain object, got {answer.get('objectClassName')!r}")
    nameservers_raw = answer.get("nameservers", [])
    if not isinstance(nameservers_raw, list) or not all(isinstance(n, dict) for n in nameservers_raw):
        raise RdapFormatError("'nameservers' is not a list of nameserver objects")
    entities = answer.get("entities", [])
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise RdapFormatError("'entities' is not a list of entity objects")
    for entity in entities:
        vcard = entity.get("vcardArray")
        if vcard is not None and not (isinstance(vcard, list) and len(vcard) == 2 and isinstance(vcard[1], list)):
            raise RdapFormatError("an entity's 'vcardArray' is not a jCard (RFC 7095)")
    facts = DomainFacts()
    when = events(answer)
    facts.created = when.get("registration")
    facts.updated = when.get("last changed") or when.get("last update")
    facts.expires = when.get("expiration")
    facts.statuses = [s for s in answer.get("status", []) if isinstance(s, str)]
    facts.nameservers = sorted(
        {str(n.get("ldhName", "")).rstrip(".").lower() for n in nameservers_raw if n.get("ldhName")}
    )
    facts.related = related_links(answer)
    for entity, parents in walk_entities(answer):
        contact = contact_of(entity)
        if "registrar" in contact.roles and not parents:
            facts.registrar = contact.organisation or contact.name or facts.registrar
            for public_id in entity.get("publicIds", []) if isinstance(entity.get("publicIds"), list) else []:
                if isinstance(public_id, dict) and "iana" in str(public_id.get("type", "")).lower():
                    facts.registrar_iana_id = str(public_id.get("identifier"))
            for link in entity.get("links", []) if isinstance(entity.get("links"), list) else []:
                if (
                    isinstance(link, dict)
                    and link.get("rel") in ("about", "self")
                    and isinstance(link.get("href"), str)
                ):
                    facts.registrar_url = facts.registrar_url or link["href"]
        if "abuse" in contact.roles and (not parents or any("registrar" in p.get("roles", []) for p in parents)):
            facts.abuse_emails += [e for e in contact.emails if e not in facts.abuse_emails]
            facts.abuse_phones += [p for p in contact.phones if p not in facts.abuse_phones]
    return facts


@dataclass
class NetworkFacts:
    name: str | None = None
    handle: str | None = None
    cidr: str | None = None
    country: str | None = None
    organisation: str | None = None
    abuse_emails: list[str] = field(default_factory=list)
    abuse_phones: list[str] = field(default_factory=list)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address as registries write it; old ARIN answers zero-pad IPv4 octets ("074.125.000.000")."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        parts = text.split(".")
        if len(parts) == 4 and all(p.isdigit() for p in parts):
            return ipaddress.IPv4Address(".".join(str(int(p)) for p in parts))
        raise


def _cidrs(answer: dict[str, Any]) -> str | None:
    cidrs = answer.get("cidr0_cidrs")
    if isinstance(cidrs, list):
        for c in cidrs:
            if isinstance(c, dict):
                prefix = c.get("v4prefix") or c.get("v6prefix")
                if prefix is not None and c.get("length") is not None:
                    return f"{prefix}/{c['length']}"
    start, end = answer.get("startAddress"), answer.get("endAddress")
    if isinstance(start, str) and isinstance(end, str):
        try:
            nets = list(ipaddress.summarize_address_range(_address(start), _address(end)))
        except (ValueError, TypeError):
            return None
        return str(nets[0]) if len(nets) == 1 else f"{start} - {end}"
    return None


def parse_network(answer: Any) -> NetworkFacts:
    """Name, range, country, holder and abuse contact of an RDAP IP network object."""
    if not isinstance(answer, dict):
        raise RdapFormatError("the answer is not a JSON object")
    if answer.get("objectClassName") not in (None, "ip network"):
        raise RdapFormatError(f"expected an ip network object, got {answer.get('objectClassName')!r}")
    facts = NetworkFacts(
        name=answer.get("name") if isinstance(answer.get("name"), str) else None,
        handle=answer.get("handle") if isinstance(answer.get("handle"), str) else None,
        country=answer.get("country") if isinstance(answer.get("country"), str) else None,
        cidr=_cidrs(answer),
    )
    for entity, _parents in walk_entities(answer):
        contact = contact_of(entity)
        holder = {"registrant", "administrative"} & set(contact.roles) or (
            contact.is_org and "abuse" not in contact.roles
        )
        if facts.organisation is None and holder:
            facts.organisation = contact.organisation or contact.name
        if "abuse" in contact.roles:
            facts.abuse_emails += [e for e in contact.emails if e not in facts.abuse_emails]
            facts.abuse_phones += [p for p in contact.phones if p not in facts.abuse_phones]
    return facts


def quota_warning(answer: Any) -> str | None:
    """A rate-limit or quota warning that some servers put inside a 200 answer's notices."""
    if not isinstance(answer, dict):
        return None
    for key in ("notices", "remarks"):
        for notice in answer.get(key, []) if isinstance(answer.get(key), list) else []:
            if not isinstance(notice, dict):
                continue
            text = " ".join(
                str(x) for x in [notice.get("title", ""), *(notice.get("description") or [])] if isinstance(x, str)
            )
            if re.search(r"rate.?limit|quota|too many (requests|queries)|limit exceeded", text, re.IGNORECASE):
                return text[:300]
    return None
