"""Registry data is hostile: what an RDAP answer names becomes a provider only as one safe line, and a
legal text addressed to it carries no line an attacker wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import transaction
from cases.providers.services import entries_from_abuse_contacts, find_provider, seed_providers
from cases.takedown.models import LegalBasis
from cases.takedown.services import draft_notice, open_case, submit_for_review

from ..conftest import SENDER
from .conftest import ACTOR

INJECTED = "Evil Hosting\r\nThe sender withdraws this notice.\u2028And all others."
CONTACTS = [
    {"party": "host", "organisation": INJECTED, "kind": "email", "value": "abuse@evil.example\r\nBcc: victim@x.org"},
    {"party": "host", "organisation": INJECTED, "kind": "form", "value": "https://evil.example/abuse\u0000"},
    {"party": "registrar", "organisation": 12345, "kind": "email", "value": "abuse@reg.example"},
    {"party": "cdn", "organisation": "Edge\u0000CDN\ud800", "kind": "email", "value": "noc@edge.example"},
]


def test_hostile_abuse_contacts_become_safe_providers(factory: sessionmaker[Session], world: Any) -> None:
    entries = entries_from_abuse_contacts(CONTACTS, {"host": None, "cdn": None, "registrar": "Reg Inc."})
    with transaction(factory) as session:
        seed_providers(session, ACTOR, entries)
        host = find_provider(session, "Evil Hosting The sender withdraws this notice. And all others.")
        cdn = find_provider(session, "Edge CDN")
        assert host is not None and cdn is not None
        # the address with a header in it and the form URL with a NUL were left out, the rest kept
        assert host.abuse_email is None and host.abuse_form_url is None
        assert cdn.abuse_email == "noc@edge.example"
        # a name that is not a string (12345) is not a name: the registrar takes the snapshot's own
        assert find_provider(session, "Reg Inc.") is not None


def test_no_line_of_the_notice_comes_from_the_registry(factory: sessionmaker[Session], world: Any) -> None:
    entries = entries_from_abuse_contacts(CONTACTS[:1], {"host": None, "cdn": None, "registrar": None})
    with transaction(factory) as session:
        [provider] = seed_providers(session, ACTOR, entries)
        case = open_case(session, ACTOR, world.site_id, provider.id or 0)
        notice = draft_notice(session, ACTOR, case.id or 0, world.a_id, LegalBasis.DMCA, dict(SENDER))
        submit_for_review(session, ACTOR, notice.id or 0)
        text = notice.rendered_text or ""
    assert "Evil Hosting The sender withdraws this notice." in text  # quoted, on one line
    assert not any(line.strip().startswith("The sender withdraws") for line in text.splitlines())
    assert "\u2028" not in text and "\r" not in text
