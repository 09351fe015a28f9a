"""``piratewatch`` commands of the takedown area (registered by ``piratewatch.cli``).

``providers list|add|edit|seed``, ``cases list SITE``, and ``notices draft|submit|queue|claim|approve|reject|
show|send|reconcile|confirm|escalate|reply|import-mail|lumen|counts|scorecards``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session

from cases.db import transaction
from cases.errors import CasesError
from cases.takedown.delivery.channels import Channel
from piratewatch.cli_support import CLI_PRINCIPAL, cli_actor, cli_factory, cli_settings, console, ensure_schema, fail
from piratewatch.wiring import make_channels, recheck_policy, takedown_upkeep

notices_app = typer.Typer(help="Notices: draft, review, send, follow up.", no_args_is_help=True)
cases_app = typer.Typer(help="Takedown cases: one per site and provider.", no_args_is_help=True)


@contextmanager
def _session() -> Iterator[Session]:
    """A transaction on the configured store; the store's errors end the command with a message."""
    settings = cli_settings()
    ensure_schema(settings)
    try:
        with transaction(cli_factory(settings)) as session:
            yield session
    except CasesError as exc:
        fail(str(exc))


def _print_json(data: Any) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False, default=str))


def register(app: typer.Typer, providers_app: typer.Typer) -> None:
    """Add this area's commands to the ``piratewatch`` app."""
    app.add_typer(notices_app, name="notices")
    app.add_typer(cases_app, name="cases")
    _register_providers(providers_app)


def _register_providers(providers_app: typer.Typer) -> None:
    from cases.providers import services as providers

    @providers_app.command("list")
    def providers_list(kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None) -> None:
        """List the provider directory."""
        with _session() as session:
            for p in providers.list_providers(session, kind):
                console.print(
                    f"{p.id}\t{p.kind}\t{p.name}\t{p.country or '-'}\t{p.abuse_email or p.abuse_form_url or '-'}"
                )

    @providers_app.command("add")
    def providers_add(
        name: Annotated[str, typer.Argument()],
        kind: Annotated[
            str, typer.Option(help="host, cdn, registrar, registry, search_engine, platform, payment, ads, legal")
        ],
        country: Annotated[str | None, typer.Option()] = None,
        email: Annotated[str | None, typer.Option(help="Abuse e-mail address.")] = None,
        form: Annotated[str | None, typer.Option(help="Abuse web form URL.")] = None,
        api: Annotated[str | None, typer.Option(help="Abuse API URL.")] = None,
        days: Annotated[int, typer.Option(help="Expected response time in days.")] = 7,
    ) -> None:
        """Add a provider."""
        values = {"country": country, "abuse_email": email, "abuse_form_url": form, "abuse_api_url": api}
        with _session() as session:
            provider = providers.add_provider(
                session, cli_actor(), name, kind, expected_response_days=days, **{k: v for k, v in values.items() if v}
            )
            console.print(f"provider {provider.name!r} added (id {provider.id})")

    @providers_app.command("edit")
    def providers_edit(
        provider_id: Annotated[int, typer.Argument()],
        field: Annotated[list[str], typer.Option("--set", help="field=value (repeatable)")],
    ) -> None:
        """Change fields of a provider, e.g. ``--set abuse_email=abuse@host.example --set expected_response_days=3``."""
        values: dict[str, Any] = {}
        for pair in field:
            key, _, value = pair.partition("=")
            values[key] = (
                int(value)
                if key == "expected_response_days"
                else value.split(",")
                if key == "accepted_formats"
                else value
            )
        with _session() as session:
            provider = providers.edit_provider(session, cli_actor(), provider_id, **values)
            console.print(f"provider {provider.id} updated")

    @providers_app.command("seed")
    def providers_seed(
        path: Annotated[Path, typer.Argument(help="JSON list of {name, kind, abuse_email, ...}.")],
    ) -> None:
        """Add the providers of a JSON file that are not in the directory yet."""
        with _session() as session:
            added = providers.seed_providers(session, cli_actor(), json.loads(path.read_text(encoding="utf-8")))
            console.print(f"{len(added)} provider(s) added")


@cases_app.command("list")
def cases_list(site_id: Annotated[int, typer.Argument()]) -> None:
    """A site's cases and their notices."""
    from cases.takedown.queries import site_cases

    with _session() as session:
        _print_json([c.model_dump(mode="json") for c in site_cases(session, CLI_PRINCIPAL, site_id)])


@notices_app.command("draft")
def notices_draft(
    site_id: Annotated[int, typer.Option("--site")],
    provider_id: Annotated[int, typer.Option("--provider")],
    association_id: Annotated[int, typer.Option("--association")],
    basis: Annotated[
        str, typer.Option(help="dmca_512c3, dsa_art16, jp_provider_liability, raa_3_18, search_delisting")
    ],
    sender_file: Annotated[Path, typer.Option("--sender", help="JSON file with the sender's details.")],
    template: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Draft a notice from an association's evidence on a site."""
    from cases.takedown.models import LegalBasis
    from cases.takedown.services import draft_notice, open_case

    sender = json.loads(sender_file.read_text(encoding="utf-8"))
    with _session() as session:
        case = open_case(session, cli_actor(), site_id, provider_id)
        notice = draft_notice(
            session, cli_actor(), case.id or 0, association_id, LegalBasis(basis), sender, template=template
        )
        console.print(f"notice {notice.id} drafted (case {case.id})")


@notices_app.command("submit")
def notices_submit(notice_id: Annotated[int, typer.Argument()]) -> None:
    """Render a draft and put it in the review queue (refused, naming what is missing, if incomplete)."""
    from cases.takedown.services import submit_for_review

    with _session() as session:
        notice = submit_for_review(session, cli_actor(), notice_id)
        console.print(f"notice {notice.id} in review (sha256 {notice.rendered_sha256})")


@notices_app.command("show")
def notices_show(notice_id: Annotated[int, typer.Argument()]) -> None:
    """A notice's state and rendered text."""
    from cases.takedown.services import get_notice

    with _session() as session:
        notice = get_notice(session, notice_id)
        console.print(f"notice {notice.id}: {notice.state} ({notice.legal_basis}, sha256 {notice.rendered_sha256})")
        console.print(notice.rendered_text or "(not rendered yet)", markup=False)


@notices_app.command("queue")
def notices_queue(limit: Annotated[int, typer.Option(min=1, max=500)] = 50) -> None:
    """Notices waiting for review, due first."""
    from cases.takedown.queue import QueueFilters, list_queue

    with _session() as session:
        for n in list_queue(session, QueueFilters(), limit):
            console.print(f"{n.id}\t{n.legal_basis}\tdue {n.due_at or '-'}\tclaimed by {n.claimed_by or '-'}")


@notices_app.command("claim")
def notices_claim() -> None:
    """Claim the next notice to review."""
    from cases.takedown.queue import claim_next

    with _session() as session:
        notice = claim_next(session, cli_actor())
        console.print(f"claimed notice {notice.id}" if notice else "nothing to review")


@notices_app.command("approve")
def notices_approve(notice_ids: Annotated[list[int], typer.Argument()]) -> None:
    """Approve one or more notices in review."""
    from cases.takedown.queue import bulk_approve

    with _session() as session:
        approved, refused = bulk_approve(session, cli_actor(), notice_ids)
    console.print(f"approved: {approved or 'none'}")
    for notice_id, reason in refused.items():
        console.print(f"[red]not approved[/red] {notice_id}: {reason}")
    if refused:
        raise typer.Exit(1)


@notices_app.command("reject")
def notices_reject(notice_id: Annotated[int, typer.Argument()], reason: Annotated[str, typer.Option()]) -> None:
    """Reject a notice in review, with the reason."""
    from cases.takedown.queue import reject

    with _session() as session:
        reject(session, cli_actor(), notice_id, reason)
    console.print(f"notice {notice_id} rejected")


@notices_app.command("send")
def notices_send(
    channel: Annotated[
        str, typer.Option(help="auto (each notice by its template and recipient), smtp, api or file")
    ] = "auto",
    limit: Annotated[int, typer.Option(min=1)] = 100,
    recheck: Annotated[bool, typer.Option(help="Re-check every URL just before sending.")] = True,
) -> None:
    """Settle sends interrupted by a crash, then send approved notices (URLs re-checked first)."""
    from cases.takedown.delivery.outbox import reconcile, send_approved

    settings = cli_settings()
    ensure_schema(settings)
    factory = cli_factory(settings)
    channels = make_channels(settings)
    if channel != "auto" and channel not in channels:
        fail(
            f"channel {channel!r} is not configured (configured: {', '.join(channels)}; the API needs PIRATEWATCH_NOTICES__API_URL)"
        )
    chosen: Channel | dict[str, Channel] = channels if channel == "auto" else channels[channel]

    async def run() -> tuple[dict[int, str], list[Any]]:
        settled = await reconcile(factory, cli_actor(), channels)
        policy = recheck_policy(settings) if recheck else None
        sent = await send_approved(factory, cli_actor(), chosen, limit, policy)
        return settled, sent

    try:
        settled, sent = asyncio.run(run())
    except CasesError as exc:
        fail(str(exc))
    for notice_id, decision in settled.items():
        console.print(f"interrupted send of notice {notice_id}: {decision}")
    for notice in sent:
        console.print(f"notice {notice.id}: {notice.state}")


@notices_app.command("confirm")
def notices_confirm(
    notice_id: Annotated[int, typer.Argument()],
    sent: Annotated[bool, typer.Option("--sent/--not-sent", help="Did the interrupted e-mail reach the recipient?")],
) -> None:
    """Settle an e-mail whose send was interrupted (``--not-sent`` puts it back to be sent again)."""
    from cases.takedown.delivery.outbox import confirm_unconfirmed

    with _session() as session:
        notice = confirm_unconfirmed(session, cli_actor(), notice_id, was_sent=sent)
        console.print(f"notice {notice_id}: {notice.state}")


@notices_app.command("upkeep")
def notices_upkeep() -> None:
    """Once: settle interrupted sends, send approved notices, check sent URLs, escalate overdue notices."""
    settings = cli_settings()
    ensure_schema(settings)
    upkeep = takedown_upkeep(settings, cli_factory(settings), cli_actor())
    try:
        report = asyncio.run(upkeep())
    except CasesError as exc:
        fail(str(exc))
    for notice_id, decision in report.settled.items():
        console.print(f"interrupted send of notice {notice_id}: {decision}")
    console.print(f"sent: {len(report.sent)} notice(s) {report.sent or ''}")
    for notice_id, state in report.checked.items():
        console.print(f"checked notice {notice_id}: {state}")
    for notice_id, new_id in report.escalated.items():
        console.print(f"notice {notice_id} escalated" + (f" to notice {new_id}" if new_id else ": no next step"))


@notices_app.command("escalate")
def notices_escalate() -> None:
    """Mark overdue notices unanswered and escalate them up the ladder."""
    from cases.takedown.escalation import escalate_overdue

    with _session() as session:
        for step in escalate_overdue(session, cli_actor()):
            console.print(
                f"notice {step.notice_id} → {step.step or 'no next step'} (notice {step.new_notice_id or '-'})"
            )


@notices_app.command("reply")
def notices_reply(
    notice_id: Annotated[int, typer.Argument()],
    kind: Annotated[
        str, typer.Argument(help="bounce, delivered, acknowledgement, actioned, partially_actioned, rejected, reply")
    ],
    body: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record a recipient's answer."""
    from cases.takedown.replies import record_reply

    with _session() as session:
        record_reply(session, cli_actor(), notice_id, kind, body=body)
    console.print(f"recorded {kind} for notice {notice_id}")


@notices_app.command("import-mail")
def notices_import_mail(
    paths: Annotated[list[Path], typer.Argument(help="RFC 822 files (.eml) from the mailbox.")],
) -> None:
    """Import bounces and replies from saved e-mails, matched to notices by their reference."""
    from cases.takedown.replies import import_message

    for path in paths:
        with _session() as session:
            reply = import_message(session, cli_actor(), message_from_bytes(path.read_bytes(), policy=policy.default))
            console.print(f"{path.name}: {reply.kind} for notice {reply.notice_id}")


@notices_app.command("lumen")
def notices_lumen(out: Annotated[Path | None, typer.Option(help="Write to this file instead.")] = None) -> None:
    """Export sent notices in Lumen's JSON format."""
    from cases.takedown.reports import lumen_export

    with _session() as session:
        data = lumen_export(session)
    if out is not None:
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        console.print(f"{len(data)} notice(s) written to {out}")
    else:
        _print_json(data)


@notices_app.command("counts")
def notices_counts(year: Annotated[int, typer.Argument()]) -> None:
    """Notices sent in a year by provider, content type and action (DSA Art. 22 style)."""
    from cases.takedown.reports import yearly_counts

    with _session() as session:
        _print_json(yearly_counts(session, year))


@notices_app.command("scorecards")
def notices_scorecards() -> None:
    """How each provider answers notices."""
    from dataclasses import asdict

    from cases.takedown.reports import scorecards

    with _session() as session:
        _print_json([asdict(card) for card in scorecards(session)])
