"""The provider directory: seeded from a resolution's abuse contacts (plain data), edited by operators."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.db import transaction
from cases.errors import InvalidInputError
from cases.infra.models import ResolutionSnapshot
from cases.providers.services import add_provider, edit_provider, find_provider
from cases.sites.models import Domain
from cases.takedown.opening import open_cases_from_resolution

ACTOR = Actor("test:providers")

CONTACTS = [
    {
        "party": "host",
        "organisation": "Tiny VPS B.V.",
        "kind": "email",
        "value": "abuse@tinyvps.example",
        "source": "rdap",
    },
    {
        "party": "cdn",
        "organisation": None,
        "kind": "form",
        "value": "https://abuse.cdn.example/form",
        "source": "catalogue",
    },
    {
        "party": "registrar",
        "organisation": "Example Registrar",
        "kind": "email",
        "value": "other@reg.example",
        "source": "rdap",
    },
    {"party": "host", "organisation": "Tiny VPS B.V.", "kind": "phone", "value": "+31 20 000", "source": "rdap"},
]


def test_resolution_opens_cases_and_seeds_unknown_providers(factory: sessionmaker[Session], world: Any) -> None:
    with transaction(factory) as session:
        domain = session.exec(select(Domain).where(col(Domain.site_id) == world.site_id)).first()
        assert domain is not None
        session.add(
            ResolutionSnapshot(
                site_id=world.site_id,
                domain_id=domain.id or 0,
                host_organisation="Tiny VPS B.V.",
                cdn="Fast CDN",
                registrar="Example Registrar",
                profile={"abuse_contacts": CONTACTS, "hosting": [{"ip": "192.0.2.1", "country": "nl"}]},
            )
        )
    with transaction(factory) as session:
        cases = open_cases_from_resolution(session, ACTOR, world.site_id)
        assert sorted(c.step for c in cases) == ["cdn", "host", "registrar"]
        host = find_provider(session, "Tiny VPS B.V.")
        cdn = find_provider(session, "Fast CDN")
        registrar = find_provider(session, "Example Registrar")
        assert host is not None and host.abuse_email == "abuse@tinyvps.example"
        assert host.country == "NL"  # from its network's registry: a DSA notice will go to it
        assert cdn is not None and (cdn.kind, cdn.abuse_form_url) == ("cdn", "https://abuse.cdn.example/form")
        assert registrar is not None and registrar.abuse_email == "abuse@reg.example"  # operators' entry kept
        again = open_cases_from_resolution(session, ACTOR, world.site_id)
        assert sorted(c.id or 0 for c in again) == sorted(c.id or 0 for c in cases)  # one case per (site, provider)


def test_bad_provider_fields_are_all_named(factory: sessionmaker[Session], world: Any) -> None:
    with pytest.raises(InvalidInputError) as err, transaction(factory) as session:
        add_provider(session, ACTOR, "Bad", "bank", abuse_email="nope", country="XYZ")
    assert sorted(p.split(":")[0] for p in err.value.problems) == ["abuse_email", "country", "kind"]
    with pytest.raises(InvalidInputError, match="unknown field"), transaction(factory) as session:
        edit_provider(session, ACTOR, world.host_id, name="renamed")
