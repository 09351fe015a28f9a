"""``piratewatch resolve``: where sites live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from piratewatch.cli.support import USAGE, cli_actor, console, fail, services

if TYPE_CHECKING:
    from piratewatch.jobs.resolve import ResolveOutcome


def resolve(
    domains: Annotated[list[str], typer.Argument(help="Host names or URLs to resolve.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print each profile as JSON.")] = False,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Record snapshots of known sites.")] = True,
) -> None:
    """Resolve where sites live: DNS, hosting, CDN, registrar and abuse contacts."""
    import asyncio

    from resolver.errors import InvalidDomainError

    with services(schema=store) as svc:
        try:
            outcomes = asyncio.run(svc.resolve(domains, cli_actor(), store=store))
        except InvalidDomainError as exc:
            fail(str(exc), USAGE)
    for outcome in outcomes:
        if as_json:
            print(outcome.profile.model_dump_json())
        else:
            _print(outcome)
    # a name that names no host is the caller's mistake: every other name was still resolved
    refused = [f for o in outcomes for f in o.profile.failures if f.stage == "input"]
    if refused:
        fail("; ".join(f.message for f in refused), USAGE)


def _print(outcome: ResolveOutcome) -> None:
    profile = outcome.profile
    console.print(f"[bold]{profile.domain}[/bold] (registrable: {profile.registrable_domain})")
    console.print(f"  addresses: {', '.join(profile.dns.addresses) or '-'}")
    for h in profile.hosting:
        asns = " ".join(f"AS{a}" for a in h.asns) or "?"
        console.print(f"  host {h.ip}: {asns} {h.as_name or ''} | {h.organisation or '?'} | {h.country or '?'}")
    if profile.cdn:
        console.print(f"  CDN: {profile.cdn.provider} ({profile.cdn.confidence:.2f}; {', '.join(profile.cdn.signals)})")
    if profile.registration:
        r = profile.registration
        console.print(f"  registrar: {r.registrar or '?'} (IANA {r.registrar_iana_id or '?'}, via {r.source})")
    for c in profile.abuse_contacts:
        console.print(f"  abuse ({c.party}, {c.kind}): {c.value}  [{c.source}]")
    for f in profile.failures:
        console.print(f"  [yellow]failure[/yellow] {f.stage} {f.target}: {f.kind} ({f.message})")
    for change in outcome.changes:
        console.print(f"  change: {change.kind} {change.old or ''} -> {change.new or ''}")
    if outcome.stored:
        console.print("  (snapshot recorded)")
