"""A pirate domain that now forwards to a rights holder's own site is a takedown, not a hop."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.db import transaction
from cases.infra.models import InfraEvent
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.sites.models import Domain
from piratewatch.jobs.crawl import record_hop

ACTOR = Actor("test:hops")


def test_a_redirect_to_the_publishers_store_is_not_attached(factory: sessionmaker[Session], tenants: Any) -> None:
    site = SiteIn.model_validate(
        {
            "domains": ["seized-manga.io"],
            "works": [
                {
                    "ref": "W",
                    "titles": {"en": "Work"},
                    "content_type": "manga",
                    "official_url": "https://publisher.co.jp/w",
                }
            ],
        }
    )
    with transaction(factory) as session:
        [result], _ = submit_sites(session, ACTOR, tenants.a_id, [site], via="api")
        domain = session.exec(select(Domain).where(col(Domain.fqdn) == "seized-manga.io")).one()
        # the store's www host, under the same registrable domain as the work's official URL
        assert record_hop(session, ACTOR, domain, "https://www.publisher.co.jp/campaign") is None
        assert record_hop(session, ACTOR, domain, "https://new-seized-manga.io/") == "new-seized-manga.io"
    with factory() as session:
        fqdns = set(session.scalars(sa.select(col(Domain.fqdn)).where(col(Domain.site_id) == result.site_id)))
        events = [(e.kind, e.new_value) for e in session.exec(select(InfraEvent).order_by(col(InfraEvent.id)))]
    assert fqdns == {"seized-manga.io", "new-seized-manga.io"}
    assert ("redirects_to_legitimate_site", "publisher.co.jp") in events  # normalised: no www.
    assert ("redirects_to_domain", "new-seized-manga.io") in events
