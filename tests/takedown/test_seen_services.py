"""The payment and ads steps go to the services the site's crawls found (a real crawl of a lab site's
pages), matched to the directory, and the notice cites what was found; hostile crawl values are left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor
from cases.crawls.schemas import CrawlIn
from cases.crawls.services import record_crawl
from cases.db import transaction, utcnow
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.providers.models import Provider, ProviderKind
from cases.providers.services import add_provider
from cases.sites.models import Domain
from cases.takedown.delivery.channels import FileChannel
from cases.takedown.delivery.sending import send_notice
from cases.takedown.escalation import escalate_overdue, provider_for_step
from cases.takedown.models import LegalBasis
from cases.takedown.review import approve
from cases.takedown.senders import set_sender_profile
from cases.takedown.services import draft_notice, get_notice, open_case, submit_for_review
from crawlers.config import CrawlerSettings
from crawlers.crawl import crawl_site
from crawlers.extract import payment_links
from lab.http_util import ThreadedServer
from lab.sites import HOSTS, FixtureSites
from piratewatch.jobs.crawl import crawl_in

ACTOR = Actor("test:seen-services")
LADDER = (ProviderKind.HOST, ProviderKind.PAYMENT, ProviderKind.ADS)


@pytest.fixture(scope="module")
def lab() -> Iterator[ThreadedServer]:
    with FixtureSites().serve() as server:
        yield server


def _crawl(server: ThreadedServer, host: str) -> Any:
    config = CrawlerSettings.model_validate(
        {
            "allow_networks": ["127.0.0.0/8"],
            "host_overrides": dict.fromkeys(HOSTS, "127.0.0.1"),
            "start_url_template": f"http://{{host}}:{server.port}/",
            "delay_seconds": 0,
            "timeout_seconds": 2.0,
            "max_pages": 20,
            "crawl_deadline_seconds": 30,
        }
    )
    outcome = crawl_site(f"http://{host}:{server.port}/", config, config.host_overrides)
    assert outcome.error is None, outcome.error
    return outcome


def _site(factory: sessionmaker[Session], tenants: Any, sender: dict[str, Any]) -> tuple[int, int]:
    """mangafree.test with association A's evidence, its host, and a directory of payment and ad providers
    in which the site's own services are not the first of their kind."""
    body = {
        "domains": ["mangafree.test"],
        "works": [
            {
                "ref": "AOT",
                "titles": {"en": "Attack on Titan"},
                "content_type": "manga",
                "rights_holder": "Publisher K.K.",
                "official_url": "https://publisher.example/aot",
            }
        ],
        "evidence": [{"url": "https://mangafree.test/title/attack-on-titan/chapter-1/", "work_ref": "AOT"}],
    }
    with transaction(factory) as session:
        results, _ = submit_sites(session, ACTOR, tenants.a_id, [SiteIn.model_validate(body)], via="api")
        site_id = results[0].site_id if results[0] else 0
        host = add_provider(session, ACTOR, "Lab Hosting", "host", country="US", abuse_email="abuse@lab.example")
        add_provider(session, ACTOR, "Stripe, Inc.", "payment", country="US", abuse_email="abuse@stripe.example")
        add_provider(session, ACTOR, "PayPal, Inc.", "payment", country="US", abuse_email="ip@paypal.example",
                     crawl_names=["paypal"])  # fmt: skip
        add_provider(session, ACTOR, "ExoClick", "ads", country="ES", abuse_email="abuse@exoclick.example")
        add_provider(session, ACTOR, "Google AdSense", "ads", country="US", abuse_email="ads@google.example")
        set_sender_profile(session, ACTOR, tenants.a_id, sender)
        return site_id, host.id or 0


def _name(session: Session, provider_id: int) -> str:
    provider = session.get(Provider, provider_id)
    return provider.name if provider else ""


async def _send(factory: sessionmaker[Session], notice_id: int, out: Path) -> None:
    with transaction(factory) as session:
        if get_notice(session, notice_id).state == "draft":
            submit_for_review(session, ACTOR, notice_id)
        approve(session, ACTOR, notice_id)
    await send_notice(factory, ACTOR, FileChannel(out), notice_id)


async def test_payment_and_ads_go_to_the_services_the_crawl_found(
    factory: sessionmaker[Session], tenants: Any, sender: dict[str, Any], lab: ThreadedServer, tmp_path: Path
) -> None:
    outcome = _crawl(lab, "mangafree.test")
    home = f"http://mangafree.test:{lab.port}/"
    links = {(link["provider"], link["url"]) for link in outcome.profile["payment_links"]}
    # the PayPal button is a form posting to PayPal, the Ko-fi one a link: both read from the served pages
    assert links == {
        ("paypal", "https://www.paypal.com/donate/?hosted_button_id=MANGAFREE1"),
        ("ko-fi", "https://ko-fi.com/mangafree"),
    }
    assert all(link["page"].startswith(home) for link in outcome.profile["payment_links"])
    assert outcome.profile["ad_networks"] == ["google-adsense", "popads"]
    site_id, host_id = _site(factory, tenants, sender)
    with transaction(factory) as session:
        assert provider_for_step(session, site_id, ProviderKind.PAYMENT) is None  # no crawl yet: no recipient
        domain_id = session.exec(select(Domain.id).where(col(Domain.site_id) == site_id)).one() or 0
        crawl = record_crawl(session, ACTOR, site_id, crawl_in(outcome, domain_id, utcnow()))
        crawl_id = crawl.id
        assert crawl.payment_links[0]["page"].startswith(home)
        case = open_case(session, ACTOR, site_id, host_id)
        first = draft_notice(session, ACTOR, case.id or 0, tenants.a_id, LegalBasis.DMCA, sender)
    await _send(factory, first.id or 0, tmp_path)
    later = utcnow() + dt.timedelta(days=30)
    with transaction(factory) as session:
        (step,) = escalate_overdue(session, ACTOR, later, ladder=LADDER)
        payment = get_notice(session, step.new_notice_id or 0)
        assert _name(session, payment.provider_id) == "PayPal, Inc."  # not Stripe, the directory's first
    assert step.step == "payment"
    text = payment.rendered_text or ""
    assert "How mangafree.test uses your service, as our crawls found it:" in text
    assert (
        f"   - payment link https://www.paypal.com/donate/?hosted_button_id=MANGAFREE1 on {home}"
    ) in text and f"(our crawl {crawl_id} of " in text
    assert "ko-fi" not in text  # another service's link is not this recipient's evidence
    await _send(factory, payment.id or 0, tmp_path)
    with transaction(factory) as session:
        (step,) = escalate_overdue(session, ACTOR, later + dt.timedelta(days=30), ladder=LADDER)
        ads = get_notice(session, step.new_notice_id or 0)
        assert _name(session, ads.provider_id) == "Google AdSense"  # not ExoClick, the directory's first
    assert step.step == "ads"
    assert f"   - ad tag of google-adsense on the pages crawled from {home} (our crawl {crawl_id} of " in (
        ads.rendered_text or ""
    )


async def test_without_a_crawl_finding_the_steps_have_no_recipient(
    factory: sessionmaker[Session], tenants: Any, sender: dict[str, Any]
) -> None:
    site_id, _ = _site(factory, tenants, sender)
    now = utcnow()
    hostile = [
        {"provider": "paypal", "url": "javascript:alert(1)", "page": "https://mangafree.test/"},
        {"provider": "Pay Pal\r\nBcc: x", "url": "https://paypal.me/x", "page": "https://mangafree.test/"},
        {"provider": "paypal", "url": "https://paypal.me/x"},  # no page
        "https://paypal.me/x",
        {"provider": ["paypal"], "url": "https://paypal.me/x", "page": "https://mangafree.test/"},
    ]
    with transaction(factory) as session:
        crawl = CrawlIn.model_validate(
            {
                "started_at": now,
                "finished_at": now,
                "start_url": "https://mangafree.test/",
                "payment_links": hostile,
                "ad_networks": ["juicyads"],  # a network the directory does not know
                "analytics_ids": ["G-ABCDEF12"],  # analytics name no ad or payment service
            }
        )
        assert crawl.payment_links == []
        record_crawl(session, ACTOR, site_id, crawl)
        assert provider_for_step(session, site_id, ProviderKind.PAYMENT) is None
        assert provider_for_step(session, site_id, ProviderKind.ADS) is None
        record_crawl(
            session,
            ACTOR,
            site_id,
            CrawlIn.model_validate(
                {
                    "started_at": now + dt.timedelta(hours=1),
                    "finished_at": now + dt.timedelta(hours=1),
                    "start_url": "https://mangafree.test/",
                    "analytics_ids": ["AW-123456789"],
                }
            ),
        )
        google = add_provider(session, ACTOR, "Google Ads", "ads", country="US", crawl_names=["google-ads"])
        found = provider_for_step(session, site_id, ProviderKind.ADS)
        assert found is not None and found.id == google.id  # a Google Ads ID names Google's ads


def test_payment_links_are_read_by_host_only() -> None:
    found = payment_links(
        [
            "https://www.paypal.me/rawkuma",
            "https://paypal.com.evil.example/donate",
            "https://evilpaypal.com/",
            "javascript:paypal.com",
            "ftp://ko-fi.com/x",
            "https://ko-fi.com/x",
            "https://ko-fi.com/x",
            "http://[::1/",
            "https://buy.stripe.com/abc",
            "https://stripe.com/",  # Stripe's own site pays nobody
        ]
    )
    assert found == [
        {"provider": "paypal", "url": "https://www.paypal.me/rawkuma"},
        {"provider": "ko-fi", "url": "https://ko-fi.com/x"},
        {"provider": "stripe", "url": "https://buy.stripe.com/abc"},
    ]
    assert len(payment_links(f"https://ko-fi.com/{i}" for i in range(1000))) == 20
