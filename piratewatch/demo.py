"""``piratewatch demo``: the whole system on the embedded store, offline, with sample data.

The demo keeps its own store under ``<data dir>/demo`` and starts it afresh on every run, so it
never touches a real store. It runs every use case through one :class:`~piratewatch.services.Services`
(the same the CLI and the app use) and prints what really happened to each site and notice.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import shutil
import socket
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from sqlmodel import col, select

from cases.audit.services import Actor
from cases.intake.schemas import SiteIn
from cases.migrations import upgrade
from cases.providers.models import Provider
from cases.sites.models import Domain
from cases.takedown.models import ItemOutcome, Notice, NoticeItem, NoticeState
from cases.takedown.senders import set_sender_profile
from cases.tenants.models import Association
from cases.tenants.roles import Role
from cases.tenants.services import create_api_key, create_association
from piratewatch.config import get_settings
from piratewatch.services import ReportRequest, Services

DEMO_ACTOR = Actor("system:demo")
OPERATOR = Actor("system:demo-operator")


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


def seed(services: Services, console: Console) -> dict[str, str]:
    """Create the demo's associations, keys and submissions; returns the keys by name."""
    keys: dict[str, str] = {}
    sample = load_sample()
    for entry in sample["associations"]:
        with services.transaction() as session:
            association = create_association(session, entry["name"], DEMO_ACTOR)
            _, keys[f"{entry['short']} submitter"] = create_api_key(
                session, association, Role.SUBMITTER, DEMO_ACTOR, "demo"
            )
            # the association's own legal contact and statements, copied into each notice drafted for it
            set_sender_profile(session, DEMO_ACTOR, association.id or 0, entry["sender"])
        sites = [SiteIn.model_validate(s) for s in entry["sites"]]
        results = services.submit(entry["name"], sites, DEMO_ACTOR, via="demo")
        _state_work_rights(services, association.id or 0, entry.get("work_rights", {}))
        new = sum(r.site_created for r in results)
        evidence = sum(r.evidence_added for r in results)
        console.print(f"  {entry['name']}: {len(results)} site(s) submitted ({new} new), {evidence} evidence item(s)")
    with services.transaction() as session:
        ops = create_association(session, "piratewatch operations (demo)", DEMO_ACTOR)
        _, keys["operator"] = create_api_key(session, ops, Role.OPERATOR, DEMO_ACTOR, "demo")
        _, keys["admin"] = create_api_key(session, ops, Role.ADMIN, DEMO_ACTOR, "demo")
    return keys


def _state_work_rights(services: Services, association_id: int, statements: dict[str, dict[str, Any]]) -> None:
    """The association's own rights statement for each of its works (the Japanese request needs them)."""
    from cases.takedown.work_rights import set_work_rights
    from cases.works.models import Work

    with services.transaction() as session:
        for work in session.exec(select(Work).where(col(Work.association_id) == association_id)):
            if work.ref in statements:
                set_work_rights(session, DEMO_ACTOR, work.id or 0, statements[work.ref])


def _domains(services: Services) -> list[tuple[int, str]]:
    with services.factory() as session:
        return [
            (int(s), str(f))
            for s, f in session.execute(sa.select(col(Domain.site_id), col(Domain.fqdn)).order_by(col(Domain.id)))
        ]


def resolve_sites(services: Services, console: Console) -> int:
    """Resolve every domain of the demo store against the running lab; returns how many failed outright."""
    names = [fqdn for _, fqdn in _domains(services)]
    failed = 0
    for outcome in asyncio.run(services.resolve(names, DEMO_ACTOR)):
        profile = outcome.profile
        host = profile.hosting[0] if profile.hosting else None
        where = f"{host.organisation or host.as_name} (AS{host.asns[0]}, {host.country})" if host and host.asns else "?"
        cdn = f", behind {profile.cdn.provider}" if profile.cdn else ""
        registrar = profile.registration.registrar if profile.registration else "?"
        if not profile.dns.addresses:
            failed += 1
        console.print(f"  {profile.domain:24} hosted by {where}{cdn}; registrar {registrar}")
        for origin in profile.origin_candidates:
            if origin.confirmed:
                console.print(f"  {'':24} origin behind the CDN: {origin.ip} (via {origin.source})")
        for change in outcome.changes:
            if change.kind in ("redirects_to_domain", "sibling_domain"):
                console.print(f"  {'':24} {change.kind.replace('_', ' ')}: {change.new}")
        for failure in profile.failures:
            console.print(f"  {'':24} [yellow]{failure.stage} {failure.target}: {failure.kind}[/yellow]")
    return failed


def crawl_and_estimate(services: Services, console: Console) -> int:
    """Crawl every demo site the lab serves pages for, then estimate each site's visits this month;
    returns how many crawls failed."""
    from cases.db import utcnow
    from crawlers.traffic import month_of

    rows = _domains(services)
    overrides = services.settings.crawler.host_overrides
    failed = 0
    for site_id, fqdn in rows:
        if fqdn not in overrides:
            continue
        summary = services.crawl(site_id, DEMO_ACTOR)
        failed += not summary.ok
        state = "crawled" if summary.ok else "[yellow]crawl failed[/yellow]"
        hop = f"; moved to {summary.hop_to}" if summary.hop_to else ""
        console.print(f"  {fqdn:24} {state}: {summary.works_found} work pages found as evidence{hop}")
    month = month_of(utcnow())
    names = dict(rows)
    outcomes = asyncio.run(services.estimate(sorted(names), month, DEMO_ACTOR))
    console.print(f"\n[bold]Estimated visits in {month}[/bold] (visits, not people; low - high):")
    for outcome in outcomes:
        result = outcome.estimate
        if result is None:
            console.print(f"  {names.get(outcome.site_id, outcome.site_id)!s:24} no source knows this site")
            continue
        console.print(
            f"  {names.get(outcome.site_id, outcome.site_id)!s:24} {result.visits_central:>12,.0f}  "
            f"({result.visits_low:,.0f} - {result.visits_high:,.0f}; {', '.join(result.sources)})"
        )
    return failed


def estimate_history(services: Services, console: Console) -> int:
    """Estimate the finished months last month's report reads (the thirteen to it, the same month two
    and three years back) from the lab's panel and monthly rank lists (37 months of them), so the
    report has years to compare; returns how many sites a source failed for."""
    from cases.db import utcnow
    from exporters.figures.calendar import Month, zone
    from exporters.reports.history import report_months

    site_ids = sorted({site_id for site_id, _ in _domains(services)})
    months = report_months(Month.containing(utcnow(), zone("UTC")).shift(-1))
    failed = estimated = 0
    for month in months:
        outcomes = asyncio.run(services.estimate(site_ids, month.label, DEMO_ACTOR))
        estimated += sum(1 for o in outcomes if o.estimate is not None)
        for outcome in outcomes:
            if outcome.failed_sources:
                failed += 1
                console.print(f"  [yellow]{month.label} site {outcome.site_id}: {outcome.failed_sources}[/yellow]")
    console.print(
        f"  {estimated} monthly estimates for {len(months)} months from {months[0].label} to {months[-1].label}"
        " (visits, not people)"
    )
    return failed


def take_down(services: Services, console: Console, approve_for: str) -> bool:
    """Review the notices drafted after resolution and crawling as an operator would: approve those of
    one association (the other's wait in the queue for the web UI), then send them, URLs re-checked.
    Returns whether no send failed (a notice the re-check sent back to review is an outcome, not a failure)."""
    with services.factory() as session:
        association_id = session.scalars(
            sa.select(col(Association.id)).where(col(Association.name) == approve_for)
        ).one()
        queued = [
            int(i or 0)
            for i in session.scalars(
                sa.select(col(Notice.id)).where(
                    col(Notice.association_id) == association_id, col(Notice.state) == NoticeState.IN_REVIEW.value
                )
            )
        ]
    approval = services.approve(queued, OPERATOR)
    for notice_id, reason in approval.refused.items():
        console.print(f"  [yellow]notice {notice_id} not approved: {reason}[/yellow]")
    report = asyncio.run(services.send(OPERATOR))
    results = {r.notice_id: r for r in report.results}
    with services.factory() as session:
        rows = session.execute(
            sa.select(col(Notice.id), col(Notice.legal_basis), col(Notice.state), col(Notice.provider_id)).order_by(
                col(Notice.id)
            )
        ).all()
        providers = dict(session.execute(sa.select(col(Provider.id), col(Provider.name))).all())
        dropped = session.execute(
            sa.select(col(NoticeItem.notice_id), col(NoticeItem.url), col(NoticeItem.outcome_reason)).where(
                col(NoticeItem.outcome) == ItemOutcome.DROPPED.value
            )
        ).all()
    for notice_id, basis, state, provider_id in rows:
        result = results.get(notice_id)
        what = result.detail if result is not None else state
        console.print(f"  notice {notice_id:<3} {basis:22} to {providers.get(provider_id, '?'):28} {what}")
        for item_notice, url, reason in dropped:
            if item_notice == notice_id:
                console.print(f"  {'':10} dropped before sending: {url} ({reason})")
    for notice_id, why in report.waiting.items():
        console.print(f"  notice {notice_id}: {why}")
    console.print(
        f"  {len(report.sent)} of {len(report.results)} approved notice(s) sent; "
        f"{len(report.not_sent)} not sent; the other association's wait in the operators' queue"
    )
    return not report.failed


#: the demo's environment file, in its data directory: ``source`` it and the CLI works on the demo's world
ENV_FILE = "demo.env"


def environment(values: dict[str, Any]) -> dict[str, str]:
    """Settings `values` (the overrides the demo runs with) as ``PIRATEWATCH_*`` environment variables.

    Groups become ``PIRATEWATCH_GROUP__FIELD``; lists and mappings are JSON, as the settings read them.
    """
    variables: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            for field_name, field_value in value.items():
                variables[f"PIRATEWATCH_{name.upper()}__{field_name.upper()}"] = _env_value(field_value)
        else:
            variables[f"PIRATEWATCH_{name.upper()}"] = _env_value(value)
    return variables


def _env_value(value: Any) -> str:
    if isinstance(value, (list, dict, bool)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_environment(path: Path, values: dict[str, Any]) -> Path:
    """Write the demo's settings as a file both a POSIX shell (``source``) and a ``.env`` reader load."""
    lines = [
        "# piratewatch demo: its store and its lab (DNS, RDAP, WHOIS, sites, traffic API, SMTP) on loopback.",
        "# The lab answers only while `piratewatch demo` serves (its default); the ports change on every run.",
    ]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in sorted(environment(values).items())]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def write_monthly_report(services: Services, console: Console) -> Path:
    """Write last month's report of the lab's sites from the demo store (docs/reports.md)."""
    from cases.db import utcnow
    from exporters.figures.calendar import Month, zone

    settings = services.settings
    # the last finished month: the running one would be a partial month
    month = Month.containing(utcnow(), zone(settings.metrics.timezone)).shift(-1)
    outcome = services.monthly_report(ReportRequest(month.label, settings.data_dir / "report"))
    for warning in outcome.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    written = outcome.written
    console.print(
        f"\n[bold]Monthly report[/bold] for {outcome.month} (visits, not users): {written.html}"
        + (f", {written.pdf.name}" if written.pdf else "")
        + f" and {len(written.csv_files)} CSV tables; the same figures are served live on /metrics"
    )
    return written.html


def run_demo(*, port: int, data_dir: Path | None, serve: bool, console: Console) -> bool:
    """Start the lab, seed a fresh demo store, run every use case on it, print where to look, serve the API.

    Returns whether every step did all its work (the command exits non-zero otherwise).
    """
    from lab.world import DemoWorld

    base = get_settings()
    demo_dir = (data_dir or base.data_dir / "demo").resolve()
    if demo_dir.exists():
        shutil.rmtree(demo_dir)
    demo_dir.mkdir(parents=True)
    with DemoWorld(demo_dir / "lab") as world:
        values: dict[str, Any] = {
            "data_dir": str(demo_dir),
            "database_url": "",
            "resolver": world.resolver_settings(),
            "crawler": world.crawler_settings(),
            "traffic": world.traffic_settings(),
            "notices": world.notice_settings(),
            # Crawls capture their first matches by default; the demo crawls every lab site and would spend
            # a browser's second on each of up to 20 matches a site (minutes in all), with no TSA to stamp
            # them. Off here (and in the environment file it writes): `piratewatch evidence capture` shows them.
            "evidence": {"capture_on_crawl": False},
        }
        settings = get_settings(**values)
        env_file = write_environment(demo_dir / ENV_FILE, values)
        upgrade(settings.effective_database_url)
        with Services.from_settings(settings) as services:
            console.print(f"[bold]piratewatch demo[/bold]: store at {settings.effective_database_url}")
            console.print(
                f"lab: DNS on {world.dns.host}:{world.dns.port}, RDAP at {world.registry.base_url}, "
                f"sites on port {world.port}"
            )
            console.print("\n[bold]Submissions[/bold]:")
            keys = seed(services, console)
            console.print("\n[bold]Where the sites live[/bold] (resolved against the lab):")
            ok = resolve_sites(services, console) == 0
            console.print("\n[bold]Crawling[/bold] the lab's sites (catalogues, view counters, works found):")
            ok &= crawl_and_estimate(services, console) == 0
            console.print("\n[bold]Traffic history[/bold] from the lab's panel and monthly rank lists:")
            ok &= estimate_history(services, console) == 0
            console.print(
                "\n[bold]Takedown[/bold]: notices drafted for the parties found, approved for one association, sent:"
            )
            ok &= take_down(services, console, approve_for=load_sample()["associations"][0]["name"])
            console.print(f"  e-mailed notices: {world.smtp.maildir} ({len(world.smtp.messages)} message(s))")
            console.print(f"  notices for web forms and bulk uploads: {settings.notices.export_dir}")
            write_monthly_report(services, console)
            _announce(services, keys, port, serve, console, env_file)
    return ok


def _announce(
    services: Services, keys: dict[str, str], port: int, serve: bool, console: Console, env_file: Path
) -> None:
    """Print the keys and URLs to try, then serve the API until interrupted (unless told not to).

    The lab stays up as long as the API is served, so the CLI run with the environment file reaches it.
    """
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
    console.print(f"  on the shell:   source {shlex.quote(str(env_file))}   # then any README command, e.g.")
    console.print("                  piratewatch resolve manga-raw.test")
    if not serve:
        console.print(
            "\n[yellow]the lab has stopped[/yellow] (--no-serve): the store is kept, but resolve, crawl, estimate "
            "and send reach the lab only while `piratewatch demo` serves"
        )
        return
    import uvicorn

    from piratewatch.web.app import create_app

    console.print(f"\nserving on {url}, the lab with it (Ctrl-C to stop)", highlight=False)
    uvicorn.run(create_app(services), host="127.0.0.1", port=port, log_level="warning")
