"""``piratewatch demo``: the whole system on the embedded store, offline, with sample data.

The demo keeps its own store under ``<data dir>/demo`` and starts it afresh on every run, so it
never touches a real store.
"""

from __future__ import annotations

import json
import shutil
import socket
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console

from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.migrations import upgrade
from cases.takedown.senders import set_sender_profile
from cases.tenants.models import Role
from cases.tenants.services import create_api_key, create_association
from piratewatch.settings import Settings, get_settings

DEMO_ACTOR = Actor("system:demo")


def _free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])


def load_sample() -> dict[str, Any]:
    """The demo's associations, works and submissions."""
    text = resources.files("piratewatch.demo_data").joinpath("submissions.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def seed(settings: Settings) -> dict[str, str]:
    """Create the demo's associations, keys and submissions; returns the keys by name."""
    upgrade(settings.effective_database_url)
    factory = session_factory(make_engine(settings.effective_database_url))
    keys: dict[str, str] = {}
    sample = load_sample()
    with transaction(factory) as session:
        for entry in sample["associations"]:
            association = create_association(session, entry["name"], DEMO_ACTOR)
            _, keys[f"{entry['short']} submitter"] = create_api_key(
                session, association, Role.SUBMITTER, DEMO_ACTOR, "demo"
            )
            sites = [SiteIn.model_validate(s) for s in entry["sites"]]
            submit_sites(session, Actor("system:demo", association.id), association.id or 0, sites, via="demo")
            # the association's own legal contact and statements, copied into each notice drafted for it
            set_sender_profile(session, DEMO_ACTOR, association.id or 0, entry["sender"])
        ops = create_association(session, "piratewatch operations (demo)", DEMO_ACTOR)
        _, keys["operator"] = create_api_key(session, ops, Role.OPERATOR, DEMO_ACTOR, "demo")
        _, keys["admin"] = create_api_key(session, ops, Role.ADMIN, DEMO_ACTOR, "demo")
    return keys


def resolve_sites(settings: Settings, console: Console) -> int:
    """Resolve every domain of the demo store against the running lab; returns how many were stored."""
    import asyncio

    import sqlalchemy as sa
    from sqlmodel import col

    from cases.sites.models import Domain
    from crawlers.resolution import resolve_and_record
    from resolver import Resolver

    factory = session_factory(make_engine(settings.effective_database_url))
    with transaction(factory) as session:
        names = list(session.scalars(sa.select(col(Domain.fqdn)).order_by(col(Domain.id))))

    async def run() -> list[Any]:
        async with Resolver(settings.resolver_settings()) as resolver:
            return await resolve_and_record(factory, resolver, names, DEMO_ACTOR)

    stored = 0
    for outcome in asyncio.run(run()):
        profile = outcome.profile
        stored += outcome.stored
        host = profile.hosting[0] if profile.hosting else None
        where = f"{host.organisation or host.as_name} (AS{host.asns[0]}, {host.country})" if host and host.asns else "?"
        cdn = f", behind {profile.cdn.provider}" if profile.cdn else ""
        registrar = profile.registration.registrar if profile.registration else "?"
        console.print(f"  {profile.domain:24} hosted by {where}{cdn}; registrar {registrar}")
        for origin in profile.origin_candidates:
            if origin.confirmed:
                console.print(f"  {'':24} origin behind the CDN: {origin.ip} (via {origin.source})")
        for change in outcome.changes:
            if change.kind in ("redirects_to_domain", "sibling_domain"):
                console.print(f"  {'':24} {change.kind.replace('_', ' ')}: {change.new}")
    return stored


def crawl_and_estimate(settings: Settings, console: Console) -> None:
    """Crawl every demo site the lab serves pages for, then estimate each site's visits this month."""
    import asyncio

    import sqlalchemy as sa
    from sqlmodel import col

    from cases.db import utcnow
    from cases.sites.models import Domain
    from crawlers.crawl_job import crawl_and_record
    from crawlers.traffic import configured_estimators, estimate_sites, month_of

    factory = session_factory(make_engine(settings.effective_database_url))
    with transaction(factory) as session:
        rows = session.execute(sa.select(col(Domain.site_id), col(Domain.fqdn)).order_by(col(Domain.id))).all()
    lab_sites = {site_id: fqdn for site_id, fqdn in rows if fqdn in settings.crawler.host_overrides}
    for site_id, fqdn in lab_sites.items():
        summary = crawl_and_record(factory, settings.crawler, site_id, DEMO_ACTOR)
        hop = f"; moved to {summary.hop_to}" if summary.hop_to else ""
        console.print(f"  {fqdn:24} crawled: {summary.works_found} work pages found as evidence{hop}")
    month = month_of(utcnow())
    site_ids = sorted({site_id for site_id, _ in rows})
    results = asyncio.run(estimate_sites(factory, configured_estimators(settings.traffic), site_ids, month, DEMO_ACTOR))
    console.print(f"\n[bold]Estimated visits in {month}[/bold] (visits, not people; low - high):")
    names = dict(rows)
    for site_id, result in results.items():
        if result is None:
            continue
        console.print(
            f"  {names.get(site_id, site_id)!s:24} {result.visits_central:>12,.0f}  "
            f"({result.visits_low:,.0f} - {result.visits_high:,.0f}; {', '.join(result.sources)})"
        )


def take_down(settings: Settings, console: Console, approve_for: str) -> None:
    """Review the notices drafted after resolution and crawling as an operator would: approve those of
    one association (the other's wait in the queue for the web UI), then send them, URLs re-checked."""
    import asyncio

    import sqlalchemy as sa
    from sqlmodel import col

    from cases.providers.models import Provider
    from cases.takedown.delivery.outbox import send_approved
    from cases.takedown.models import ItemOutcome, Notice, NoticeItem, NoticeState
    from cases.takedown.queue import approve
    from cases.tenants.models import Association
    from piratewatch.wiring import make_channels, recheck_policy

    operator = Actor("system:demo-operator")
    factory = session_factory(make_engine(settings.effective_database_url))
    with transaction(factory) as session:
        association_id = session.scalars(
            sa.select(col(Association.id)).where(col(Association.name) == approve_for)
        ).one()
        queued = session.scalars(
            sa.select(col(Notice.id)).where(
                col(Notice.association_id) == association_id, col(Notice.state) == NoticeState.IN_REVIEW.value
            )
        ).all()
        for notice_id in queued:
            approve(session, operator, notice_id or 0)
    sent = asyncio.run(send_approved(factory, operator, make_channels(settings), recheck=recheck_policy(settings)))
    with transaction(factory) as session:
        rows = session.execute(
            sa.select(Notice, col(Provider.name))
            .join(Provider, col(Provider.id) == col(Notice.provider_id))
            .order_by(col(Notice.id))
        ).all()
        for notice, provider in rows:
            console.print(f"  notice {notice.id:<3} {notice.legal_basis:22} to {provider:28} {notice.state}")
            dropped = session.execute(
                sa.select(col(NoticeItem.url), col(NoticeItem.outcome_reason)).where(
                    col(NoticeItem.notice_id) == notice.id, col(NoticeItem.outcome) == ItemOutcome.DROPPED.value
                )
            ).all()
            for url, reason in dropped:
                console.print(f"  {'':10} dropped before sending: {url} ({reason})")
    console.print(f"  {len(sent)} notice(s) sent; the others wait in the operators' queue")


def write_monthly_report(settings: Settings, console: Console) -> Path:
    """Write this month's report of the lab's sites from the demo store (docs/reports.md)."""
    import datetime as dt

    from cases.db import utcnow
    from exporters.figures.calendar import Month, zone
    from exporters.metrics.collector import rules_of
    from exporters.reports import ReportOptions, StoreSource, build_report, load_coefficients, write_report
    from exporters.reports.pdf import PdfError, browser_for

    month = Month.containing(utcnow(), zone(settings.metrics.timezone))
    coefficients = load_coefficients(settings.reports.coefficients_path)
    source = StoreSource(session_factory(make_engine(settings.effective_database_url)), rules_of(settings.metrics))
    report = build_report(source, ReportOptions(month), coefficients)
    out = settings.data_dir / "report"
    try:
        browser = browser_for(settings.reports.pdf, settings.reports.browser)
    except PdfError as exc:
        console.print(f"[yellow]warning:[/yellow] no PDF: {exc}")
        browser = None
    written = write_report(
        report, out, "the demo store", coefficients.currency, dt.datetime.now(dt.UTC), pdf_browser=browser
    )
    console.print(
        f"\n[bold]Monthly report[/bold] for {month.label} (visits, not users): {written.html}"
        + (f", {written.pdf.name}" if written.pdf else "")
        + f" and {len(written.csv_files)} CSV tables; the same figures are served live on /metrics"
    )
    return written.html


def run_demo(*, port: int, data_dir: Path | None, serve: bool, console: Console) -> None:
    """Start the lab, seed a fresh demo store, resolve its sites, print where to look, serve the API."""
    from lab.world import DemoWorld

    base = get_settings()
    demo_dir = (data_dir or base.data_dir / "demo").resolve()
    if demo_dir.exists():
        shutil.rmtree(demo_dir)
    demo_dir.mkdir(parents=True)
    with DemoWorld(demo_dir / "lab") as world:
        settings = get_settings(
            data_dir=demo_dir,
            database_url="",
            resolver=world.resolver_settings(),
            crawler=world.crawler_settings(),
            traffic=world.traffic_settings(),
            notices=world.notice_settings(),
        )
        console.print(f"[bold]piratewatch demo[/bold]: store at {settings.effective_database_url}")
        console.print(
            f"lab: DNS on {world.dns.host}:{world.dns.port}, RDAP at {world.registry.base_url}, sites on port {world.port}"
        )
        keys = seed(settings)
        console.print("\n[bold]Where the sites live[/bold] (resolved against the lab):")
        resolve_sites(settings, console)
        console.print("\n[bold]Crawling[/bold] the lab's sites (catalogues, view counters, works found):")
        crawl_and_estimate(settings, console)
        console.print(
            "\n[bold]Takedown[/bold]: notices drafted for the parties found, approved for one association, sent:"
        )
        take_down(settings, console, approve_for=load_sample()["associations"][0]["name"])
        console.print(f"  e-mailed notices: {world.smtp.maildir} ({len(world.smtp.messages)} message(s))")
        console.print(f"  notices for web forms and bulk uploads: {settings.notices.export_dir}")
        write_monthly_report(settings, console)
        _announce(settings, keys, port, serve, console)


def _announce(settings: Settings, keys: dict[str, str], port: int, serve: bool, console: Console) -> None:
    """Print the keys and URLs to try, then serve the API until interrupted (unless told not to)."""
    demo_dir = settings.data_dir
    port = _free_port(port)
    url = f"http://127.0.0.1:{port}"
    console.print("\n[bold]API keys[/bold] (demo only):")
    for name, key in keys.items():
        console.print(f"  {name:22} {key}")
    submitter = next(iter(keys.values()))
    console.print("\n[bold]Try[/bold]:")
    console.print(f"  OpenAPI docs:   {url}/docs")
    console.print(f"  web UI:         {url}/ui  (sign in with the operator key, or a submitter key)")
    console.print(f"  your sites:     curl -H 'X-API-Key: {submitter}' {url}/api/v1/sites")
    console.print(f"  all sites:      curl -H 'X-API-Key: {keys['operator']}' {url}/api/v1/sites")
    console.print(f"  submissions:    curl -H 'X-API-Key: {submitter}' {url}/api/v1/submissions")
    console.print(f"  metrics:        curl {url}/metrics")
    console.print(f"  on the shell:   PIRATEWATCH_DATA_DIR={demo_dir} piratewatch sites list")
    if not serve:
        return
    import uvicorn

    from piratewatch.app import create_app

    console.print(f"\nserving on {url} (Ctrl-C to stop)")
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
