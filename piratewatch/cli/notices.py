"""``piratewatch notices``: draft, review, send, follow up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from piratewatch.cli.support import JSON_HELP, cli_actor, console, fail, print_json, print_listing, services

if TYPE_CHECKING:
    from cases.takedown.delivery.results import SendResult

app = typer.Typer(help="Notices: draft, review, send, follow up.", no_args_is_help=True, rich_markup_mode=None)

_BASES = "dmca_512c3, dsa_art16, jp_provider_liability, raa_3_18, search_delisting"
_REPLY_KINDS = "bounce, delivered, acknowledgement, forwarded, actioned, partially_actioned, rejected, reply"


def read_sender_file(path: Path) -> dict[str, object]:
    """The sender details of a ``--sender`` file: a JSON object (anything else fails the command, saying why)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"--sender {path}: {exc}")
    if not isinstance(data, dict):
        fail(f"--sender {path}: a JSON object of sender details is expected")
    return data


@app.command("draft")
def draft(
    site_id: Annotated[int, typer.Option("--site")],
    provider_id: Annotated[int, typer.Option("--provider")],
    association_id: Annotated[int, typer.Option("--association")],
    basis: Annotated[str, typer.Option(help=_BASES)],
    sender_file: Annotated[
        Path | None,
        typer.Option(
            "--sender",
            help="JSON file with details for this notice over the association's sender profile "
            "(no statements and no signature: those come from the profile only).",
        ),
    ] = None,
    template: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Draft a notice from an association's evidence on a site, signed with the association's sender profile."""
    sender = read_sender_file(sender_file) if sender_file is not None else None
    with services() as svc:
        notice = svc.draft(
            cli_actor(),
            site_id=site_id,
            provider_id=provider_id,
            association_id=association_id,
            basis=basis,
            sender=sender,
            template=template,
        )
    console.print(f"notice {notice.id} drafted (case {notice.case_id})")


@app.command("submit")
def submit(notice_id: Annotated[int, typer.Argument()]) -> None:
    """Render a draft and put it in the review queue (refused, naming what is missing, if incomplete)."""
    from cases.takedown.services import submit_for_review

    with services() as svc, svc.transaction() as session:
        notice = submit_for_review(session, cli_actor(), notice_id)
        console.print(f"notice {notice.id} in review (sha256 {notice.rendered_sha256})")


@app.command("show")
def show(notice_id: Annotated[int, typer.Argument()]) -> None:
    """A notice's state and rendered text."""
    from cases.takedown.services import get_notice

    with services() as svc, svc.factory() as session:
        notice = get_notice(session, notice_id)
        console.print(f"notice {notice.id}: {notice.state} ({notice.legal_basis}, sha256 {notice.rendered_sha256})")
        console.print(notice.rendered_text or "(not rendered yet)", markup=False)


#: the fields of `notices queue --json`, in table order
_QUEUE_COLUMNS = {
    "id": "notice",
    "legal_basis": "basis",
    "association": "association",
    "site": "site",
    "provider": "to",
    "urls": "URLs",
    "live_urls": "live",
    "due_at": "due",
    "review_reason": "back in review because",
    "claimed_by": "claimed by",
    "claim_expires_at": "claim expires",
}


@app.command("queue")
def queue(
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Notices waiting for review, due first, with who claimed each and until when."""
    import sqlalchemy as sa
    from sqlmodel import col

    from cases.providers.models import Provider
    from cases.sites.models import Site
    from cases.takedown.item_counts import ItemCounts, item_counts
    from cases.takedown.review import CLAIM_TIMEOUT, QueueFilters, list_queue
    from cases.tenants.queries import association_choices

    with services() as svc, svc.factory() as session:
        notices = list_queue(session, QueueFilters(), limit)
        counts = item_counts(session, [n.id or 0 for n in notices])
        associations = dict(association_choices(session))
        providers = dict(session.execute(sa.select(col(Provider.id), col(Provider.name))).all())
        sites = dict(
            session.execute(
                sa.select(col(Site.id), col(Site.name)).where(col(Site.id).in_({n.site_id for n in notices}))
            ).all()
        )
    rows = [
        {
            "id": n.id,
            "legal_basis": str(n.legal_basis),
            "association_id": n.association_id,
            "association": associations.get(n.association_id),
            "site_id": n.site_id,
            "site": sites.get(n.site_id),
            "provider_id": n.provider_id,
            "provider": providers.get(n.provider_id),
            # a notice with no live URL cannot be approved: reject it or send it back to draft
            "urls": counts.get(n.id or 0, ItemCounts()).urls,
            "live_urls": counts.get(n.id or 0, ItemCounts()).live,
            "due_at": n.due_at.isoformat() if n.due_at else None,
            "review_reason": n.review_reason,
            "claimed_by": n.claimed_by,
            "claim_expires_at": (n.claimed_at + CLAIM_TIMEOUT).isoformat() if n.claimed_by and n.claimed_at else None,
        }
        for n in notices
    ]
    print_listing(rows, _QUEUE_COLUMNS, as_json=as_json, empty="the review queue is empty")


@app.command("list")
def list_(
    state: Annotated[str, typer.Option("--state", help="draft, in_review, approved, sending, sent, unconfirmed, …")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array instead of lines.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 500,
) -> None:
    """Notices in one state, oldest first (``--state unconfirmed``: notices whose e-mail send is in doubt)."""
    import sqlalchemy as sa
    from sqlmodel import col

    from cases.takedown.models import DeliveryAttempt, Notice, NoticeState

    states = [s.value for s in NoticeState]
    if state not in (*states, "unconfirmed"):
        fail(f"unknown state {state!r}; one of: {', '.join([*states, 'unconfirmed'])}")
    query = sa.select(Notice).order_by(col(Notice.id)).limit(limit)
    if state == "unconfirmed":  # an interrupted e-mail waiting for `notices confirm`
        waiting = sa.select(col(DeliveryAttempt.notice_id)).where(col(DeliveryAttempt.state) == "unconfirmed")
        query = query.where(col(Notice.id).in_(waiting))
    else:
        query = query.where(col(Notice.state) == state)
    with services() as svc, svc.factory() as session:
        rows = [
            {
                "id": n.id,
                "state": str(n.state),
                "legal_basis": str(n.legal_basis),
                "site_id": n.site_id,
                "provider_id": n.provider_id,
                "association_id": n.association_id,
                "due_at": n.due_at.isoformat() if n.due_at else None,
                "updated_at": n.updated_at.isoformat() if n.updated_at else None,
            }
            for n in session.scalars(query)
        ]
    if as_json:
        print_json(rows)
        return
    for r in rows:  # tab-separated, for cut and awk
        typer.echo(
            f"{r['id']}\t{r['state']}\t{r['legal_basis']}\tsite {r['site_id']}\tprovider {r['provider_id']}"
            f"\tassociation {r['association_id']}\tupdated {r['updated_at'] or '-'}"
        )
    typer.echo(f"{len(rows)} notice(s) {state}")


@app.command("claim")
def claim() -> None:
    """Claim the next notice to review."""
    from cases.takedown.review import claim_next

    with services() as svc, svc.transaction() as session:
        notice = claim_next(session, cli_actor())
        console.print(f"claimed notice {notice.id}" if notice else "nothing to review")


@app.command("approve")
def approve(notice_ids: Annotated[list[int], typer.Argument()]) -> None:
    """Approve one or more notices in review."""
    with services() as svc:
        report = svc.approve(notice_ids, cli_actor())
    console.print(f"approved: {report.approved or 'none'}")
    for notice_id, reason in report.refused.items():
        console.print(f"[red]not approved[/red] {notice_id}: {reason}")
    if report.refused:
        raise typer.Exit(1)


@app.command("reject")
def reject(notice_id: Annotated[int, typer.Argument()], reason: Annotated[str, typer.Option()]) -> None:
    """Reject a notice in review, with the reason."""
    from cases.takedown.review import reject as reject_notice

    with services() as svc, svc.transaction() as session:
        reject_notice(session, cli_actor(), notice_id, reason)
    console.print(f"notice {notice_id} rejected")


def _print_sends(settled: dict[int, str], results: list[SendResult], waiting: dict[int, str]) -> None:
    for notice_id, decision in settled.items():
        console.print(f"interrupted send of notice {notice_id}: {decision}")
    for result in results:
        style = "" if result.sent else "[yellow]"
        console.print(f"{style}{result}", highlight=False)
    for notice_id, why in waiting.items():
        console.print(f"notice {notice_id}: {why}")
    sent = sum(r.sent for r in results)
    console.print(f"sent: {sent} of {len(results)} notice(s) tried")


@app.command("send")
def send(
    channel: Annotated[
        str, typer.Option(help="auto (each notice by its template and recipient), smtp, api or file")
    ] = "auto",
    limit: Annotated[int, typer.Option(min=1)] = 100,
    recheck: Annotated[bool, typer.Option(help="Re-check every URL just before sending.")] = True,
) -> None:
    """Settle sends interrupted by a crash, then send approved notices (URLs re-checked first).

    Exits with 1 when a send failed (its channel refused the notice, or whether it left is unknown); a
    notice the re-check sent back to review is reported, not a failure.
    """
    import asyncio

    with services() as svc:
        report = asyncio.run(svc.send(cli_actor(), channel=channel, limit=limit, recheck=recheck))
    _print_sends(report.settled, report.results, report.waiting)
    if report.failed:
        raise typer.Exit(1)


@app.command("confirm")
def confirm(
    notice_id: Annotated[int, typer.Argument()],
    sent: Annotated[bool, typer.Option("--sent/--not-sent", help="Did the interrupted e-mail reach the recipient?")],
) -> None:
    """Settle an e-mail whose send was interrupted (``--not-sent`` puts it back to be sent again)."""
    from cases.takedown.delivery.outbox import confirm_unconfirmed

    with services() as svc, svc.transaction() as session:
        notice = confirm_unconfirmed(session, cli_actor(), notice_id, was_sent=sent)
        console.print(f"notice {notice_id}: {notice.state}")


@app.command("upkeep")
def upkeep() -> None:
    """Once: settle interrupted sends, send approved notices, check sent URLs, escalate overdue notices.

    Exits with 1 when a send failed (its channel refused the notice, or whether it left is unknown).
    """
    import asyncio

    with services() as svc:
        report = asyncio.run(svc.upkeep(cli_actor()))
    _print_sends(report.settled, report.sends, {})
    for notice_id, state in report.checked.items():
        console.print(f"checked notice {notice_id}: {state}")
    for clock in report.clocks:
        console.print(
            f"notice {clock.notice_id}: {clock.state} ({clock.kind} clock ended {clock.ended_at:%Y-%m-%d}: {clock.meaning})"
        )
    for notice_id in report.restored:
        console.print(f"notice {notice_id}: restored (its URLs are live again after the counter-notice)")
    undecided = {d.notice_id for d in report.undecided}
    for notice_id, new_id in report.escalated.items():
        why = " (the rejection was left undecided)" if notice_id in undecided else ""
        console.print(f"notice {notice_id} escalated{why}" + (f" to notice {new_id}" if new_id else ": no next step"))
    if any(s.failed for s in report.sends):
        raise typer.Exit(1)


@app.command("escalate")
def escalate() -> None:
    """Mark overdue notices unanswered and escalate them up the ladder."""
    from cases.takedown.escalation import escalate_overdue

    with services() as svc, svc.transaction() as session:
        for step in escalate_overdue(session, cli_actor()):
            console.print(
                f"notice {step.notice_id} → {step.step or 'no next step'} (notice {step.new_notice_id or '-'})"
            )


@app.command("reply")
def reply(
    notice_id: Annotated[int, typer.Argument()],
    kind: Annotated[str, typer.Argument(help=_REPLY_KINDS)],
    body: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record a recipient's answer."""
    from cases.takedown.replies import record_reply

    with services() as svc, svc.transaction() as session:
        record_reply(session, cli_actor(), notice_id, kind, body=body)
    console.print(f"recorded {kind} for notice {notice_id}")


@app.command("import-mail")
def import_mail(paths: Annotated[list[Path], typer.Argument(help="RFC 822 files (.eml) from the mailbox.")]) -> None:
    """Import bounces and replies from saved e-mails, matched to notices by their reference."""
    from email import message_from_bytes, policy

    from cases.takedown.replies import import_message

    with services() as svc:
        for path in paths:
            with svc.transaction() as session:
                message = message_from_bytes(path.read_bytes(), policy=policy.default)
                answer = import_message(session, cli_actor(), message)
                read = f" (read as {answer.parsed.parser})" if answer.parsed.parser else ""
                opened = f"; the host's case {answer.host_case_id}" if answer.host_case_id else ""
                why = f"; not applied: {answer.not_applied}" if answer.not_applied else ""
                console.print(f"{path.name}: {answer.kind} for notice {answer.notice_id}{read}{opened}{why}")


@app.command("lumen")
def lumen(out: Annotated[Path | None, typer.Option(help="Write to this file instead.")] = None) -> None:
    """Export sent notices in Lumen's JSON format."""
    from cases.takedown.statistics import lumen_export

    with services() as svc, svc.factory() as session:
        data = lumen_export(session)
    if out is not None:
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        console.print(f"{len(data)} notice(s) written to {out}")
    else:
        print_json(data)


@app.command("counts")
def counts(year: Annotated[int, typer.Argument()]) -> None:
    """Notices sent in a year by provider, content type and action (DSA Art. 22 style)."""
    from cases.takedown.statistics import yearly_counts

    with services() as svc, svc.factory() as session:
        print_json(yearly_counts(session, year))


@app.command("art22-report")
def art22(
    year: Annotated[int, typer.Argument(min=2024, max=2100)],
    association_id: Annotated[int, typer.Option("--association")],
    as_json: Annotated[bool, typer.Option("--json", help="The report as the API answers it.")] = False,
) -> None:
    """An association's DSA Art. 16 notices of YEAR as Art. 22(3) counts them (provider, content, action, time)."""
    from cases.takedown.art22_report import art22_report

    with services() as svc, svc.factory() as session:
        report = art22_report(session, association_id, year)
    if as_json:
        print_json(report)
        return
    status = report["trusted_flagger"]
    console.print(
        f"{report['association']}, {year}: {report['notices']} Art. 16 notice(s); "
        + (
            f"trusted flagger since {status['awarded_on']} ({status['coordinator']})"
            if status
            else "no trusted-flagger status recorded"
        ),
        highlight=False,
    )
    for row in report["counts"]:
        console.print(f"  {row['provider']}: {row['content_type']}: {row['action']}: {row['notices']}", highlight=False)
    for row in report["time_to_action"]:
        console.print(
            f"  {row['provider']}: median {row['median_hours']} h to action ({row['actioned']} notice(s))",
            highlight=False,
        )


@app.command("scorecards")
def scorecards() -> None:
    """How each provider answers notices."""
    from dataclasses import asdict

    from cases.takedown.statistics import scorecards as provider_scorecards

    with services() as svc, svc.factory() as session:
        print_json([asdict(card) for card in provider_scorecards(session)])


# The counter-notice steps live in their own module; importing it registers them on `app`.
from piratewatch.cli import notice_clocks as _notice_clocks  # noqa: E402, F401
