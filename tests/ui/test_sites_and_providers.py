"""A site's page (domains, infrastructure, timeline, cases, traffic, works found) and the provider pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.crawls.schemas import MatchIn
from cases.crawls.services import record_works_found
from cases.db import transaction, utcnow
from cases.infra.schemas import ChangeIn
from cases.infra.services import record_resolution
from cases.sites.models import Domain
from cases.traffic.schemas import EstimateIn
from cases.traffic.services import record_estimate

ACTOR = Actor("test:ui-site")


def _site_history(factory: sessionmaker[Session], world: Any) -> None:
    """What resolution, crawls and estimates would have stored for A's site."""
    with transaction(factory) as session:
        domain = session.exec(select(Domain).where(col(Domain.site_id) == world.a_site)).one()
        record_resolution(
            session,
            ACTOR,
            domain,
            resolved_at=utcnow() - dt.timedelta(days=3),
            profile={"abuse_contacts": [{"party": "host", "kind": "email", "value": "abuse@host.example"}]},
            addresses=["203.0.113.7"],
            asns=[64500],
            host_organisation="Bulletproof Hosting Ltd",
            cdn="Edge CDN",
            registrar="Example Registrar",
            failure_count=0,
            changes=[ChangeIn(kind="new_cdn", old=None, new="Edge CDN")],
        )
        from cases.infra.services import add_event

        add_event(session, world.a_site, domain.id, "redirects_to_domain", "manga-raw.test", "manga-raw2.test")
        record_estimate(
            session,
            ACTOR,
            world.a_site,
            EstimateIn(
                month="2026-10",
                visits_low=900_000,
                visits_central=1_234_567,
                visits_high=1_600_000,
                countries=[{"country": "JP", "share": 0.8}, {"country": "other", "share": 0.2}],
                sources=["rank_list"],
            ),
        )
        work_id = session.execute(sa.text("SELECT id FROM work WHERE ref = 'WA'")).scalar_one()
        record_works_found(
            session,
            ACTOR,
            world.a_site,
            None,
            [
                MatchIn(
                    work_id=work_id,
                    association_id=world.a_id,
                    url="https://manga-raw.test/wa/chapter-9",
                    title_found="Work WA chapter 9",
                    title_matched="Work WA",
                    score=97.5,
                    captured_at=utcnow(),
                    content_sha256="0" * 64,
                )
            ],
        )


def test_a_site_page_shows_where_it_lives_and_what_happened(
    world: Any, tenants: Any, signed_in: Any, factory: sessionmaker[Session]
) -> None:
    _site_history(factory, world)
    page = signed_in(tenants.a).get(f"/ui/sites/{world.a_site}").text
    assert "203.0.113.7" in page and "64500" in page and "Edge CDN" in page and "Example Registrar" in page
    assert "host: abuse@host.example" in page
    timeline = page.split('data-testid="timeline"', 1)[1].split("</table>", 1)[0]
    assert "new cdn: — → Edge CDN" in timeline
    assert "redirects to domain: manga-raw.test → manga-raw2.test" in timeline and '<tr class="tl-hop">' in timeline
    assert f"notice {world.a_notice} to Bulletproof Hosting Ltd (dmca_512c3) drafted" in timeline
    assert "1,234,567" in page and "JP 80 %" in page and "rank_list" in page
    assert "https://manga-raw.test/wa/chapter-9" in page
    cases = page.split('data-testid="cases"', 1)[1].split("</table>", 1)[0]
    assert "Bulletproof Hosting Ltd" in cases and "in_review" in cases
    # works found belong to the association that owns the work: B does not see them on its own page of the site
    assert "chapter-9" not in signed_in(tenants.b).get(f"/ui/sites/{world.b_site}").text


def test_the_sites_list_searches_by_domain(world: Any, tenants: Any, signed_in: Any) -> None:
    ops = signed_in(tenants.operator)
    both = ops.get("/ui/sites").text
    assert "manga-raw.test" in both and "anime-raw.test" in both
    found = ops.get("/ui/sites", params={"q": "anime"}).text
    assert "anime-raw.test" in found and "manga-raw.test" not in found
    assert ops.get("/ui/sites", params={"cursor": "not-a-cursor"}).status_code == 422


def test_providers_directory_with_scorecards(world: Any, tenants: Any, signed_in: Any, smtp_sink: Any) -> None:
    ops = signed_in(tenants.operator)
    ops.post(f"/ui/notices/{world.a_notice}/approve")
    ops.post(f"/ui/notices/{world.a_notice}/send", {"channel": "smtp"})
    directory = ops.get("/ui/providers").text
    assert "Bulletproof Hosting Ltd" in directory and "Edge CDN Inc." in directory
    row = directory.split("Bulletproof Hosting Ltd", 1)[1].split("</tr>", 1)[0]
    assert "<td>1</td>" in row  # one notice sent
    assert "no notice sent" in directory.split("Edge CDN Inc.", 1)[1].split("</tr>", 1)[0]
    page = ops.get(f"/ui/providers/{world.host}").text
    assert 'data-testid="scorecard"' in page and f"/ui/notices/{world.a_notice}" in page
    assert "Edge CDN Inc." in ops.get("/ui/providers", params={"kind": "cdn"}).text
    assert "Bulletproof" not in ops.get("/ui/providers", params={"kind": "cdn"}).text.split("<details>")[0]


def test_editing_a_provider_is_checked_and_audited(world: Any, tenants: Any, signed_in: Any, engine: Engine) -> None:
    ops = signed_in(tenants.operator)
    form = {
        "kind": "host",
        "country": "NLD",
        "abuse_email": "not-an-address",
        "abuse_form_url": "",
        "abuse_api_url": "",
        "accepted_formats": "dmca_512c3, dsa_art16",
        "expected_response_days": "3",
    }
    refused = ops.post(f"/ui/providers/{world.host}", form, htmx=True)
    assert refused.status_code == 422
    assert "abuse_email: not an e-mail address" in refused.text and "country: must be an ISO 3166" in refused.text
    assert 'value="not-an-address"' in refused.text  # what was typed is kept for correcting
    with engine.connect() as conn:
        unchanged = conn.execute(sa.text("SELECT abuse_email, country FROM provider WHERE id = :i"), {"i": world.host})
        assert tuple(unchanged.one()) == ("abuse@host.example", None)
    saved = ops.post(f"/ui/providers/{world.host}", {**form, "country": "nl", "abuse_email": "abuse@new-host.example"})
    assert saved.status_code == 303
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT abuse_email, country, accepted_formats, expected_response_days FROM provider WHERE id = :i"
            ),
            {"i": world.host},
        ).one()
        audited = conn.execute(
            sa.text(
                "SELECT field FROM audit_event WHERE entity_type = 'provider' AND entity_id = :i AND action = 'update'"
            ),
            {"i": str(world.host)},
        ).scalars()
        fields = set(audited)
    assert row[0] == "abuse@new-host.example" and row[1] == "NL" and row[3] == 3
    assert row[2] in (["dmca_512c3", "dsa_art16"], '["dmca_512c3", "dsa_art16"]')
    assert {"abuse_email", "country", "accepted_formats", "expected_response_days"} <= fields


def test_operators_add_providers(world: Any, tenants: Any, signed_in: Any) -> None:
    ops = signed_in(tenants.operator)
    added = ops.post("/ui/providers", {"name": "Search Co", "kind": "search_engine", "country": "US"})
    assert added.status_code == 303
    assert "Search Co" in ops.get(added.headers["location"]).text
    duplicate = ops.post("/ui/providers", {"name": "Search Co", "kind": "search_engine"})
    assert duplicate.status_code == 409 and "already exists" in duplicate.text
