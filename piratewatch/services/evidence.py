"""Use cases of evidence: capture URLs now, export an evidence package, verify one.

A capture is fetched by ``crawlers.capture`` behind the resolver's SSRF guard (private addresses are
refused unless the resolver's allow-networks setting allows them), its objects go to the object
store, its manifest is timestamped by the configured TSA (the token verified on receipt), and the
row and its audit event are written in one transaction. Each URL gets its own outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import httpx

from piratewatch.errors import InvalidRequestError
from piratewatch.services.resources import Resources

if TYPE_CHECKING:
    from cryptography import x509

    from cases.audit.services import Actor
    from cases.evidence.manifest import CaptureInput
    from cases.evidence.models import EvidenceCapture
    from cases.evidence.retention import PruneReport
    from cases.evidence.verify import Verification
    from crawlers.capture.fetch import Capture


def program_version() -> str:
    """``piratewatch <version>``: what every capture, export and verification records."""
    try:
        return f"piratewatch {version('piratewatch')}"
    except PackageNotFoundError:
        return "piratewatch (not installed)"


@dataclass
class CaptureOutcome:
    """What happened to one URL: the capture recorded (id), how it ended, whether it is timestamped."""

    url: str
    capture_id: int | None
    status: str
    limit: str | None = None
    problems: list[str] = field(default_factory=list)
    manifest_sha256: str | None = None
    timestamped_at: str | None = None
    timestamp_problem: str | None = None
    screenshot_problem: str | None = None


@dataclass
class ExportOutcome:
    """An evidence package: its bytes, the captures in it, and what could not be packed."""

    data: bytes
    captures: list[int]
    problems: list[str]
    sha256: str


def _input(
    capture: Capture, actor: Actor, trigger: str, site_id: int | None, association_id: int | None
) -> CaptureInput:
    from cases.evidence.manifest import CaptureInput
    from crawlers.capture.warc import write_warc

    final = capture.final
    egress = next((e.client_address for e in capture.exchanges if e.client_address), None)
    assert capture.finished_at is not None
    return CaptureInput(
        url=capture.url,
        status=capture.status,
        started_at=capture.started_at,
        finished_at=capture.finished_at,
        warc=write_warc(capture, program_version()),
        text=capture.text,
        program=program_version(),
        captured_by=actor.name,
        trigger=trigger,
        limit=capture.limit,
        problems=capture.problems,
        http_status=final.status if final else None,
        final_url=final.url if final else None,
        egress_address=egress,
        server_addresses=list(dict.fromkeys(e.server_address for e in capture.exchanges if e.server_address)),
        screenshot=capture.screenshot,
        screenshot_problem=capture.screenshot_problem,
        site_id=site_id,
        association_id=association_id,
    )


async def capture(
    self: Resources,
    urls: Sequence[str],
    actor: Actor,
    *,
    trigger: str = "on_demand",
    site_id: int | None = None,
    association_id: int | None = None,
    screenshot: bool | None = None,
) -> list[CaptureOutcome]:
    """Capture each URL now (one at a time: a browser per screenshot is heavy); one outcome per URL, in order."""
    from cases.evidence.services import prepare, record_capture
    from cases.evidence.timestamps import TimestampError
    from crawlers.capture.fetch import capture_url
    from crawlers.capture.screenshot import Screenshots

    authority = self.timestamp_authority
    outcomes: list[CaptureOutcome] = []
    # one browser and one connection to the TSA for the batch: starting them is most of a capture's cost
    async with (
        Screenshots(self.settings.capture) as shots,
        httpx.AsyncClient(timeout=authority.timeout if authority else 15.0) as tsa_client,
    ):
        for url in urls:
            seen = await capture_url(
                url, self.settings.capture, self.capture_transport, screenshot=screenshot, screenshots=shots
            )
            item = _input(seen, actor, trigger, site_id, association_id)
            _, manifest = await asyncio.to_thread(prepare, item, self.evidence_store)
            token, problem = None, None
            if authority is None:
                problem = "no TSA is configured (PIRATEWATCH_EVIDENCE__TSA_URL)"
            else:
                try:
                    token = await authority.stamp(manifest, tsa_client)
                except TimestampError as exc:
                    problem = str(exc)
            with self.transaction() as session:
                row = record_capture(session, self.evidence_store, actor, item, manifest, token, problem)
                outcomes.append(
                    CaptureOutcome(
                        url=row.url,
                        capture_id=row.id,
                        status=row.status,
                        limit=row.limit_reason,
                        problems=list(row.problems),
                        manifest_sha256=row.manifest_sha256,
                        timestamped_at=row.timestamped_at.isoformat() if row.timestamped_at else None,
                        timestamp_problem=problem,
                        screenshot_problem=row.screenshot_problem,
                    )
                )
    return outcomes


@dataclass(frozen=True)
class _Chosen:
    scope: str
    captures: list[EvidenceCapture]
    #: the summary's language: the notice's (its template's), English for a site
    language: str = "en"


def _language_of(templates: Sequence[str]) -> str:
    """The summary's language for notices rendered with `templates`: theirs when they share one, else English."""
    from cases.takedown.render import TEMPLATES

    languages = {TEMPLATES[t].language if t in TEMPLATES else "en" for t in templates}
    return languages.pop() if len(languages) == 1 else "en"


def _chosen(self: Resources, notice_id: int | None, site_id: int | None, case_id: int | None = None) -> _Chosen:
    from sqlmodel import col, select

    from cases.evidence.services import captures_of_site, latest_captures
    from cases.takedown.models import Notice, NoticeItem

    if sum(x is not None for x in (notice_id, site_id, case_id)) != 1:
        raise InvalidRequestError("name one notice, one site or one case to export the evidence of")
    with self.factory() as session:
        if site_id is not None:
            return _Chosen(f"site {site_id}", captures_of_site(session, site_id))
        if notice_id is not None:
            scope, notices = (
                f"notice {notice_id}",
                list(session.exec(select(Notice).where(col(Notice.id) == notice_id))),
            )
        else:
            scope = f"case {case_id}"
            notices = list(session.exec(select(Notice).where(col(Notice.case_id) == case_id).order_by(col(Notice.id))))
        ids = [n.id for n in notices]
        query = select(NoticeItem.url).where(col(NoticeItem.notice_id).in_(ids)).order_by(col(NoticeItem.id))
        # a URL in several notices of a case is packed once, with its newest capture
        urls = list(dict.fromkeys(session.exec(query)))
        if not urls:
            raise InvalidRequestError(f"{scope} has no notice items (or does not exist)")
        found = latest_captures(session, urls)
        language = _language_of([n.template for n in notices])
        return _Chosen(scope, [found[u] for u in urls if u in found], language)


async def export_evidence(
    self: Resources,
    actor: Actor,
    *,
    notice_id: int | None = None,
    site_id: int | None = None,
    case_id: int | None = None,
) -> ExportOutcome:
    """The evidence package of a notice or a case (the newest capture of each of its notices' item URLs)
    or of a site (every capture)."""
    from cases.db import utcnow
    from cases.evidence.objects import sha256_hex
    from cases.evidence.package import SUMMARY_HTML, package_contents, write_zip
    from cases.evidence.services import record_event
    from cases.evidence.timestamps import TimestampError

    chosen = _chosen(self, notice_id, site_id, case_id)
    scope, captures = chosen.scope, chosen.captures
    if not captures:
        raise InvalidRequestError(f"{scope} has no captures: capture its URLs first (piratewatch evidence capture)")
    authority = self.timestamp_authority
    contents = package_contents(
        captures,
        self.evidence_store,
        certificates_pem=authority.certificates_pem() if authority else b"",
        scope=scope,
        program=program_version(),
        created_by=actor.name,
        created_at=utcnow(),
        language=chosen.language,
    )
    if self.settings.evidence.summary_pdf:
        from crawlers.capture.printing import print_pdf

        pdf, problem = await print_pdf(contents.files[SUMMARY_HTML], contents.files, self.settings.capture)
        contents.add_summary_pdf(pdf, problem)
    else:
        contents.add_summary_pdf(None, "switched off (PIRATEWATCH_EVIDENCE__SUMMARY_PDF=false)", wanted=False)
    token = None
    if authority is None:
        contents.problems.append("no TSA is configured: the package manifest is not timestamped")
    else:
        try:
            token = (await authority.stamp(contents.manifest))[0]
        except TimestampError as exc:
            contents.problems.append(f"the package manifest is not timestamped: {exc}")
    data = write_zip(contents, token)
    digest = sha256_hex(data)
    ids = [c.id for c in captures if c.id is not None]
    with self.transaction() as session:
        values = {"scope": scope, "captures": ids, "problems": contents.problems, "program": program_version()}
        record_event(session, actor, "evidence_export", digest, values)
    return ExportOutcome(data, ids, contents.problems, digest)


def record_verification(self: Resources, data: bytes, report: Verification, actor: Actor) -> None:
    """Record a package's verification (done offline by ``cases.evidence.verify``) in the audit trail."""
    from cases.evidence.objects import sha256_hex
    from cases.evidence.services import record_event

    with self.transaction() as session:
        values = {"ok": report.ok, "failures": report.failures[:100], "program": program_version()}
        record_event(session, actor, "evidence_verification", sha256_hex(data), values)


def verify_evidence(self: Resources, data: bytes, actor: Actor, trust: Sequence[x509.Certificate] = ()) -> Verification:
    """Verify a package offline, and record the verification in the audit trail."""
    from cases.evidence.verify import verify_package

    report = verify_package(data, trust)
    record_verification(self, data, report, actor)
    return report


async def capture_before_send(self: Resources, actor: Actor, limit: int) -> list[CaptureOutcome]:
    """Capture the pending items of the approved notices a send is about to try (trigger ``recheck``).

    Switched on by ``PIRATEWATCH_EVIDENCE__CAPTURE_BEFORE_SEND``; each capture is made for the
    notice's association and site, so the notice's package finds it.
    """
    import sqlalchemy as sa
    from sqlmodel import col

    from cases.takedown.models import ItemOutcome, Notice, NoticeItem, NoticeState

    with self.factory() as session:
        rows = session.execute(
            sa.select(col(NoticeItem.url), col(Notice.site_id), col(Notice.association_id))
            .join(Notice, col(Notice.id) == col(NoticeItem.notice_id))
            .where(
                col(Notice.state) == NoticeState.APPROVED.value,
                col(NoticeItem.outcome) == ItemOutcome.PENDING.value,
                col(Notice.id).in_(
                    sa.select(col(Notice.id))
                    .where(col(Notice.state) == NoticeState.APPROVED.value)
                    .order_by(col(Notice.id))
                    .limit(limit)
                ),
            )
            .order_by(col(NoticeItem.id))
        ).all()
    outcomes: list[CaptureOutcome] = []
    for (site_id, association_id), group in _grouped(rows).items():
        outcomes += await capture(self, group, actor, trigger="recheck", site_id=site_id, association_id=association_id)
    return outcomes


async def capture_crawl_matches(
    self: Resources, actor: Actor, site_id: int, matches: Sequence[tuple[int, str]]
) -> list[CaptureOutcome]:
    """Capture the URLs a crawl matched a work at for the first time (trigger ``crawl``), each for the
    association whose work it matched, at most ``crawl_capture_limit`` of them; nothing when
    ``capture_on_crawl`` is off. Runs after the crawl is stored, never inside the crawl child."""
    settings = self.settings.evidence
    if not settings.capture_on_crawl or settings.crawl_capture_limit == 0:
        return []
    chosen = list(dict.fromkeys(matches))[: settings.crawl_capture_limit]  # one capture per URL and association
    by_association: dict[int, list[str]] = {}
    for association_id, url in chosen:
        by_association.setdefault(association_id, []).append(url)
    outcomes: list[CaptureOutcome] = []
    for association_id, urls in by_association.items():
        outcomes += await capture(self, urls, actor, trigger="crawl", site_id=site_id, association_id=association_id)
    return outcomes


def _grouped(rows: Sequence[Any]) -> dict[tuple[int, int], list[str]]:
    groups: dict[tuple[int, int], list[str]] = {}
    for url, site_id, association_id in rows:
        urls = groups.setdefault((int(site_id), int(association_id)), [])
        if url not in urls:
            urls.append(url)
    return groups


def prune_evidence(self: Resources, actor: Actor, *, dry_run: bool = False) -> PruneReport:
    """Prune captures older than ``PIRATEWATCH_EVIDENCE__RETENTION_DAYS``, keeping every capture an open case
    needs (of a site with a case not closed, or of a URL a notice of such a case lists)."""
    import datetime as dt

    import sqlalchemy as sa
    from sqlmodel import col

    from cases.db import utcnow
    from cases.evidence.retention import prune
    from cases.takedown.models import Notice, NoticeItem, TakedownCase
    from common.keys import url_key

    days = self.settings.evidence.retention_days
    if days is None:
        raise InvalidRequestError("no retention period is set (PIRATEWATCH_EVIDENCE__RETENTION_DAYS): evidence is kept")
    still_open = col(TakedownCase.status) != "closed"
    with self.transaction() as session:
        open_sites = set(session.execute(sa.select(col(TakedownCase.site_id)).where(still_open)).scalars())
        cited = session.execute(
            sa.select(col(NoticeItem.url))
            .join(Notice, col(Notice.id) == col(NoticeItem.notice_id))
            .join(TakedownCase, col(TakedownCase.id) == col(Notice.case_id))
            .where(still_open)
        ).scalars()
        return prune(
            session,
            self.evidence_store,
            actor,
            utcnow() - dt.timedelta(days=days),
            open_sites=open_sites,
            cited_url_keys={url_key(u) for u in cited},
            dry_run=dry_run,
        )
